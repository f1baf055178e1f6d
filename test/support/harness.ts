import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import request from 'supertest';
import type { DynamicModule } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { getQueueToken } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { outboundQueueName } from '../../src/jobs/jobs.js';
import type { TenantScope } from '../../src/common/tenant-scope.js';
import { runInScope } from '../../src/tenancy/db-scope.js';
import { loadConfig, type AppConfig } from '../../src/config/config.js';
import { createApp } from '../../src/bootstrap.js';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { runMigrations, dataSourceOptions } from '../../src/database/data-source.js';
import { importComuni } from '../../src/comuni/comuni-import.js';
import { seedDemo } from '../../src/cli/demo-seed.js';
import { adminUrl, databaseUrl, REDIS_URL, SHARED_GEOJSON, TEMPLATE_DB, TEST_PASSWORD } from './env.js';

export { TEST_PASSWORD };

/**
 * The template database is built once per version of the schema and seed code (migrations, the
 * 41 comuni from ../shared/data, demo accounts) and named after that version, so test runs of
 * different checkouts never rebuild each other's template. Each test file then gets its own copy
 * with CREATE DATABASE … TEMPLATE. Parallel runs wait on an advisory lock while it is built.
 */
let templateReady: Promise<string> | undefined;

async function buildTemplate(): Promise<string> {
  const hash = createHash('sha256');
  for (const dir of ['src/database', 'src/database/migrations', 'src/comuni', 'src/conversations/sql']) {
    for (const f of readdirSync(dir)
      .filter((f) => f.endsWith('.ts') || f.endsWith('.sql'))
      .sort())
      hash.update(readFileSync(join(dir, f)));
  }
  hash.update(readFileSync(SHARED_GEOJSON));
  const fingerprint = hash.digest('hex').slice(0, 12);
  const template = `${TEMPLATE_DB}_${fingerprint}`;

  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`SELECT pg_advisory_lock(4242)`);
    const rows = await admin.query(`SELECT shobj_description(oid, 'pg_database') AS note FROM pg_database WHERE datname = $1`, [template]);
    if (rows.rows[0]?.note === 'complete') return template;
    // Absent, or left half-built by a run that was killed: build it.
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${template}`);
    await runMigrations(databaseUrl(template));
    const ds = new DataSource(dataSourceOptions(databaseUrl(template)));
    await ds.initialize();
    await importComuni(ds, SHARED_GEOJSON);
    await seedDemo(ds, TEST_PASSWORD);
    await ds.destroy();
    await admin.query(`COMMENT ON DATABASE ${template} IS 'complete'`);
    return template;
  } finally {
    await admin.query(`SELECT pg_advisory_unlock(4242)`).catch(() => undefined);
    await admin.end();
  }
}

/** A fresh database copied from the migrated, seeded template: one per test file. */
export async function createTestDatabase(): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  templateReady ??= buildTemplate();
  const template = await templateReady;
  const name = `sportello_test_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    // Copying a template fails while another session is connected to it (a parallel run building
    // or copying it): wait and retry rather than fail the test file.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
        break;
      } catch (err) {
        if (!/being accessed by other users/.test((err as Error).message) || attempt >= 40) throw err;
        await new Promise((r) => setTimeout(r, 250 + Math.random() * 250));
      }
    }
  } finally {
    await admin.end();
  }
  return {
    name,
    url: databaseUrl(name),
    drop: async () => {
      const a = new pg.Client({ connectionString: adminUrl() });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await a.end();
    },
  };
}

export interface TestApp {
  app: NestExpressApplication;
  url: string;
  config: AppConfig;
  /**
   * The database as its owner sees it (row-level security does not apply): for tests that look
   * behind the application's back. The application itself connects as sportello_app.
   */
  ds: DataSource;
  http: ReturnType<typeof request>;
  close: () => Promise<void>;
}

