import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Lap = (stage: string) => void;
const NO_LAP: Lap = () => undefined;

/** Prometheus metrics of this process, served at /metrics. */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly ingested = new Counter({
    name: 'sportello_ingest_messages_total',
    help: 'Inbound messages by channel and outcome (stored, duplicate, rejected, absorbed by an interceptor)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly outboxPublished = new Counter({
    name: 'sportello_outbox_published_total',
    help: 'Outbox entries published to BullMQ',
    registers: [this.registry],
  });
  readonly jobDuration = new Histogram({
    name: 'sportello_job_duration_seconds',
    help: 'Duration of background jobs by queue, name and outcome',
    labelNames: ['queue', 'job', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'sportello_queue_jobs',
    help: 'Jobs per queue and state, read at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });
  readonly socketConnections = new Gauge({
    name: 'sportello_socket_connections',
    help: 'Socket.IO connections held by this process, by namespace',
    labelNames: ['namespace'] as const,
    registers: [this.registry],
  });
  readonly deliveries = new Counter({
    name: 'sportello_outbound_deliveries_total',
    help: 'Outbound deliveries by channel and outcome',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });

  /** Filled only with STAGE_TIMING=true (benchmarks): where a message's time goes, stage by stage. */
  readonly stageSeconds = new Histogram({
    name: 'sportello_stage_seconds',
    help: 'Duration of each stage of the message path (only with STAGE_TIMING=true)',
    labelNames: ['stage'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  /**
   * A stopwatch for one message's way through a service: each call records the time since the
   * previous one under the given stage. When timing is off it is a no-op that allocates nothing.
   */
  laps(enabled: boolean): Lap {
    if (!enabled) return NO_LAP;
    let last = performance.now();
    return (stage) => {
      const now = performance.now();
      this.stageSeconds.observe({ stage }, (now - last) / 1000);
      last = now;
    };
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'sportello_' });
  }
}
