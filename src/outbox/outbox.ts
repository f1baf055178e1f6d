import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, runsWorkers, type AppConfig } from '../config/config.js';
import type { JobName, JobPayloads } from '../jobs/jobs.js';
import { JobsService, type JobRequest } from '../jobs/jobs.service.js';
import { ROUTING_QUEUE } from '../jobs/jobs.js';
import { Metrics } from '../ops/metrics.js';
import { InSystemScope } from '../tenancy/db-scope.js';

/** Records jobs to enqueue in the same transaction as the state they act on. */
export async function appendOutbox<N extends JobName>(m: EntityManager, name: N, payload: JobPayloads[N]): Promise<void> {
  await m.query(`INSERT INTO outbox (topic, payload) VALUES ($1, $2::jsonb)`, [name, JSON.stringify(payload)]);
}

/**
 * Moves committed outbox entries into BullMQ. Called right after a commit (`kick`) so routing
 * starts at once, and on a timer as the safety net: when Redis was down, entries wait here in
 * PostgreSQL and are published when it is back. Several instances may run it: rows are claimed
 * with SKIP LOCKED, and deterministic job ids make a second publish harmless.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly ds: DataSource,
    private readonly jobs: JobsService,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // Every role relays: the API for low latency, the workers so nothing waits for an API to come.
    const poll = () => {
      if (this.stopped) return;
      this.kick();
      this.timer = setTimeout(poll, this.config.outboxPollMs);
      this.timer.unref();
    };
    this.timer = setTimeout(poll, runsWorkers(this.config) ? 0 : this.config.outboxPollMs);
    this.timer.unref();
  }

  /** Publish what is pending now; calls during a run coalesce into one more run. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.drain().finally(() => {
      this.running = false;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Publishes pending entries until none is left or Redis is unavailable. Returns how many were published. */
  @InSystemScope('outbox')
  async drain(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        if (!(await this.jobs.isReady(ROUTING_QUEUE))) return total;
        const n = await this.publishBatch(500);
        total += n;
        if (n < 500) return total;
      }
    } catch (err) {
      this.logger.warn(`outbox publish deferred: ${(err as Error).message}`);
      return total;
    }
  }

  private async publishBatch(limit: number): Promise<number> {
    const lap = this.metrics.laps(this.config.stageTiming);
    const published = await this.ds.transaction(async (m) => {
      lap('relay.begin');
      const rows: Array<{ id: string; topic: JobName; payload: any }> = await m.query(
        `SELECT id, topic, payload FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      lap('relay.select');
      if (rows.length === 0) return 0;
      const requests: JobRequest[] = rows.map((r) => ({ name: r.topic, payload: r.payload }));
      await withTimeout(this.jobs.enqueueMany(requests), 5_000, 'BullMQ did not answer in 5 s');
      lap('relay.enqueue');
      await m.query(`UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      this.metrics.outboxPublished.inc(rows.length);
      return rows.length;
    });
    if (published) lap('relay.commit');
    return published;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(message)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
