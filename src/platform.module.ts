import { Global, Module, type DynamicModule } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { bindScopeToPool } from './tenancy/db-scope.js';
import { APP_CONFIG, type AppConfig } from './config/config.js';
import { dataSourceOptions } from './database/data-source.js';
import { DEFAULT_JOB_OPTIONS } from './jobs/jobs.js';
import { JobsService } from './jobs/jobs.service.js';
import { JobHandlersCheck, REGISTERED_QUEUES } from './jobs/job-handlers.check.js';
import { redisOptionsFromUrl } from './jobs/redis-connection.js';
import { ALL_QUEUES } from './channels/channels.js';
import { Metrics } from './ops/metrics.js';
import { OutboxRelay } from './outbox/outbox.js';
import { RealtimeService } from './realtime/realtime.service.js';
import { ComuniService } from './comuni/comuni.service.js';
import { TicketNotifier } from './cases/ticket-notifier.js';
import { CasesModule } from './cases/cases.module.js';
import { AttachmentStorage, LocalDiskStorage } from './storage/storage.js';
import { AnalyticsWake } from './outbox/analytics-wake.js';

/**
 * The shared lower layer every feature module stands on: configuration, database, queues,
 * real-time publishing, metrics, storage. Feature modules never import each other in a circle;
 * what two of them need lives here.
 */
@Global()
@Module({})
export class PlatformModule {
  static forConfig(config: AppConfig): DynamicModule {
    const providers = [
      { provide: APP_CONFIG, useValue: config },
      Metrics,
      RealtimeService,
      JobsService,
      OutboxRelay,
      ComuniService,
      TicketNotifier,
      AnalyticsWake,
      { provide: AttachmentStorage, useClass: LocalDiskStorage },
    ];
    return {
      module: PlatformModule,
      imports: [
        // The application connects as sportello_app: row-level security applies, in the scope of
        // the code that takes each connection (src/tenancy/db-scope.ts).
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...dataSourceOptions(config.databaseAppUrl), retryAttempts: 3, retryDelay: 1000 }),
          dataSourceFactory: async (options) => {
            const ds = await new DataSource(options!).initialize();
            bindScopeToPool(ds);
            return ds;
          },
        }),
        BullModule.forRoot({
          connection: { ...redisOptionsFromUrl(config.redisUrl), maxRetriesPerRequest: null },
          prefix: config.redisPrefix,
          defaultJobOptions: DEFAULT_JOB_OPTIONS,
        }),
        ...ALL_QUEUES.map((name) => BullModule.registerQueue({ name })),
        // Re-exported for the ingest pipeline until it imports the case core itself; the case
        // types are contributed by their modules (CasesModule.forFeature).
        CasesModule,
        DiscoveryModule,
      ],
      // A process that runs workers refuses to start when the declared jobs and the handlers differ.
      providers: [...providers, { provide: REGISTERED_QUEUES, useValue: ALL_QUEUES }, JobHandlersCheck],
      exports: [...providers.map((p) => ('provide' in p ? p.provide : p)), BullModule, CasesModule],
    };
  }
}
