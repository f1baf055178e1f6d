import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { redisOptionsFromUrl } from '../jobs/redis-connection.js';

/** What a limiter says about a key: refused for `blockedMs` more, or let through. */
export interface Verdict {
  blockedMs: number;
}

/**
 * One named limit per key (an address, an account), counted in Redis by rate-limiter-flexible so every
 * API process of an installation shares it, under the instance's REDIS_PREFIX. When Redis cannot be
 * reached each process falls back to its own memory counters (the library's insurance limiter):
 * throttling goes on, per process.
 */
export class Limiter {
  private readonly counter: RateLimiterRedis;
  private readonly lockouts?: RateLimiterRedis;

  /**
   * @param points     hits allowed per window
   * @param windowMs   window of the count
   * @param lockout    for failure counters: the limit-th hit locks the key for `baseMs`, doubling with
   *                   each further lockout within a day, up to `maxMs`. Without it, hits past the
   *                   limit are refused until the window ends.
   */
  constructor(
    redis: Redis,
    prefix: string,
    readonly name: string,
    readonly points: number,
    windowMs: number,
    private readonly lockout?: { baseMs: number; maxMs: number },
  ) {
    const duration = Math.max(1, Math.ceil(windowMs / 1000));
    const keyPrefix = `${prefix}:throttle:${name}`;
    this.counter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix,
      points,
      duration,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }),
    });
    if (lockout) {
      const day = 24 * 3600;
      this.lockouts = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${keyPrefix}:lockouts`,
        points: 1_000_000,
        duration: day,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${keyPrefix}:lockouts`, points: 1_000_000, duration: day }),
      });
    }
  }

  /** Whether the key is refused now, without counting. */
  async peek(key: string): Promise<Verdict & { hits: number; resetMs: number }> {
    const res = await this.counter.get(key).catch(() => null);
    if (!res) return { blockedMs: 0, hits: 0, resetMs: 0 };
    const blocked = this.lockout ? res.consumedPoints > this.points : res.consumedPoints >= this.points;
    return { blockedMs: blocked ? Math.max(1, res.msBeforeNext) : 0, hits: res.consumedPoints, resetMs: res.msBeforeNext };
  }

  /** Counts one hit; refused when past the limit (or, with a lockout, locks the key at the limit). */
  async hit(key: string): Promise<Verdict> {
    if (!this.lockout) {
      try {
        await this.counter.consume(key);
        return { blockedMs: 0 };
      } catch (res) {
        if (res instanceof RateLimiterRes) return { blockedMs: Math.max(1, res.msBeforeNext) };
        throw res;
      }
    }
    const res = await this.counter.penalty(key, 1);
    if (res.consumedPoints < this.points) return { blockedMs: 0 };
    const n = (await this.lockouts!.penalty(key, 1)).consumedPoints;
    const ms = Math.min(this.lockout.baseMs * 2 ** (n - 1), Math.max(this.lockout.maxMs, this.lockout.baseMs));
    await this.counter.block(key, Math.ceil(ms / 1000));
    return { blockedMs: ms };
  }

  /** Forgets the key (an account that logged in correctly). */
  async reset(key: string): Promise<void> {
    await Promise.all([this.counter.delete(key), this.lockouts?.delete(key)]).catch(() => undefined);
  }
}

/** The installation's limits (configuration: AppConfig.http.throttle), over one Redis connection. */
@Injectable()
export class Limiters implements OnModuleDestroy {
  private readonly logger = new Logger('Throttle');
  private readonly redis: Redis;
  readonly loginAccount: Limiter;
  readonly loginAddress: Limiter;
  readonly apiKeyAddress: Limiter;
  readonly webchatSessions: Limiter;
  readonly webchatTickets: Limiter;
  readonly webchatRest: Limiter;
  /** The portal's e-mail login codes asked, per client address and per e-mail address (src/portal/identity). */
  readonly portalCodesAddress: Limiter;
  readonly portalCodesEmail: Limiter;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    // The library's advice for ioredis: no offline queue, so an outage falls back at once.
    this.redis = new Redis({ ...redisOptionsFromUrl(config.redisUrl), enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.redis.on('error', (err: Error) => this.logger.debug(`Redis: ${err.message}`));
    const t = config.http.throttle;
    const lockout = { baseMs: t.lockoutMs, maxMs: t.lockoutMaxMs };
    const p = config.redisPrefix;
    this.loginAccount = new Limiter(this.redis, p, 'login-account', t.loginFailuresPerAccount, t.failureWindowMs, lockout);
    this.loginAddress = new Limiter(this.redis, p, 'login-address', t.loginFailuresPerAddress, t.failureWindowMs, lockout);
    this.apiKeyAddress = new Limiter(this.redis, p, 'apikey-address', t.apiKeyFailuresPerAddress, t.failureWindowMs, lockout);
    this.webchatSessions = new Limiter(this.redis, p, 'webchat-session', t.webchatSessionsPerAddress, t.webchatWindowMs);
    this.webchatTickets = new Limiter(this.redis, p, 'webchat-ticket', t.webchatTicketsPerAddress, t.webchatWindowMs);
    // The widget's REST side (leave a message out of hours, send a photo): a few per session allowed.
    this.webchatRest = new Limiter(this.redis, p, 'webchat-rest', t.webchatSessionsPerAddress * 3, t.webchatWindowMs);
    const portal = config.portal;
    this.portalCodesAddress = new Limiter(this.redis, p, 'portal-code-address', portal.emailCodesPerAddress, portal.emailCodeWindowMs);
    this.portalCodesEmail = new Limiter(this.redis, p, 'portal-code-email', portal.emailCodesPerEmail, portal.emailCodeWindowMs);
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
