import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A process without the analytics worker sends at most one notification per this interval. */
export const WAKE_NOTIFY_EVERY_MS = 50;

/**
 * Wakes the analytics worker after a commit whose ticket events did not notify by themselves: the
 * ingest sets `sportello.analytics_wake = 'caller'` for its transaction (see the IngestInOneCall
 * migration), because a notifying transaction holds PostgreSQL's notification-queue lock through
 * its commit and so serialises every other notifying commit behind it.
 *
 * When the worker runs in this process it is kicked directly (its runs coalesce). Otherwise a
 * `NOTIFY analytics_dirty` goes out on its own, after the commit: at once for the first commit,
 * then at most one per {@link WAKE_NOTIFY_EVERY_MS} while commits keep coming. The marks are
 * durable in `analytics_dirty` whatever happens here; the worker's poll is the safety net.
 */
@Injectable()
export class AnalyticsWake implements OnApplicationShutdown {
  private readonly logger = new Logger(AnalyticsWake.name);
  private local: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private pending = false;
  private stopped = false;

  constructor(private readonly ds: DataSource) {}

  /** The analytics worker of this process, when there is one. */
  attach(kick: () => void): void {
    this.local = kick;
  }

  /** Call after the commit of a transaction that wrote ticket events with the wake left to the caller. */
  afterCommit(): void {
    if (this.stopped) return;
    if (this.local) {
      this.local();
      return;
    }
    if (this.timer) {
      this.pending = true;
      return;
    }
    this.notify();
  }

  private notify(): void {
    this.pending = false;
    this.ds.query(`SELECT pg_notify('analytics_dirty', '')`).catch((err: Error) => {
      if (!this.stopped) this.logger.warn(`analytics wake-up not sent (the worker's poll will find the work): ${err.message}`);
    });
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.pending && !this.stopped) this.notify();
    }, WAKE_NOTIFY_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
