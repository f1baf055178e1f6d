import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../../common/roles.js';
import { ParticipationModule } from '../kernel/participation.module.js';
import { PlanningController } from './planning.controller.js';
import { PLANNING, PLANNING_CATALOGUE } from './planning.manifest.js';
import { PlanningService } from './planning.service.js';

/** Participatory planning: the kernel's items and contributions, plus the hypothesis's map. */
@Module({})
export class PlanningModule {
  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: PlanningModule,
      imports: [ParticipationModule.forFeature(PLANNING, PLANNING_CATALOGUE)],
      providers: roles.api ? [PlanningService] : [],
      controllers: roles.api ? [PlanningController] : [],
    };
  }
}
