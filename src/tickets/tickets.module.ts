import { Module, type DynamicModule, type Type } from '@nestjs/common';
import type { ProcessRoles } from '../common/roles.js';
import { CasesModule } from '../cases/cases.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { StorageModule } from '../storage/storage.module.js';
import { REPORT_CASE_TYPE } from './case-types/report.case-type.js';
import { REQUEST_CASE_TYPE } from './case-types/request.case-type.js';
import { TicketsController } from './tickets.controller.js';
import { TicketsService } from './tickets.service.js';

/** The two kinds of ticket the contact centre has always handled, contributed like any other case type. */
const CASE_TYPES = CasesModule.forFeature([REQUEST_CASE_TYPE, REPORT_CASE_TYPE]);

@Module({})
export class TicketsModule {
  /**
   * `routing`: the module that provides `TicketRouting` (src/tickets/ticket-routing.ts). Routing is
   * a platform module above the core, so the app module hands it in; the tickets core never imports it.
   */
  static register(roles: ProcessRoles, routing: DynamicModule | Type<unknown>): DynamicModule {
    return {
      module: TicketsModule,
      imports: [routing, CASE_TYPES, OutboxModule, RealtimeModule, StorageModule],
      controllers: roles.api ? [TicketsController] : [],
      providers: [TicketsService],
      exports: [TicketsService],
    };
  }
}
