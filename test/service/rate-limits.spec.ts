import { randomBytes } from 'node:crypto';
import { ChannelRateLimiter } from '../../src/channels/support/rate-limiter.js';
import { loadConfig } from '../../src/config/config.js';
import { clearRedisPrefix } from '../support/harness.js';
import { REDIS_URL } from '../support/env.js';

/**
 * The providers' limits (Telegram: 30/s per bot and 1/s per chat; WhatsApp: 80/s per number) are
 * kept by reservations in Redis shared by every worker, per account — not by one queue-wide limit.
 */
describe('per-account send rate limits in Redis', () => {
  const prefix = `test-rl-${randomBytes(4).toString('hex')}`;
  const config = loadConfig({ NODE_ENV: 'test', REDIS_URL, REDIS_PREFIX: prefix });
  // Two limiters stand for two worker processes sharing the schedule.
  const a = new ChannelRateLimiter(config);
  const b = new ChannelRateLimiter(config);
  afterAll(async () => {
    await a.onApplicationShutdown();
    await b.onApplicationShutdown();
    await clearRedisPrefix(REDIS_URL, prefix);
  });

  it('spaces sends to one chat by its interval, across workers, while other chats go at once', async () => {
    const start = Date.now();
    const chat = (n: number) => [
      { key: 'telegram:bot:1', perSecond: 30 },
      { key: `telegram:chat:1:${n}`, perSecond: 4 },
    ];
    const sameChat = await Promise.all([a.acquire(chat(1)), b.acquire(chat(1)), a.acquire(chat(1)), b.acquire(chat(1))]);
    const elapsed = Date.now() - start;
    // 4 per second on one chat: the 4 sends are scheduled 0, 250, 500, 750 ms from the first.
    expect([...sameChat].sort((x, y) => x - y).map((w) => Math.round(w / 250))).toEqual([0, 1, 2, 3]);
    expect(elapsed).toBeGreaterThanOrEqual(700);

    const t0 = Date.now();
    const otherChats = await Promise.all([2, 3, 4, 5].map((n) => a.acquire(chat(n))));
    // Different chats of the same bot only keep the bot's 30/s: a few tens of ms apart at most.
    expect(Math.max(...otherChats)).toBeLessThan(200);
    expect(Date.now() - t0).toBeLessThan(500);
  });

  it('keeps accounts independent: two numbers send side by side at their own rate', async () => {
    const waits = await Promise.all([
      ...Array.from({ length: 3 }, () => a.acquire([{ key: 'whatsapp:number:A', perSecond: 10 }])),
      ...Array.from({ length: 3 }, () => b.acquire([{ key: 'whatsapp:number:B', perSecond: 10 }])),
    ]);
    const [na, nb] = [waits.slice(0, 3).sort((x, y) => x - y), waits.slice(3).sort((x, y) => x - y)];
    expect(na.map((w) => Math.round(w / 100))).toEqual([0, 1, 2]);
    expect(nb.map((w) => Math.round(w / 100))).toEqual([0, 1, 2]);
  });

  it('refuses to wait longer than allowed, so the job is retried later instead of holding a worker', async () => {
    await a.hold('telegram:bot:9', 5_000);
    await expect(a.acquire([{ key: 'telegram:bot:9', perSecond: 30 }], 1_000)).rejects.toThrow(/rate limit: next slot in \d+ ms/);
  });
});
