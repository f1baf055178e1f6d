// Ingest benchmark: the raw ceiling of the parts (plain pg transaction with the same inserts, plain
// BullMQ add + process, plain Socket.IO emit) and the real pipeline (the app in its own process,
// app-channel HTTP in, operator's socket event out), measured in the same run on the same servers.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import pg from 'pg';
import { Queue, Worker } from 'bullmq';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { clearRedisPrefix, createTestDatabase } from '../../test/support/harness.js';
import { REDIS_URL, SHARED_GEOJSON, TEST_PASSWORD } from '../../test/support/env.js';

export interface Figures { messages: number; seconds: number; perSecond: number; p50: number; p95: number; p99: number }

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN; };
const figures = (lat: number[], ms: number): Figures => ({
  messages: lat.length, seconds: ms / 1000, perSecond: Math.round(lat.length / (ms / 1000)),
  p50: Math.round(pct(lat, 0.5)), p95: Math.round(pct(lat, 0.95)), p99: Math.round(pct(lat, 0.99)),
});
async function pool(n: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => { while (next < n) await fn(next++); }));
}

/** The same work the pipeline does, on the bare libraries. */
export async function rawCeiling(dbUrl: string, n: number, width: number): Promise<Figures> {
  const db = new pg.Pool({ connectionString: dbUrl, max: 20 });
  const prefix = `bench-raw-${randomBytes(3).toString('hex')}`;
  const connection = { host: '127.0.0.1', port: Number(new URL(REDIS_URL).port || 6379) };
  const queue = new Queue('raw', { connection, prefix });
  const http = createServer();
  const ioServer = new Server(http);
  await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
  const client = connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'] });
  await new Promise<void>((ok) => client.once('connect', () => ok()));
  const [{ id: comune }] = (await db.query(`SELECT id FROM comuni WHERE slug = 'bari'`)).rows;
  const sentAt = new Map<string, number>();
  const lat: number[] = [];
  let done!: () => void;
  const all = new Promise<void>((ok) => { done = ok; });
  client.on('m', (id: string) => { lat.push(performance.now() - sentAt.get(id)!); if (lat.length === n) done(); });
  const worker = new Worker('raw', async (job) => {
    const c = await db.connect();
    try { await c.query(`SELECT id FROM tickets WHERE id = $1`, [job.data.ticket]); } finally { c.release(); }
    ioServer.emit('m', job.data.id);
  }, { connection, prefix, concurrency: 8 });
  const t0 = performance.now();
  await pool(n, width, async (i) => {
    const id = `raw-${i}`;
    sentAt.set(id, performance.now());
    const c = await db.connect();
    let ticket: string;
    try {
      await c.query('BEGIN');
      await c.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [id]);
      const [cit] = (await c.query(`INSERT INTO citizens (display_name) VALUES (NULL) RETURNING id`)).rows;
      const [ide] = (await c.query(`INSERT INTO citizen_identities (citizen_id, channel, address) VALUES ($1, 'bench', $2) RETURNING id`, [cit.id, id])).rows;
      const [t] = (await c.query(`INSERT INTO tickets (comune_id, reference, type, channel, citizen_id, citizen_identity_id, payload)
        VALUES ($1, $2, 'request', 'bench', $3, $4, '{}') RETURNING id`, [comune, `RAW-${prefix}-${i}`, cit.id, ide.id])).rows;
      ticket = t.id;
      await c.query(`INSERT INTO messages (ticket_id, comune_id, direction, author_type, text, channel, external_id, delivery_status)
        VALUES ($1, $2, 'inbound', 'citizen', 'x', 'bench', $3, 'received')`, [t.id, comune, id]);
      await c.query(`INSERT INTO outbox (topic, payload) VALUES ('raw', '{}')`);
      await c.query('COMMIT');
    } finally { c.release(); }
    await queue.add('m', { id, ticket }, { jobId: id, removeOnComplete: true });
  });
  await all;
  const ms = performance.now() - t0;
  await worker.close(); await queue.close(); client.disconnect(); ioServer.close(); http.close(); await db.end();
  await clearRedisPrefix(REDIS_URL, prefix);
  return figures(lat, ms);
}

/** The application in its own process, fed through the app channel; latency to the operator's socket. */
export async function pipeline(dbUrl: string, n: number, width: number): Promise<Figures> {
  const prefix = `bench-app-${randomBytes(3).toString('hex')}`;
  const port = 3900 + Math.floor(Math.random() * 80);
  const app = spawn(process.execPath, ['--import', resolve('test/fault/support/register-ts.mjs'), 'src/main.ts'], {
    env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: dbUrl, REDIS_URL, REDIS_PREFIX: prefix, PORT: String(port), LOG_LEVEL: 'warn', COMUNI_GEOJSON: SHARED_GEOJSON },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((ok, fail) => {
      app.stdout!.on('data', (d: Buffer) => { if (d.toString().includes(' listening on ')) ok(); });
      app.once('exit', (c) => fail(new Error(`app exited ${c}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'supervisore@bari.demo', password: TEST_PASSWORD }) });
    const { accessToken } = await login.json() as { accessToken: string };
    const agent = connect(`${base}/agent`, { auth: { token: accessToken, presence: 'online' }, transports: ['websocket'] });
    await new Promise<void>((ok, fail) => { agent.once('connect', () => ok()); agent.once('connect_error', fail); });
    const sentAt = new Map<string, number>();
    const lat: number[] = [];
    let done!: () => void;
    const all = new Promise<void>((ok) => { done = ok; });
    agent.on('message.created', (p: { message: { text: string } }) => {
      const t = sentAt.get(p.message.text);
      if (t === undefined) return;
      sentAt.delete(p.message.text);
      lat.push(performance.now() - t);
      if (lat.length === n) done();
    });
    const t0 = performance.now();
    let failed = 0;
    await pool(n, width, async (i) => {
      const text = `bench ${prefix} ${i}`;
      sentAt.set(text, performance.now());
      const r = await fetch(`${base}/api/app/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'demo-app-key-bari' },
        body: JSON.stringify({ messageId: `b-${i}`, citizen: { id: `bench-${i % 500}` }, text }) });
      if (r.status !== 201) failed++;
      await r.arrayBuffer();
    });
    await Promise.race([all, new Promise((r) => setTimeout(r, 30_000))]);
    const ms = performance.now() - t0;
    agent.disconnect();
    if (failed) console.warn(`  ${failed} requests were not answered 201`);
    return figures(lat, ms);
  } finally {
    app.kill('SIGTERM');
    await clearRedisPrefix(REDIS_URL, prefix);
  }
}

export async function runIngestBenchmark(quick: boolean): Promise<{ raw: Figures; pipeline: Figures; ratio: number }> {
  const n = quick ? 1_000 : 20_000;
  const width = 64;
  const db = await createTestDatabase();
  try {
    const raw = await rawCeiling(db.url, n, width);
    console.log(`  raw ceiling   ${raw.perSecond} msg/s  p50 ${raw.p50} ms  p95 ${raw.p95} ms  p99 ${raw.p99} ms  (${raw.messages} messages)`);
    const pipe = await pipeline(db.url, n, width);
    console.log(`  pipeline      ${pipe.perSecond} msg/s  p50 ${pipe.p50} ms  p95 ${pipe.p95} ms  p99 ${pipe.p99} ms  (${pipe.messages} messages)`);
    const ratio = Math.round((pipe.perSecond / raw.perSecond) * 100) / 100;
    console.log(`  ratio         ${ratio} of the raw ceiling`);
    return { raw, pipeline: pipe, ratio };
  } finally {
    await db.drop();
  }
}
