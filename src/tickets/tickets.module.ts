import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../common/roles.js';
import { RoutingModule } from '../routing/routing.module.js';
import { TicketsController } from './tickets.controller.js';
import { TicketsService } from './tickets.service.js';

@Module({})
export class TicketsModule {
  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: TicketsModule,
      imports: [RoutingModule.register(roles)],
      controllers: roles.api ? [TicketsController] : [],
      providers: [TicketsService],
      exports: [TicketsService],
    };
  }
}
