import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { MetricsModule } from '../ops/metrics.module.js';
import { AnalyticsWake } from './analytics-wake.js';
import { OutboxRelay } from './outbox.js';

/** The outbox relay (committed jobs → BullMQ) and the analytics wake-up sent after a commit. */
@Module({
  imports: [JobsModule, MetricsModule],
  providers: [OutboxRelay, AnalyticsWake],
  exports: [OutboxRelay, AnalyticsWake],
})
export class OutboxModule {}
