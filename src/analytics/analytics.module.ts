import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../common/roles.js';
import { AnalyticsController, TicketSlaController } from './analytics.controller.js';
import { AnalyticsService } from './analytics.service.js';
import { AnalyticsWorker } from './analytics.worker.js';
import { CalendarStore } from './calendars.js';
import { CsatGateway } from './csat.gateway.js';
import { CsatReplyInterceptor } from './csat-interceptor.js';
import { CsatService } from './csat.service.js';
import { MetricsRecomputer } from './metrics-recomputer.js';
import { SettingsService } from './settings.service.js';
import { SlaMonitor } from './sla-monitor.js';

/**
 * Response-time analytics, SLAs and CSAT. The API role serves the dashboard routes and the
 * web-chat `csat` event; the worker role keeps metrics and rollups current and watches SLA clocks.
 */
@Module({})
export class AnalyticsModule {
  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: AnalyticsModule,
      controllers: roles.api ? [AnalyticsController, TicketSlaController] : [],
      providers: [
        CalendarStore,
        AnalyticsService,
        SettingsService,
        CsatService,
        CsatReplyInterceptor,
        MetricsRecomputer,
        SlaMonitor,
        ...(roles.api ? [CsatGateway] : []),
        ...(roles.workers ? [AnalyticsWorker] : []),
      ],
      exports: [MetricsRecomputer, SlaMonitor],
    };
  }
}