/** Boots the real application (API + workers by default) on a random port, against real PostgreSQL and Redis. */
export async function startApp(
  env: Record<string, string> = {},
  db?: { url: string; drop: () => Promise<void> },
  /** More feature modules for this app only (a test-only case type). */
  modules: DynamicModule[] = [],
): Promise<TestApp> {
  const database = db ?? (await createTestDatabase());
  const storage = mkdtempSync(join(tmpdir(), 'sportello-storage-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    REDIS_URL,
    REDIS_PREFIX: `test-${randomBytes(5).toString('hex')}`,
    PORT: '0',
    OUTBOX_POLL_MS: '200',
    SWEEP_INTERVAL_MS: '1000',
    PRESENCE_GRACE_MS: '300',
    STORAGE_DIR: storage,
    COMUNI_GEOJSON: SHARED_GEOJSON,
    LOG_LEVEL: 'silent',
    ...env,
  });
  let app;
  try {
    app = await createApp(config, { logger: false, modules });
    // PORT=0 (the default here): a random port; a test whose browser must come back to a known
    // address (an identity provider's redirect URI) passes a port it reserved.
    await app.listen(config.port, '127.0.0.1');
  } catch (err) {
    // A refused start (a test of the boot checks) leaves nothing running behind it.
    await app?.close().catch(() => undefined);
    if (!db) await database.drop();
    await clearRedisPrefix(config.redisUrl, config.redisPrefix);
    rmSync(storage, { recursive: true, force: true });
    throw err;
  }
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const ds = await new DataSource(dataSourceOptions(database.url)).initialize();
  return {
    app,
    url,
    config,
    ds,
    http: request(url),
    close: async () => {
      await app.close();
      await ds.destroy();
      if (!db) await database.drop();
      await clearRedisPrefix(config.redisUrl, config.redisPrefix);
      rmSync(storage, { recursive: true, force: true });
    },
  };
}

export async function clearRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const r = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } catch {
    /* Redis may be the one a test stopped */
  } finally {
    r.disconnect();
  }
}

export async function login(t: TestApp, email: string, password = TEST_PASSWORD): Promise<string> {
  const res = await t.http.post('/api/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken;
}

/** Resolves with the first event of that name (optionally matching), or rejects after `ms`. */
export function nextEvent<T = any>(socket: Socket, event: string, match: (p: T) => boolean = () => true, ms = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, handler);
      reject(new Error(`no "${event}" within ${ms} ms`));
    }, ms);
    timer.unref();
    const handler = (p: T) => {
      if (!match(p)) return;
      clearTimeout(timer);
      socket.off(event, handler);
      resolve(p);
    };
    socket.on(event, handler);
  });
}

/** Collects every event of a name, to assert later that something did NOT arrive. */
export function collect<T = any>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (p: T) => seen.push(p));
  return seen;
}

export async function connectAgent(t: TestApp, token: string, presence: 'online' | 'away' | 'offline' = 'online'): Promise<Socket> {
  const s = io(`${t.url}/agent`, { auth: { token, presence }, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', (e) => reject(e));
  });
  return s;
}

export async function connectCitizen(
  t: TestApp,
  tenant: string,
  sessionToken?: string,
): Promise<{ socket: Socket; sessionToken: string; history: any }> {
  const s = io(`${t.url}/webchat`, { auth: { tenant, sessionToken }, transports: ['websocket'], reconnection: false, forceNew: true });
  const session = nextEvent<{ sessionToken: string }>(s, 'session');
  const history = nextEvent(s, 'history');
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', (e) => reject(e));
    });
  } catch (err) {
    session.catch(() => undefined);
    history.catch(() => undefined);
    s.disconnect();
    throw err;
  }
  // Both events are awaited; if the first never comes, the second's rejection must not outlive this call.
  const [first, second] = await Promise.allSettled([session, history]);
  if (first.status === 'rejected' || second.status === 'rejected') {
    s.disconnect();
    throw first.status === 'rejected' ? first.reason : (second as PromiseRejectedResult).reason;
  }
  return { socket: s, sessionToken: first.value.sessionToken, history: second.value };
}

export function citizenSays(socket: Socket, text: string, clientMessageId?: string): Promise<any> {
  return socket.timeout(5000).emitWithAck('message', { text, clientMessageId });
}

/** Waits until `check` returns a truthy value, polling; for states reached through queues. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, ms = 8000, what = 'condition'): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A service of the running application whose methods run in `scope`, as the application's own
 * callers do (a request, a job, a channel handler): the database shows them that scope's rows only.
 */
export function inScope<T extends object>(scope: TenantScope, service: T): T {
  return new Proxy(service, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? (...args: unknown[]) => runInScope(scope, () => value.apply(target, args)) : value;
    },
  });
}

/**
 * The outbound delivery job of a message once BullMQ holds it as failed — final: a job that was
 * going to be retried would be delayed instead. Callers check how many attempts it made.
 */
export async function failedDeliveryJob(t: TestApp, channel: string, messageId: string): Promise<Job> {
  const queue = t.app.get<Queue>(getQueueToken(outboundQueueName(channel)));
  return eventually(
    async () => {
      const job = await queue.getJob(`deliver-${messageId}`);
      return job && (await job.getState()) === 'failed' ? job : null;
    },
    5000,
    `delivery job of message ${messageId} failed`,
  );
}
