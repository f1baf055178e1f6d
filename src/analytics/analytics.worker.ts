import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { MetricsRecomputer } from './metrics-recomputer.js';
import { CsatService } from './csat.service.js';
import { SlaMonitor } from './sla-monitor.js';
import { AnalyticsWake } from '../outbox/analytics-wake.js';
import { InSystemScope } from '../tenancy/db-scope.js';

const BATCH = 200;
/** Advisory lock namespace: one recompute of a given ticket at a time across instances. */
const TICKET_LOCK = 7302;
const LIVE_COMPACT_MS = 1000;

/**
 * Keeps the metrics current. A trigger on the event log appends a mark per event; this worker
 * takes marks in batches, recomputes those tickets and moves the rollups, all in one transaction
 * (a crash leaves the marks for the next run). A PostgreSQL notification wakes it within
 * milliseconds of a commit (or, for the ingest, AnalyticsWake); a timer is the safety net. It also runs the SLA monitor.
 */
@Injectable()
export class AnalyticsWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AnalyticsWorker.name);
  private listener: pg.Client | null = null;
  private timer: NodeJS.Timeout | undefined;
  private slaTimer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | null = null;
  private again = false;
  private stopped = false;
  private lastCompact = 0;
  private lastStart = 0;
  private deferred: NodeJS.Timeout | undefined;

  constructor(
    private readonly ds: DataSource,
    private readonly recomputer: MetricsRecomputer,
    private readonly csat: CsatService,
    private readonly sla: SlaMonitor,
    private readonly wake: AnalyticsWake,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // The ingest of this process wakes it directly after its commits (see AnalyticsWake).
    this.wake.attach(() => this.kick());
    await this.listen();
    const poll = () => {
      if (this.stopped) return;
      this.kick();
      this.timer = setTimeout(poll, this.config.analytics.pollMs);
      this.timer.unref();
    };
    poll();
    const check = () => {
      if (this.stopped) return;
      void this.sla
        .check()
        .catch((err) => this.logger.warn(`SLA check failed: ${(err as Error).message}`))
        .finally(() => {
          if (this.stopped) return;
          this.slaTimer = setTimeout(check, this.config.analytics.slaCheckMs);
          this.slaTimer.unref();
        });
    };
    this.slaTimer = setTimeout(check, Math.min(1000, this.config.analytics.slaCheckMs));
    this.slaTimer.unref();
  }

  private async listen(): Promise<void> {
    try {
      const client = new pg.Client({ connectionString: this.config.databaseAppUrl });
      client.on('error', (err) => {
        this.logger.warn(`analytics listener lost: ${err.message}; polling every ${this.config.analytics.pollMs} ms`);
        this.listener = null;
      });
      client.on('notification', () => this.kick());
      await client.connect();
      await client.query('LISTEN analytics_dirty');
      this.listener = client;
    } catch (err) {
      this.logger.warn(`analytics listener not started (${(err as Error).message}); polling only`);
    }
  }

  /**
   * Process pending marks; calls during a run coalesce into one more run, and runs start at most
   * every ANALYTICS_MIN_INTERVAL_MS: under load a batch then holds many messages, and the rollup
   * rows they share (the comune's day, its groups, its channels) are written once for all of them.
   */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    const wait = this.lastStart + this.config.analytics.minIntervalMs - Date.now();
    if (wait > 0) {
      if (!this.deferred) {
        this.deferred = setTimeout(() => {
          this.deferred = undefined;
          this.kick();
        }, wait);
        this.deferred.unref();
      }
      return;
    }
    this.lastStart = Date.now();
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Recomputes until no mark is left; returns how many tickets were recomputed. */
  @InSystemScope('analytics')
  async drain(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const n = await this.processBatch();
        total += n;
        if (n === 0 || this.stopped) break;
      }
    } catch (err) {
      this.logger.warn(`metrics recompute deferred: ${(err as Error).message}`);
    }
    await this.compactLive();
    return total;
  }

  /**
   * Folds the live counters' delta rows (appended by triggers on every ticket change) into one row
   * per comune and group, at most once a second: the live tiles read a few rows per comune.
   */
  @InSystemScope('analytics')
  async compactLive(force = false): Promise<void> {
    if (!force && Date.now() - this.lastCompact < LIVE_COMPACT_MS) return;
    this.lastCompact = Date.now();
    try {
      await this.ds.query(`SELECT analytics_live_compact()`);
    } catch (err) {
      this.logger.warn(`live counters not compacted: ${(err as Error).message}`);
    }
  }

  /** Waits for the current run (tests and benchmarks call this after writing events). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async processBatch(): Promise<number> {
    const done = await this.ds.transaction(async (m) => {
      const marks: Array<{ id: string; ticket_id: string }> = await m.query(
        `SELECT id, ticket_id FROM analytics_dirty ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH * 5],
      );
      if (marks.length === 0) return null;
      const ids = [...new Set(marks.map((r) => String(r.ticket_id)))].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)).slice(0, BATCH);
      // Another instance recomputing one of these tickets keeps it; its marks stay for later.
      const locked: Array<{ id: string }> = await m.query(
        `SELECT id FROM unnest($1::bigint[]) AS id WHERE pg_try_advisory_xact_lock($2, (id % 2147483647)::int)`,
        [ids, TICKET_LOCK],
      );
      const mine = new Set(locked.map((r) => String(r.id)));
      const recomputed = await this.recomputer.recompute(m, [...mine]);
      const taken = marks.filter((r) => mine.has(String(r.ticket_id))).map((r) => r.id);
      await m.query(`DELETE FROM analytics_dirty WHERE id = ANY($1::bigint[])`, [taken]);
      return { recomputed, taken: taken.length };
    });
    if (!done) return 0;
    if (this.config.analytics.csatEnabled && done.recomputed.length) await this.csat.requestAfterResolution(done.recomputed);
    return done.taken;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.slaTimer) clearTimeout(this.slaTimer);
    if (this.deferred) clearTimeout(this.deferred);
    await this.running?.catch(() => undefined);
    await this.listener?.end().catch(() => undefined);
  }
}
