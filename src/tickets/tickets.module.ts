import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../common/roles.js';
import { CasesModule } from '../cases/cases.module.js';
import { RoutingModule } from '../routing/routing.module.js';
import { REPORT_CASE_TYPE } from './case-types/report.case-type.js';
import { REQUEST_CASE_TYPE } from './case-types/request.case-type.js';
import { TicketsController } from './tickets.controller.js';
import { TicketsService } from './tickets.service.js';

/** The two kinds of ticket the contact centre has always handled, contributed like any other case type. */
const CASE_TYPES = CasesModule.forFeature([REQUEST_CASE_TYPE, REPORT_CASE_TYPE]);

@Module({})
export class TicketsModule {
  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: TicketsModule,
      imports: [RoutingModule.register(roles), CASE_TYPES],
      controllers: roles.api ? [TicketsController] : [],
      providers: [TicketsService],
      exports: [TicketsService],
    };
  }
}
