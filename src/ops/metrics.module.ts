import { Module } from '@nestjs/common';
import { Metrics } from './metrics.js';

/** The process's Prometheus metrics: one registry, so one instance (a static module). */
@Module({ providers: [Metrics], exports: [Metrics] })
export class MetricsModule {}
