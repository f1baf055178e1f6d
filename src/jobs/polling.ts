import type { Logger } from '@nestjs/common';

/**
 * Work a worker does on a timer rather than from a queue (a scan of the event log for notices to
 * send): one pass at a time per process — a call made while a pass runs shares it — repeated every
 * `everyMs` after the previous pass ends, until stopped. A failed pass is logged and the next one
 * comes on time.
 */
export class PollingPass {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<number> | null = null;

  constructor(
    /** What the log calls it: "<name> failed: …". */
    private readonly name: string,
    /** One pass, run in whatever scope the caller sets (see `run`); returns how much it did. */
    private readonly pass: () => Promise<number>,
    private readonly everyMs: number,
    private readonly logger: Logger,
  ) {}

  /** Starts the timer; each tick calls `tick` (the owner's scoped entry point, which calls `run`). */
  start(tick: () => Promise<number>): void {
    const loop = async () => {
      if (this.stopped) return;
      await tick().catch((err) => this.logger.warn(`${this.name} failed: ${(err as Error).message}`));
      if (this.stopped) return;
      this.timer = setTimeout(() => void loop(), this.everyMs);
      this.timer.unref();
    };
    this.timer = setTimeout(() => void loop(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** One pass now; concurrent calls share the pass that is running. */
  run(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }
}
