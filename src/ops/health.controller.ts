import { Controller, Get, Header, HttpStatus, Inject, Res, type OnApplicationShutdown } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.guard.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { redisOptionsFromUrl } from '../jobs/redis-connection.js';
import { Metrics } from './metrics.js';

async function timed<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((_, rej) => { t = setTimeout(() => rej(new Error(`no answer in ${ms} ms`)), ms); })]);
  } finally {
    if (t) clearTimeout(t);
  }
}

@ApiTags('operations')
@Public()
@Controller()
export class HealthController implements OnApplicationShutdown {
  private readonly redis: Redis;

  constructor(
    private readonly ds: DataSource,
    private readonly jobs: JobsService,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.redis = new Redis({ ...redisOptionsFromUrl(config.redisUrl), lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    this.redis.on('error', () => undefined);
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }

  /** Liveness: the process answers. */
  @Get('health')
  health() {
    return { status: 'ok', role: this.config.role };
  }

  /** Readiness: PostgreSQL and Redis answer; 503 otherwise, naming what is down. */
  @Get('health/ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    const check = async (fn: () => Promise<unknown>) => {
      try { await timed(fn(), 2000); return 'up'; } catch (err) { return `down: ${(err as Error).message}`; }
    };
    const [postgres, redis] = await Promise.all([
      check(() => this.ds.query('SELECT 1')),
      check(async () => {
        if (this.redis.status === 'wait' || this.redis.status === 'end') await this.redis.connect().catch(() => undefined);
        return this.redis.ping();
      }),
    ]);
    const ok = postgres === 'up' && redis === 'up';
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ok ? 'ready' : 'unavailable', postgres, redis };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async scrape(): Promise<string> {
    await Promise.all(this.jobs.registeredQueues().map(async (q) => {
      try {
        const counts = await timed(q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'), 1000);
        for (const [state, n] of Object.entries(counts)) this.metrics.queueDepth.set({ queue: q.name, state }, n);
      } catch { /* Redis down: the gauges keep their last value, readiness says why */ }
    }));
    return this.metrics.registry.metrics();
  }
}
