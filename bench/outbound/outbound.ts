// Outbound benchmark. (1) Enqueue time of a campaign: N `message.deliver` jobs, in the form the
// application enqueues them (the job map's queue, deterministic id and default options, BullMQ
// addBulk as JobsService.enqueueMany does), against the raw ceilings of bare BullMQ and of a plain
// Redis list. (2) Send rate held under the channel's rate limit: queued replies to distinct
// Telegram chats, sent by the application's outbound worker to the Telegram stand-in on loopback.
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DEFAULT_JOB_OPTIONS, JOB_IDS, JOB_QUEUES, type JobPayloads } from '../../src/jobs/jobs.js';
import { TELEGRAM_PER_BOT_PER_SECOND } from '../../src/channels/telegram/telegram.adapter.js';
import { TelegramStandin } from '../../test/channels/support/telegram-standin.js';
import { clearRedisPrefix, createTestDatabase } from '../../test/support/harness.js';
import { REDIS_URL, TEST_PASSWORD } from '../../test/support/env.js';
import { loadAverage, pool, sleep, startBenchApp } from '../support.js';

const BATCH = 1_000;

async function redisUsedBytes(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? NaN);
}

export interface EnqueueFigures {
  label: string;
  jobs: number;
  seconds: number;
  perSecond: number;
  redisMiB: number;
}

async function timedEnqueue(
  label: string,
  n: number,
  redis: Redis,
  fn: (from: number, to: number) => Promise<unknown>,
  cleanup: () => Promise<void>,
): Promise<EnqueueFigures> {
  const before = await redisUsedBytes(redis);
  const t0 = performance.now();
  await pool(Math.ceil(n / BATCH), 4, async (b) => {
    await fn(b * BATCH, Math.min(n, (b + 1) * BATCH));
  });
  const ms = performance.now() - t0;
  const after = await redisUsedBytes(redis);
  await cleanup();
  return {
    label,
    jobs: n,
    seconds: Math.round(ms) / 1000,
    perSecond: Math.round(n / (ms / 1000)),
    redisMiB: Math.round((after - before) / 1024 / 1024),
  };
}

