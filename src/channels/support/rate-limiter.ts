import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { redisOptionsFromUrl } from '../../jobs/redis-connection.js';
import { TransientDeliveryError } from '../channel-adapter.js';

/**
 * Providers limit sends per sender and per chat (Telegram: 30/s per bot and 1/s per chat;
 * WhatsApp: 80/s per number). A BullMQ limiter is per queue, shared by every comune's account,
 * so each send also reserves a slot in Redis for each of its keys: the reservation says when the
 * send may go, and several workers on several machines share the schedule.
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
for i, key in ipairs(KEYS) do
  local tat = tonumber(redis.call('GET', key) or '0')
  if tat < now then tat = now end
  if tat - now > wait then wait = tat - now end
end
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[i])
  local slot = now + wait
  local tat = tonumber(redis.call('GET', key) or '0')
  if tat < slot then tat = slot end
  redis.call('SET', key, tat + interval, 'PX', tat + interval - now + 1000)
end
return wait
`;

const HOLD = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ = now + tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < until_ then redis.call('SET', KEYS[1], until_, 'PX', tonumber(ARGV[1]) + 1000) end
return 0
`;

export interface RateLimit {
  key: string;
  perSecond: number;
}

@Injectable()
export class ChannelRateLimiter implements OnApplicationShutdown {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = new Redis({
      ...redisOptionsFromUrl(config.redisUrl),
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
    });
    this.redis.on('error', () => undefined);
    this.prefix = `${config.redisPrefix}:ratelimit:`;
  }

  /**
   * Waits for this send's turn under every limit. A turn further away than `maxWaitMs` is not
   * waited for in the worker: the job is retried later instead (its slot is given up).
   */
  async acquire(limits: RateLimit[], maxWaitMs = 10_000): Promise<number> {
    if (limits.length === 0) return 0;
    const keys = limits.map((l) => this.prefix + l.key);
    const intervals = limits.map((l) => String(Math.max(1, Math.round(1000 / l.perSecond))));
    let wait: number;
    try {
      wait = Number(await this.redis.eval(RESERVE, keys.length, ...keys, ...intervals));
    } catch (err) {
      throw new TransientDeliveryError(`rate limiter unavailable: ${(err as Error).message}`);
    }
    if (wait > maxWaitMs) throw new TransientDeliveryError(`rate limit: next slot in ${wait} ms`, wait);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    return wait;
  }

  /** A provider said "wait": no slot for this key is given before `ms` from now. */
  async hold(key: string, ms: number): Promise<void> {
    await this.redis.eval(HOLD, 1, this.prefix + key, String(Math.round(ms)));
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}
