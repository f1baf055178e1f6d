import {
  Controller,
  Get,
  Header,
  HttpStatus,
  Inject,
  Req,
  Res,
  UnauthorizedException,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { metricsAllowed } from './ops-access.js';
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
    return await Promise.race([
      p,
      new Promise<T>((_, rej) => {
        t = setTimeout(() => rej(new Error(`no answer in ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    if (t) clearTimeout(t);
  }
}

@ApiTags('operations')
@Public()
@Controller()
export class HealthController implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly redis: Redis;
  private metricsServer?: Server;

  constructor(
    private readonly ds: DataSource,
    private readonly jobs: JobsService,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.redis = new Redis({
      ...redisOptionsFromUrl(config.redisUrl),
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    this.redis.on('error', () => undefined);
  }

  /** METRICS_PORT: /metrics on a port of its own (not published outside the private network), without auth. */
  onApplicationBootstrap(): void {
    if (!this.config.http.metricsPort) return;
    this.metricsServer = createServer((req, res) => {
      if (req.url !== '/metrics') return void res.writeHead(404).end();
      this.render().then(
        (text) => res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(text),
        () => res.writeHead(500).end(),
      );
    }).listen(this.config.http.metricsPort);
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
    this.metricsServer?.close();
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
      try {
        await timed(fn(), 2000);
        return 'up';
      } catch (err) {
        return `down: ${(err as Error).message}`;
      }
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
  async scrape(@Req() req: Request): Promise<string> {
    if (!metricsAllowed(req, this.config)) {
      throw new UnauthorizedException(
        this.config.http.metricsPort
          ? `metrics are served on port ${this.config.http.metricsPort}`
          : 'metrics need the METRICS_TOKEN as a Bearer token',
      );
    }
    return this.render();
  }

  private async render(): Promise<string> {
    await Promise.all(
      this.jobs.registeredQueues().map(async (q) => {
        try {
          const counts = await timed(q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'), 1000);
          for (const [state, n] of Object.entries(counts)) this.metrics.queueDepth.set({ queue: q.name, state }, n);
        } catch {
          /* Redis down: the gauges keep their last value, readiness says why */
        }
      }),
    );
    return this.metrics.registry.metrics();
  }
}
