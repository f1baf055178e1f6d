import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../common/roles.js';
import { RoutingModule } from '../routing/routing.module.js';
import { OperatorsController } from './operators.controller.js';
import { PresenceService } from './presence.service.js';

@Module({})
export class OperatorsModule {
  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: OperatorsModule,
      imports: [RoutingModule.register(roles)],
      controllers: roles.api ? [OperatorsController] : [],
      providers: [PresenceService],
      exports: [PresenceService],
    };
  }
}