export async function enqueueCampaign(n: number): Promise<EnqueueFigures[]> {
  const connection = { host: '127.0.0.1', port: Number(new URL(REDIS_URL).port || 6379) };
  const redis = new Redis(connection);
  const payload = (i: number): JobPayloads['message.deliver'] => ({ messageId: String(10_000_000 + i), comuneId: 1, channel: 'telegram' });
  const out: EnqueueFigures[] = [];
  try {
    const listKey = `bench-out-list-${randomBytes(3).toString('hex')}`;
    out.push(
      await timedEnqueue(
        'raw Redis list (RPUSH, pipelined)',
        n,
        redis,
        async (from, to) => {
          const p = redis.pipeline();
          for (let i = from; i < to; i++) p.rpush(listKey, JSON.stringify(payload(i)));
          await p.exec();
        },
        async () => {
          await redis.del(listKey);
        },
      ),
    );

    const rawPrefix = `bench-out-raw-${randomBytes(3).toString('hex')}`;
    const raw = new Queue('outbound-telegram', { connection, prefix: rawPrefix });
    out.push(
      await timedEnqueue(
        'raw BullMQ addBulk (no id, no options)',
        n,
        redis,
        async (from, to) => {
          await raw.addBulk(Array.from({ length: to - from }, (_, k) => ({ name: 'message.deliver', data: payload(from + k) })));
        },
        async () => {
          await raw.close();
          await clearRedisPrefix(REDIS_URL, rawPrefix);
        },
      ),
    );

    // As JobsService.enqueueMany: queue and id from the job map, the platform's default options.
    const appPrefix = `bench-out-app-${randomBytes(3).toString('hex')}`;
    const queueName = JOB_QUEUES['message.deliver'](payload(0));
    const app = new Queue(queueName, { connection, prefix: appPrefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
    out.push(
      await timedEnqueue(
        `Sportello message.deliver jobs (${queueName}, id + retry options)`,
        n,
        redis,
        async (from, to) => {
          await app.addBulk(
            Array.from({ length: to - from }, (_, k) => {
              const p = payload(from + k);
              return { name: 'message.deliver', data: p, opts: { jobId: JOB_IDS['message.deliver'](p) } };
            }),
          );
        },
        async () => {
          await app.close();
          await clearRedisPrefix(REDIS_URL, appPrefix);
        },
      ),
    );
  } finally {
    redis.disconnect();
  }
  return out;
}

export interface SendFigures {
  bots: number;
  messages: number;
  sent: number;
  seconds: number;
  perSecond: number;
  configuredPerBot: number;
  steadyPerSecond: number;
}

/** K queued replies to distinct chats of `bots` Telegram accounts, delivered by the app's worker to the stand-in. */
export async function sendRate(k: number, bots: number): Promise<SendFigures> {
  // One Telegram stand-in per bot (a stand-in knows one token), behind one API root that routes by token.
  const tokens = Array.from({ length: bots }, (_, i) => `${7000001 + i}:bench-token-AAAAAAAAAAAAAAAAAAAAAAAAAAA${i}`);
  const standins = await Promise.all(tokens.map((t) => new TelegramStandin(t).start()));
  const root = await tokenRouter(
    tokens,
    standins.map((s) => s.url),
  );
  const db = await createTestDatabase();
  const prefix = `bench-send-${randomBytes(3).toString('hex')}`;
  const app = await startBenchApp(db.url, prefix, {
    TELEGRAM_API_ROOT: root.url,
    PUBLIC_BASE_URL: 'https://sportello.example.it',
    STAGE_TIMING: 'false',
  });
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const slugs: string[] = (await c.query(`SELECT slug FROM comuni ORDER BY id LIMIT $1`, [bots])).rows.map((r) => r.slug);
    const accounts: number[] = [];
    for (const [b, slug] of slugs.entries()) {
      const token = tokens[b];
      const login = await fetch(`${app.base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `manager@${slug}.demo`, password: TEST_PASSWORD }),
      });
      const { accessToken } = (await login.json()) as { accessToken: string };
      const r = await fetch(`${app.base}/api/channel-accounts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({
          channel: 'telegram',
          label: `Bench bot ${slug}`,
          config: { botUsername: 'urp_bari_test_bot' },
          secrets: { botToken: token, webhookSecret: `bench-secret-${slug}-0123456789` },
        }),
      });
      if (r.status !== 201) throw new Error(`channel account for ${slug}: ${r.status} ${await r.text()}`);
      accounts.push(((await r.json()) as { id: number }).id);
    }
    // The recipients: one citizen, chat and (closed) ticket each, with the campaign text queued on it.
    const ids: Array<{ id: string; comune_id: number }> = (
      await c.query(
        `
      WITH acc AS (SELECT a.id, a.comune_id, row_number() OVER (ORDER BY a.id) - 1 AS n FROM channel_accounts a WHERE a.id = ANY($2::int[])),
      r AS (SELECT g, acc.id AS account_id, acc.comune_id FROM generate_series(0, $1 - 1) g JOIN acc ON acc.n = g % $3),
      cit AS (INSERT INTO citizens (display_name) SELECT 'bench ' || g FROM r RETURNING id, display_name),
      idt AS (INSERT INTO citizen_identities (citizen_id, channel, address)
              SELECT cit.id, 'telegram', r.account_id || ':' || (800000000 + r.g) FROM cit JOIN r ON cit.display_name = 'bench ' || r.g
              RETURNING id, citizen_id, address),
      lk AS (INSERT INTO citizen_identity_comuni (comune_id, identity_id)
             SELECT r.comune_id, idt.id FROM idt JOIN r ON idt.address = r.account_id || ':' || (800000000 + r.g)),
      tk AS (INSERT INTO tickets (comune_id, reference, type, channel, citizen_id, citizen_identity_id, status, queue_state)
             SELECT r.comune_id, 'BENCH-' || r.g, 'request', 'telegram', idt.citizen_id, idt.id, 'closed', 'done'
               FROM idt JOIN r ON idt.address = r.account_id || ':' || (800000000 + r.g) RETURNING id, comune_id)
      INSERT INTO messages (ticket_id, comune_id, direction, author_type, text, channel, delivery_status)
      SELECT id, comune_id, 'outbound', 'system', 'Avviso: interruzione idrica programmata domani 8-12.', 'telegram', 'queued' FROM tk
      RETURNING id, comune_id`,
        [k, accounts, bots],
      )
    ).rows;
    const queue = new Queue('outbound-telegram', {
      connection: { host: '127.0.0.1', port: Number(new URL(REDIS_URL).port || 6379) },
      prefix,
      defaultJobOptions: DEFAULT_JOB_OPTIONS,
    });
    const sendsBefore = standins.map((s) => s.method('sendMessage').length);
    const t0 = Date.now();
    for (let i = 0; i < ids.length; i += BATCH) {
      await queue.addBulk(
        ids.slice(i, i + BATCH).map((m) => {
          const p = { messageId: String(m.id), comuneId: m.comune_id, channel: 'telegram' };
          return { name: 'message.deliver', data: p, opts: { jobId: JOB_IDS['message.deliver'](p) } };
        }),
      );
    }
    const deadline = Date.now() + (k / TELEGRAM_PER_BOT_PER_SECOND) * 1000 * 3 + 30_000;
    let sent = 0;
    while (Date.now() < deadline) {
      sent = (
        await c.query(`SELECT count(*)::int AS n FROM messages WHERE id = ANY($1::bigint[]) AND delivery_status = 'sent'`, [
          ids.map((m) => m.id),
        ])
      ).rows[0].n;
      if (sent === k) break;
      await sleep(500);
    }
    await queue.close();
    const calls = standins
      .flatMap((s, b) => s.method('sendMessage').slice(sendsBefore[b]))
      .map((r) => r.at)
      .sort((a, b) => a - b);
    const seconds = (calls[calls.length - 1] - t0) / 1000;
    // Steady rate: the calls between the first and the last second, without the start-up.
    const steady = calls.filter((at) => at >= calls[0] + 1000 && at < calls[calls.length - 1] - 1000);
    // Under 3 s the limiter's one-second windows dominate (a burst at a window's edge): no steady figure.
    const steadyPerSecond =
      steady.length > 1 && steady[steady.length - 1] - steady[0] >= 3000
        ? Math.round(((steady.length - 1) / ((steady[steady.length - 1] - steady[0]) / 1000)) * 10) / 10
        : NaN;
    return {
      bots,
      messages: k,
      sent,
      seconds: Math.round(seconds * 10) / 10,
      perSecond: Math.round((calls.length / seconds) * 10) / 10,
      configuredPerBot: TELEGRAM_PER_BOT_PER_SECOND,
      steadyPerSecond,
    };
  } finally {
    await c.end();
    await app.stop();
    await Promise.all(standins.map((s) => s.stop()));
    root.close();
    await clearRedisPrefix(REDIS_URL, prefix);
    await db.drop();
  }
}

