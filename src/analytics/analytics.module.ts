import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../common/roles.js';
import { CasesModule } from '../cases/cases.module.js';
import { ComuniModule } from '../comuni/comuni.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { AnalyticsController, TicketSlaController } from './analytics.controller.js';
import { AnalyticsWorker } from './analytics.worker.js';
import { CalendarStore } from './calendars.js';
import { CsatGateway } from './csat.gateway.js';
import { CsatReplyInterceptor } from './csat-interceptor.js';
import { CsatService } from './csat.service.js';
import { MetricsRecomputer } from './metrics-recomputer.js';
import { SettingsService } from './settings.service.js';
import { SlaMonitor } from './sla-monitor.js';
import { BacklogReport } from './reports/backlog.report.js';
import { CsatReport } from './reports/csat.report.js';
import { DrilldownReport } from './reports/drilldown.report.js';
import { LiveBoardReport } from './reports/live-board.report.js';
import { MapReport } from './reports/map.report.js';
import { OpenDataReport } from './reports/open-data.report.js';
import { ReportScope } from './reports/report-scope.js';
import { ResponseTimesReport } from './reports/response-times.report.js';
import { RollupReader } from './reports/rollup-reader.js';
import { SlaReport } from './reports/sla.report.js';
import { TicketSlaReport } from './reports/ticket-sla.report.js';
import { VolumesReport } from './reports/volumes.report.js';

/** One builder per dashboard report, over the shared scope check and rollup reader (API role only). */
const REPORTS = [
  ReportScope,
  RollupReader,
  LiveBoardReport,
  BacklogReport,
  ResponseTimesReport,
  VolumesReport,
  SlaReport,
  CsatReport,
  MapReport,
  DrilldownReport,
  OpenDataReport,
  TicketSlaReport,
];

/**
 * Response-time analytics, SLAs and CSAT. The API role serves the dashboard routes and the
 * web-chat `csat` event; the worker role keeps metrics and rollups current and watches SLA clocks.
 */
@Module({})
export class AnalyticsModule {
  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: AnalyticsModule,
      imports: [CasesModule, ComuniModule, OutboxModule, RealtimeModule],
      controllers: roles.api ? [AnalyticsController, TicketSlaController] : [],
      providers: [
        CalendarStore,
        SettingsService,
        CsatService,
        CsatReplyInterceptor,
        MetricsRecomputer,
        SlaMonitor,
        ...(roles.api ? [CsatGateway, ...REPORTS] : []),
        ...(roles.workers ? [AnalyticsWorker] : []),
      ],
      exports: [MetricsRecomputer, SlaMonitor],
    };
  }
}
