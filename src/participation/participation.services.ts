import type { DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../common/roles.js';
import { DebatesModule } from './debates/debates.module.js';
import { ParticipationModule } from './kernel/participation.module.js';
import { PlanningModule } from './planning/planning.module.js';

/** The e-democracy services this application runs: each one folder, registered here. */
export function participationModule(roles: ProcessRoles): DynamicModule {
  return ParticipationModule.register(roles, [DebatesModule.register(), PlanningModule.register(roles)]);
}
