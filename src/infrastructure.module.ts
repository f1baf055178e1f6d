import { Module, type DynamicModule } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { bindScopeToPool } from './tenancy/db-scope.js';
import type { AppConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { dataSourceOptions } from './database/data-source.js';
import { DEFAULT_JOB_OPTIONS } from './jobs/jobs.js';
import { JobHandlersCheck, REGISTERED_QUEUES } from './jobs/job-handlers.check.js';
import { redisOptionsFromUrl } from './jobs/redis-connection.js';
import { ALL_QUEUES } from './channels/channels.js';

/**
 * The connections the application runs on, made once for the process: the configuration, the
 * database (as sportello_app, under row-level security in the scope of the code that takes each
 * connection: src/tenancy/db-scope.ts), Redis for BullMQ and the queues. It provides no domain
 * service: each feature module imports the modules of the services it uses.
 *
 * Global by their libraries' design, and infrastructure only: `APP_CONFIG` (ConfigModule), the
 * `DataSource` (TypeORM's root module) and BullMQ's shared connection settings (BullModule.forRoot).
 */
@Module({})
export class InfrastructureModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: InfrastructureModule,
      imports: [
        ConfigModule.forRoot(config),
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
        // Registered once here; JobsService and Bull Board find a queue by its token.
        ...ALL_QUEUES.map((name) => BullModule.registerQueue({ name })),
        DiscoveryModule,
      ],
      // A process that runs workers refuses to start when the declared jobs and the handlers differ.
      providers: [{ provide: REGISTERED_QUEUES, useValue: ALL_QUEUES }, JobHandlersCheck],
    };
  }
}