/** A loopback HTTP router: /bot<token>/… and /file/bot<token>/… go to that token's stand-in. */
async function tokenRouter(tokens: string[], targets: string[]): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    const i = tokens.findIndex((t) => req.url?.includes(`/bot${t}/`));
    const target = new URL(req.url ?? '/', targets[Math.max(0, i)]);
    const fwd = httpRequest(target, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    fwd.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(fwd);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

export async function runOutboundBenchmark(quick: boolean): Promise<{ enqueue: EnqueueFigures[]; send: SendFigures }> {
  const n = Number(process.env.BENCH_CAMPAIGN ?? (quick ? 20_000 : 500_000));
  const k = Number(process.env.BENCH_SENDS ?? (quick ? 90 : 900));
  const bots = 2;
  console.log(
    `  campaign of ${n} recipients; then ${k} sends through ${bots} Telegram bots (limit ${TELEGRAM_PER_BOT_PER_SECOND}/s per bot); load average before: ${loadAverage()}`,
  );
  const enqueue = await enqueueCampaign(n);
  for (const e of enqueue) console.log(`  ${e.label.padEnd(62)} ${e.seconds} s  ${e.perSecond} jobs/s  Redis +${e.redisMiB} MiB`);
  const app = enqueue[enqueue.length - 1];
  console.log(
    `  ratio to bare BullMQ ${Math.round((app.perSecond / enqueue[1].perSecond) * 100) / 100}, to a plain Redis list ${Math.round((app.perSecond / enqueue[0].perSecond) * 100) / 100}`,
  );
  const send = await sendRate(k, bots);
  console.log(
    `  sent ${send.sent}/${send.messages} in ${send.seconds} s: ${send.perSecond}/s overall, ${Number.isNaN(send.steadyPerSecond) ? 'no steady rate (under 3 s of sending)' : `${send.steadyPerSecond}/s steady`}; configured ${send.configuredPerBot}/s per bot × ${send.bots} bots = ${send.configuredPerBot * send.bots}/s; load average after: ${loadAverage()}`,
  );
  return { enqueue, send };
}
