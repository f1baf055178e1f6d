// Ingest benchmark: the raw ceiling of the parts (plain pg transaction with the same inserts, plain
// BullMQ add + process, plain Socket.IO emit) and the real pipeline (the app in its own process,
// app-channel HTTP in, operator's socket event out), measured in the same run on the same servers.
import { randomBytes } from 'node:crypto';
import { Agent as HttpAgent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { Queue, Worker } from 'bullmq';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { clearRedisPrefix, createTestDatabase } from '../../test/support/harness.js';
import { REDIS_URL, TEST_PASSWORD } from '../../test/support/env.js';
import {
  cpuBySecond,
  cpuMeter,
  pgSampler,
  figures,
  loadAverage,
  pct,
  pool,
  scrapeStages,
  sleep,
  startBenchApp,
  type BenchApp,
  type Figures,
  type StageFigure,
} from '../support.js';

export type { Figures };
export type Cpu = Awaited<ReturnType<Awaited<ReturnType<typeof cpuMeter>>>>;

/** The same work the pipeline does, on the bare libraries. */
export async function rawCeiling(dbUrl: string, n: number, width: number): Promise<Figures & { cpu: Cpu }> {
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
  const all = new Promise<void>((ok) => {
    done = ok;
  });
  client.on('m', (id: string) => {
    lat.push(performance.now() - sentAt.get(id)!);
    if (lat.length === n) done();
  });
  const worker = new Worker(
    'raw',
    async (job) => {
      const c = await db.connect();
      try {
        await c.query(`SELECT id FROM tickets WHERE id = $1`, [job.data.ticket]);
      } finally {
        c.release();
      }
      ioServer.emit('m', job.data.id);
    },
    { connection, prefix, concurrency: 8 },
  );
  const meter = await cpuMeter(dbUrl);
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
      const [ide] = (
        await c.query(`INSERT INTO citizen_identities (citizen_id, channel, address) VALUES ($1, 'bench', $2) RETURNING id`, [cit.id, id])
      ).rows;
      const [t] = (
        await c.query(
          `INSERT INTO tickets (comune_id, reference, type, channel, citizen_id, citizen_identity_id, payload)
        VALUES ($1, $2, 'request', 'bench', $3, $4, '{}') RETURNING id`,
          [comune, `RAW-${prefix}-${i}`, cit.id, ide.id],
        )
      ).rows;
      ticket = t.id;
      await c.query(
        `INSERT INTO messages (ticket_id, comune_id, direction, author_type, text, channel, external_id, delivery_status)
        VALUES ($1, $2, 'inbound', 'citizen', 'x', 'bench', $3, 'received')`,
        [t.id, comune, id],
      );
      await c.query(`INSERT INTO outbox (topic, payload) VALUES ('raw', '{}')`);
      await c.query('COMMIT');
    } finally {
      c.release();
    }
    await queue.add('m', { id, ticket }, { jobId: id, removeOnComplete: true });
  });
  await all;
  const ms = performance.now() - t0;
  const cpu = await meter(n);
  await worker.close();
  await queue.close();
  client.disconnect();
  void ioServer.close();
  http.close();
  await db.end();
  await clearRedisPrefix(REDIS_URL, prefix);
  return { ...figures(lat, ms), cpu };
}

/** Latency of one phase (closed loop at full speed, or open loop at an offered rate). */
export interface PhaseFigures extends Figures {
  /** Client-side: from sending the request (open loop: from its scheduled time) to its 201. */
  http: { p50: number; p95: number; p99: number };
  /** Open loop only: the offered rate, and the most requests that were in flight at once. */
  offered?: number;
  /** Open loop only: CPU per message of each process during the phase, and PostgreSQL's sampled statements. */
  cpu?: Cpu;
  postgres?: Array<{ what: string; share: number }>;
  maxInFlight?: number;
  failed: number;
  /** Answers other than 201, by status (503 = told to retry: nothing acknowledged is lost). */
  statuses: Record<number, number>;
  /** Routing of the tickets this phase opened, from stored timestamps (ms). */
  routing: RoutingFigure[];
  loadBefore: string;
  loadAfter: string;
  /** Analytics marks not yet recomputed when the last message was seen, and how long routing and analytics took to catch up. */
  analyticsLeft: number;
  drainedMs: number;
  /** Seconds of the phase (by send time) whose messages had a p99 above 250 ms, of all its seconds. */
  slowSeconds: number;
  seconds: number;
  /** The machine's CPU (busy, stolen by the hypervisor; % of all cores) in the slow seconds and in the others. */
  machineCpu: { slowBusy: number | null; otherBusy: number | null; slowSteal: number | null; otherSteal: number | null };
}

