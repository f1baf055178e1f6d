import { Module } from '@nestjs/common';
import { JobsService } from './jobs.service.js';

/**
 * Enqueueing jobs on the registered BullMQ queues (registered once, by the application's
 * infrastructure module: src/infrastructure.module.ts).
 */
@Module({ providers: [JobsService], exports: [JobsService] })
export class JobsModule {}
