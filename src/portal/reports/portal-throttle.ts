import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Redis } from 'ioredis';
import proxyaddr from 'proxy-addr';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { redisOptionsFromUrl } from '../../jobs/redis-connection.js';
import { Limiter } from '../../security/limiters.js';
import { clientKey, requestLang, TooManyRequestsException } from '../../security/throttle.js';

/**
 * Throttles guessing a case from the portal (a reference with an e-mail address or an access key):
 * each wrong pair counts against the client's address; past the limit the address is locked out,
 * doubling each time, and every lookup, reply or rating from it answers 429 with Retry-After.
 */
@Injectable()
export class PortalThrottle implements OnModuleDestroy {
  static readonly FAILURES = 10;
  static readonly WINDOW_MS = 15 * 60 * 1000;
  private readonly logger = new Logger('PortalThrottle');
  private readonly redis: Redis;
  private readonly failures: Limiter;
  private readonly trust: (addr: string, i: number) => boolean;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = new Redis({ ...redisOptionsFromUrl(config.redisUrl), enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.redis.on('error', (err: Error) => this.logger.debug(`Redis: ${err.message}`));
    this.failures = new Limiter(this.redis, config.redisPrefix, 'portal-case-address', PortalThrottle.FAILURES, PortalThrottle.WINDOW_MS, {
      baseMs: config.http.throttle.lockoutMs,
      maxMs: config.http.throttle.lockoutMaxMs,
    });
    this.trust = proxyaddr.compile(config.http.trustProxy);
  }

  private key(req: Request): string {
    return clientKey(proxyaddr(req, this.trust));
  }

  /** 429 when the client is locked out. */
  async check(req: Request, res: Response): Promise<void> {
    const v = await this.failures.peek(this.key(req));
    if (v.blockedMs > 0) throw this.tooMany(req, res, v.blockedMs);
  }

  /** Counts a wrong pair; 429 when that locks the client out. */
  async failed(req: Request, res: Response): Promise<void> {
    const v = await this.failures.hit(this.key(req));
    if (v.blockedMs > 0) throw this.tooMany(req, res, v.blockedMs);
  }

  private tooMany(req: Request, res: Response, ms: number): TooManyRequestsException {
    const seconds = Math.max(1, Math.ceil(ms / 1000));
    res.setHeader('Retry-After', String(seconds));
    return new TooManyRequestsException(seconds, requestLang(req), 'reference');
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