export interface RoutingFigure {
  stage: string;
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface PipelineResult {
  /** `split`: an API process and a separate worker process, as deployed; `all`: one process doing both. */
  roles: 'split' | 'all';
  /** Closed loop: `width` requests in flight, as fast as the pipeline answers. */
  figures: PhaseFigures;
  /** Open loop at fixed offered rates (fractions of the closed loop's throughput). */
  open: PhaseFigures[];
  stages: StageFigure[];
  cpu: Cpu;
  /** Sampled statements running in PostgreSQL during the closed loop (share of samples, %). */
  postgres: Array<{ what: string; share: number }>;
}

// The load generator shares the 2 cores with what it measures: node:http on kept-alive sockets costs
// it about half the CPU per request of fetch (undici). BENCH_CLIENT=fetch for the former client.
const keepAlive = new HttpAgent({ keepAlive: true, maxSockets: 256 });
/**
 * The citizen who sends message i: every tenth message comes from a new citizen (it opens a ticket,
 * which goes through routing), so a tenth of the messages open a ticket throughout the run rather
 * than all at its start; the nine others follow up from citizens who already wrote, seven apart
 * (the last ~60), so the requests in flight rarely come from the same citizen (one citizen's
 * messages are stored one at a time). There are count/10 citizens.
 */
const citizenOf = (i: number): number => {
  const k = Math.floor(i / 10);
  const j = i % 10;
  if (j === 0) return k;
  return k === 0 ? 0 : (((k - 1 - 7 * (j - 1)) % k) + k) % k;
};

const post = (base: string, body: unknown): Promise<{ status: number }> => {
  const payload = JSON.stringify(body);
  if (process.env.BENCH_CLIENT === 'fetch') {
    return fetch(`${base}/api/app/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'demo-app-key-bari' },
      body: payload,
    }).then(async (r) => {
      await r.arrayBuffer();
      return { status: r.status };
    });
  }
  const send = (attempt = 1): Promise<{ status: number }> =>
    new Promise((resolve, reject) => {
      const req = httpRequest(
        `${base}/api/app/v1/messages`,
        {
          method: 'POST',
          agent: keepAlive,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-api-key': 'demo-app-key-bari' },
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
          res.on('error', reject);
        },
      );
      // A kept-alive socket the server closed as it was reused (its keep-alive timeout): send again,
      // as a provider would; the messageId makes a second delivery harmless.
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (req.reusedSocket && err.code === 'ECONNRESET' && attempt < 3) send(attempt + 1).then(resolve, reject);
        else reject(err);
      });
      req.end(payload);
    });
  return send();
};

/**
 * The application as deployed (docker-compose: an API process and a worker process; BENCH_ROLES=all
 * for one process doing both), fed through the app channel; latency to the operator's socket.
 * First a closed loop (`width` in flight: the maximum throughput), then open loops at fixed offered
 * rates (`openFractions` of that maximum: the latency an operator sees at a sustained load).
 */
export async function pipeline(
  dbUrl: string,
  n: number,
  width: number,
  openFractions: number[],
  openSeconds: number,
): Promise<PipelineResult> {
  const prefix = `bench-app-${randomBytes(3).toString('hex')}`;
  const roles = process.env.BENCH_ROLES === 'all' ? 'all' : 'split';
  const procs: BenchApp[] = [];
  try {
    if (roles === 'split') procs.push(await startBenchApp(dbUrl, prefix, { SPORTELLO_ROLE: 'worker' }));
    const api = await startBenchApp(dbUrl, prefix, { SPORTELLO_ROLE: roles === 'split' ? 'api' : 'all' });
    procs.unshift(api);
    const names = roles === 'split' ? ['api', 'worker'] : ['app'];
    const base = api.base;
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'supervisore@bari.demo', password: TEST_PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const agent = connect(`${base}/agent`, { auth: { token: accessToken, presence: 'online' }, transports: ['websocket'] });
    await new Promise<void>((ok, fail) => {
      agent.once('connect', () => ok());
      agent.once('connect_error', fail);
    });
    // Warm-up (JIT, pools, prepared plans), not counted.
    await pool(200, 32, async (i) => {
      await post(base, { messageId: `w-${i}`, citizen: { id: `warm-${i % 50}` }, text: `warm-up ${i}` });
    });
    const stageSets = async () =>
      (await Promise.all(procs.map((p) => scrapeStages(p.base)))).flatMap((set, k) =>
        set.map((s) => ({ ...s, stage: roles === 'split' ? `${names[k]}: ${s.stage}` : s.stage })),
      );
    const warmStages = new Map((await stageSets()).map((s) => [s.stage, s]));

    // Messages seen on the supervisor's socket, by their text.
    const sentAt = new Map<string, { t: number; seen: (ms: number) => void }>();
    agent.on('message.created', (p: { message: { text: string } }) => {
      const s = sentAt.get(p.message.text);
      if (!s) return;
      sentAt.delete(p.message.text);
      s.seen(performance.now() - s.t);
    });
    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();

    /** Sends `count` messages, each when `schedule(i)` lets it go; the phase ends when every stored one was seen. */
    const phase = async (
      tag: string,
      count: number,
      schedule: (send: (i: number, at?: number) => Promise<void>) => Promise<number | void>,
    ) => {
      const loadBefore = loadAverage();
      const lat: number[] = [];
      const httpLat: number[] = [];
      const statuses = new Map<number, number>();
      let failed = 0;
      let expected = count;
      let done!: () => void;
      const all = new Promise<void>((ok) => {
        done = ok;
      });
      const since = new Date();
      const t0 = performance.now();
      // Latencies by the second their message was sent in: is a high p99 one stall or the whole phase?
      const bySecond: number[][] = [];
      const machine = cpuBySecond();
      const maxInFlight = await schedule(async (i, at) => {
        const text = `bench ${prefix} ${tag} ${i}`;
        const t = at ?? performance.now();
        const second = Math.max(0, Math.floor((t - t0) / 1000));
        sentAt.set(text, {
          t,
          seen: (ms) => {
            lat.push(ms);
            (bySecond[second] ??= []).push(ms);
            if (lat.length === expected) done();
          },
        });
        const r = await post(base, { messageId: `${tag}-${i}`, citizen: { id: `${tag}-${citizenOf(i)}` }, text });
        if (r.status !== 201) {
          failed++;
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          sentAt.delete(text);
        }
        httpLat.push(performance.now() - t);
      });
      // A message not answered 201 was not stored: the phase ends when every stored one has been seen.
      expected = count - failed;
      if (lat.length >= expected) done();
      await Promise.race([all, new Promise((r) => setTimeout(r, 30_000))]);
      const ms = performance.now() - t0;
      const cpuSeconds = machine.stop();
      const loadAfter = loadAverage();
      // Routing of the tickets opened by the phase, and the analytics recompute of its events, may still be
      // going on: let them finish before reading the routing timings, so the next phase starts on a drained system.
      const drainStart = performance.now();
      let analyticsLeft = 0;
      for (let i = 0; i < 1200; i++) {
        const [{ unrouted, marks }] = (
          await db.query(`SELECT (SELECT count(*) FROM tickets WHERE queue_state = 'unrouted')::int AS unrouted,
            (SELECT count(*) FROM analytics_dirty)::int AS marks`)
        ).rows;
        if (i === 0) analyticsLeft = marks;
        if (unrouted === 0 && marks === 0) break;
        await sleep(100);
      }
      const drainedMs = Math.round(performance.now() - drainStart);
      const routing = await routingFromData(db, prefix, since);
      const q = (xs: number[]) => ({ p50: Math.round(pct(xs, 0.5)), p95: Math.round(pct(xs, 0.95)), p99: Math.round(pct(xs, 0.99)) });
      const seconds = bySecond.filter(Boolean);
      const slowSeconds = seconds.filter((xs) => pct(xs, 0.99) > 250).length;
      // The machine's CPU in the seconds whose messages were slow, and in the others (second k's sample covers k..k+1 s).
      const mean = (xs: number[]) => (xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : null);
      const slow = new Set(bySecond.map((xs, k) => (xs && pct(xs, 0.99) > 250 ? k : -1)).filter((k) => k >= 0));
      const cpuOf = (pick: (k: number) => boolean, f: 'busy' | 'steal') =>
        mean(cpuSeconds.filter((_, k) => bySecond[k] && pick(k)).map((c) => c[f]));
      const machineCpu = {
        slowBusy: cpuOf((k) => slow.has(k), 'busy'),
        otherBusy: cpuOf((k) => !slow.has(k), 'busy'),
        slowSteal: cpuOf((k) => slow.has(k), 'steal'),
        otherSteal: cpuOf((k) => !slow.has(k), 'steal'),
      };
      return {
        ...figures(lat, ms),
        http: q(httpLat),
        slowSeconds,
        seconds: seconds.length,
        machineCpu,
        failed,
        statuses: Object.fromEntries(statuses),
        routing,
        loadBefore,
        loadAfter,
        maxInFlight: maxInFlight ?? undefined,
        analyticsLeft,
        drainedMs,
      };
    };

    const meter = await cpuMeter(dbUrl, Object.fromEntries(procs.map((p, k) => [names[k], p.pid])));
    const sampler = await pgSampler(dbUrl);
    const closed = await phase('b', n, (send) => pool(n, width, (i) => send(i)));
    const cpu = await meter(n, [sampler.pid]);
    const postgres = await sampler.stop();
    const stages = (await stageSets())
      .map((s) => {
        // Subtract the warm-up's share from the means (counts and sums are cumulative).
        const w = warmStages.get(s.stage);
        if (!w) return s;
        const count = s.count - w.count;
        return { ...s, count, meanMs: count > 0 ? Math.round(((s.meanMs * s.count - w.meanMs * w.count) / count) * 100) / 100 : 0 };
      })
      .filter((s) => s.count > 0);

    const open: PhaseFigures[] = [];
    for (const [k, fraction] of openFractions.entries()) {
      const rate = Math.max(1, Math.round(closed.perSecond * fraction));
      const count = Math.max(50, Math.round(rate * openSeconds));
      // Open loop: message i leaves at t0 + i/rate whatever happened to the others; its latency counts
      // from that scheduled time, so a load generator that falls behind does not hide queueing.
      const openSampler = await pgSampler(dbUrl);
      const openMeter = await cpuMeter(dbUrl, Object.fromEntries(procs.map((p, j) => [names[j], p.pid])));
      const f = await phase(`o${k}`, count, async (send) => {
        const inFlight = new Set<Promise<void>>();
        let most = 0;
        const t0 = performance.now();
        for (let i = 0; i < count; i++) {
          const due = t0 + (i * 1000) / rate;
          const wait = due - performance.now();
          if (wait > 1) await sleep(wait);
          const p: Promise<void> = send(i, due).finally(() => inFlight.delete(p));
          inFlight.add(p);
          most = Math.max(most, inFlight.size);
        }
        await Promise.all(inFlight);
        return most;
      });
      open.push({ ...f, offered: rate, cpu: await openMeter(f.messages, [openSampler.pid]), postgres: await openSampler.stop() });
    }
    agent.disconnect();
    await db.end();
    return { roles, figures: closed, open, stages, cpu, postgres };
  } finally {
    for (const p of procs) await p.stop();
    await clearRedisPrefix(REDIS_URL, prefix);
  }
}

/** Stage times of the tickets opened since `since`, from timestamps already stored: outbox rows, BullMQ jobs, ticket events. */
async function routingFromData(db: pg.Client, prefix: string, since: Date): Promise<RoutingFigure[]> {
  const out: RoutingFigure[] = [];
  const r1 = (x: number) => Math.round(x * 10) / 10;
  const add = (stage: string, xs: number[]) => {
    if (xs.length) out.push({ stage, count: xs.length, p50: r1(pct(xs, 0.5)), p95: r1(pct(xs, 0.95)), p99: r1(pct(xs, 0.99)) });
  };
  // created_at is now() of the ingest transaction (its start); published_at is the relay's now().
  const ob = (
    await db.query(
      `SELECT extract(epoch FROM published_at - created_at) * 1000 AS ms FROM outbox WHERE topic = 'ticket.route' AND created_at >= $1 AND published_at IS NOT NULL`,
      [since],
    )
  ).rows;
  add(
    'ingest tx start → outbox published (relay)',
    ob.map((r) => Number(r.ms)),
  );
  const connection = { host: '127.0.0.1', port: Number(new URL(REDIS_URL).port || 6379) };
  const queue = new Queue('routing', { connection, prefix });
  const jobs = (await queue.getJobs(['completed'], 0, 20_000)).filter((j) => j.name === 'ticket.route' && j.timestamp >= since.getTime());
  add(
    'route job: added → picked up',
    jobs.filter((j) => j.processedOn).map((j) => j.processedOn! - j.timestamp),
  );
  add(
    'route job: picked up → finished (route + dispatch)',
    jobs.filter((j) => j.finishedOn && j.processedOn).map((j) => j.finishedOn! - j.processedOn!),
  );
  await queue.close();
  const ev = (
    await db.query(
      `
    SELECT extract(epoch FROM r.created_at - t.created_at) * 1000 AS routed, extract(epoch FROM o.created_at - r.created_at) * 1000 AS offered
      FROM tickets t JOIN ticket_events r ON r.ticket_id = t.id AND r.type = 'ticket.routed'
      LEFT JOIN LATERAL (SELECT created_at FROM ticket_events WHERE ticket_id = t.id AND type = 'offer.made' ORDER BY id LIMIT 1) o ON true
     WHERE t.created_at >= $1`,
      [since],
    )
  ).rows;
  add(
    'ticket stored → routed (route tx start)',
    ev.map((r) => Number(r.routed)),
  );
  add(
    'routed → offered (dispatch tx start)',
    ev.filter((r) => r.offered !== null).map((r) => Number(r.offered)),
  );
  return out;
}

export async function runIngestBenchmark(
  quick: boolean,
): Promise<{ raw: Figures & { cpu: Cpu }; pipeline: PipelineResult; ratio: number }> {
  const n = Number(process.env.BENCH_INGEST_N ?? (quick ? 1_000 : 20_000));
  const width = 64;
  const citizens = Math.ceil(n / 10);
  const openFractions = (process.env.BENCH_OPEN ?? '0.5,0.8').split(',').filter(Boolean).map(Number);
  const openSeconds = Number(process.env.BENCH_OPEN_SECONDS ?? (quick ? 5 : 20));
  console.log(
    `  ${n} messages, ${citizens} citizens (every tenth message opens a ticket, the others follow up on one), ${width} in flight; then open loop at ${openFractions.join(', ')} of that throughput for ${openSeconds} s each; load average before: ${loadAverage()}`,
  );
  // Separate databases: the raw ceiling's tickets must not be routed by the application's sweep.
  const rawDb = await createTestDatabase();
  const db = await createTestDatabase();
  if (process.env.BENCH_NO_NOTIFY === '1') {
    // Experiment only (this throwaway database): the analytics trigger without its NOTIFY, to
    // measure what the commit-time notification lock costs. The worker then finds marks by polling.
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query(`CREATE OR REPLACE FUNCTION ticket_events_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO analytics_dirty (ticket_id, comune_id) VALUES (NEW.ticket_id, NEW.comune_id); RETURN NULL; END $$`);
    await c.end();
    console.log('  EXPERIMENT: analytics trigger without pg_notify (BENCH_NO_NOTIFY=1)');
  }
  try {
    const raw = await rawCeiling(rawDb.url, n, width).finally(() => rawDb.drop());
    console.log(
      `  raw ceiling   ${raw.perSecond} msg/s  p50 ${raw.p50} ms  p95 ${raw.p95} ms  p99 ${raw.p99} ms  (${raw.messages} messages; load average ${loadAverage()})`,
    );
    const pipe = await pipeline(db.url, n, width, openFractions, openSeconds);
    const f = pipe.figures;
    const line = (label: string, x: PhaseFigures) => {
      console.log(
        `  ${label.padEnd(13)} ${x.perSecond} msg/s  p50 ${x.p50} ms  p95 ${x.p95} ms  p99 ${x.p99} ms to the operator's socket  (${x.messages} messages${x.failed ? `, ${x.failed} not answered 201: ${JSON.stringify(x.statuses)}` : ''}${x.maxInFlight ? `, at most ${x.maxInFlight} in flight` : ''}; load average ${x.loadBefore} → ${x.loadAfter})`,
      );
      console.log(`                HTTP answer (201, client side) p50 ${x.http.p50} ms  p95 ${x.http.p95} ms  p99 ${x.http.p99} ms`);
      const routed = x.routing.find((r) => r.stage.startsWith('ticket stored → routed'));
      if (routed)
        console.log(
          `                new tickets routed to a group: p50 ${routed.p50} ms  p95 ${routed.p95} ms  p99 ${routed.p99} ms after they were stored (${routed.count})`,
        );
      console.log(
        `                seconds with a p99 above 250 ms: ${x.slowSeconds} of ${x.seconds}; at the end ${x.analyticsLeft} analytics marks to recompute, routing and analytics caught up ${x.drainedMs} ms later`,
      );
      const c = x.machineCpu;
      console.log(
        `                machine CPU busy (stolen) in those seconds: ${c.slowBusy ?? '–'} % (${c.slowSteal ?? '–'} %); in the others: ${c.otherBusy ?? '–'} % (${c.otherSteal ?? '–'} %)`,
      );
    };
    console.log(
      `  pipeline: ${pipe.roles === 'split' ? 'an API process and a worker process (SPORTELLO_ROLE=api / worker, as in docker-compose)' : 'one process (SPORTELLO_ROLE=all)'}`,
    );
    line('closed loop', f);
    const ratio = Math.round((f.perSecond / raw.perSecond) * 100) / 100;
    console.log(`  ratio         ${ratio} of the raw ceiling`);
    for (const o of pipe.open) line(`open ${o.offered}/s`, o);
    console.log(`  CPU per message: raw: load generator (all the work) ${raw.cpu.loadGenMs} ms, PostgreSQL ${raw.cpu.postgresMs} ms`);
    const cpuLine = (label: string, c: Cpu) =>
      `${label}: ${Object.entries(c.apps)
        .map(([k, v]) => `${k} ${v} ms`)
        .join(', ')}, PostgreSQL ${c.postgresMs} ms, load generator ${c.loadGenMs} ms`;
    console.log(`                   ${cpuLine('pipeline (closed loop)', pipe.cpu)} (2 cores = 2,000 ms of CPU per second)`);
    for (const o of pipe.open) if (o.cpu) console.log(`                   ${cpuLine(`open ${o.offered}/s`, o.cpu)}`);
    console.log('  stages in the app processes, closed loop (STAGE_TIMING): mean / p95 bucket bound, ms');
    for (const s of pipe.stages) console.log(`    ${s.stage.padEnd(30)} ${String(s.meanMs).padStart(8)}  ≤${s.p95Ms}  (${s.count})`);
    console.log('  PostgreSQL, sampled active statements during the closed loop (% of samples):');
    for (const p of pipe.postgres) console.log(`    ${String(p.share).padStart(5)}  ${p.what}`);
    for (const o of pipe.open) {
      console.log(`  PostgreSQL, sampled active statements during the open loop at ${o.offered}/s (% of samples):`);
      for (const p of o.postgres ?? []) console.log(`    ${String(p.share).padStart(5)}  ${p.what}`);
    }
    for (const [label, x] of [['closed loop', f] as const, ...pipe.open.map((o) => [`open ${o.offered}/s`, o] as const)]) {
      console.log(`  routing, ${label}, from stored timestamps: p50 / p95 / p99, ms`);
      for (const s of x.routing)
        console.log(
          `    ${s.stage.padEnd(50)} ${String(s.p50).padStart(8)}  ${String(s.p95).padStart(8)}  ${String(s.p99).padStart(8)}  (${s.count})`,
        );
    }
    return { raw, pipeline: pipe, ratio };
  } finally {
    await db.drop();
  }
}
