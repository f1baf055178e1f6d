// Concurrency benchmark: web-chat citizens and operators connected to ONE application process,
// its resident memory per connection, while messages flow. The sockets are held by several
// load-generator processes (bench/concurrency/clients.ts) on loopback.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import pg from 'pg';
import { clearRedisPrefix, createTestDatabase } from '../../test/support/harness.js';
import { REDIS_URL, TEST_PASSWORD } from '../../test/support/env.js';
import { loadAverage, pct, rssBytes, sleep, startBenchApp } from '../support.js';

export interface ConcurrencyResult {
  citizens: number;
  operators: number;
  connectSeconds: number;
  rss: { baselineMiB: number; connectedMiB: number; peakMiB: number; perConnectionKiB: number };
  messages: {
    sent: number;
    stored: number;
    failed: number;
    perSecond: number;
    ackP50: number;
    ackP99: number;
    operatorEvents: number;
    toOperatorP50: number;
    toOperatorP99: number;
  };
}

interface Client {
  proc: ChildProcess;
  ask: <T>(order: object) => Promise<T>;
}

function startClient(): Promise<Client> {
  // At most 2,500 sockets per generator: well within the default open-files limit.
  const proc = fork(resolve('bench/concurrency/clients.ts'), [], {
    execArgv: ['--import', resolve('test/fault/support/register-ts.mjs')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting: Array<(m: any) => void> = [];
  proc.on('message', (m: any) => {
    if (m.cmd !== 'ready') waiting.shift()?.(m);
  });
  const ask = <T>(order: object) =>
    new Promise<T>((ok, fail) => {
      waiting.push((m) => (m.cmd === 'error' ? fail(new Error(m.message)) : ok(m as T)));
      proc.send(order);
    });
  return new Promise((ok, fail) => {
    proc.once('message', () => ok({ proc, ask }));
    proc.once('exit', (c) => fail(new Error(`client process exited ${c}`)));
  });
}

const MiB = 1024 * 1024;

export async function runConcurrencyBenchmark(quick: boolean): Promise<ConcurrencyResult> {
  const citizens = Number(process.env.BENCH_CITIZENS ?? (quick ? 1_000 : 10_000));
  const operators = Number(process.env.BENCH_OPERATORS ?? (quick ? 20 : 200));
  const messages = Number(process.env.BENCH_CONC_MESSAGES ?? (quick ? 200 : 3_000));
  const perSecond = Number(process.env.BENCH_CONC_RATE ?? 150);
  const generators = Math.max(1, Math.ceil(citizens / 2_500));
  console.log(
    `  ${citizens} web-chat citizens over ${generators} client processes + ${operators} operator sockets; then ${messages} messages at ${perSecond}/s; load average before: ${loadAverage()}`,
  );

  const db = await createTestDatabase();
  const prefix = `bench-conc-${randomBytes(3).toString('hex')}`;
  // No per-stage timing here: this measures memory, not where time goes.
  const app = await startBenchApp(db.url, prefix, { STAGE_TIMING: 'false' });
  const clients: Client[] = [];
  let peak = 0;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, rssBytes(app.pid));
    } catch {
      /* exited */
    }
  }, 250);
  try {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const slugs: string[] = (await c.query(`SELECT slug FROM comuni ORDER BY id`)).rows.map((r) => r.slug);
    const emails: string[] = (
      await c.query(`SELECT email FROM operators WHERE email LIKE 'operatore@%' OR email LIKE 'supervisore@%' ORDER BY id`)
    ).rows.map((r) => r.email);
    await c.end();
    const tokens: string[] = [];
    for (let i = 0; i < emails.length && tokens.length < operators; i += 4) {
      tokens.push(
        ...(await Promise.all(
          emails.slice(i, i + 4).map(async (email) => {
            const r = await fetch(`${app.base}/api/auth/login`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ email, password: TEST_PASSWORD }),
            });
            return ((await r.json()) as { accessToken: string }).accessToken;
          }),
        )),
      );
    }
    for (let i = 0; i < generators + 1; i++) clients.push(await startClient());
    const agents = clients[generators];
    await sleep(1000);
    const baseline = rssBytes(app.pid);

    const t0 = performance.now();
    const share = Math.ceil(citizens / generators);
    const connects = await Promise.all([
      ...clients.slice(0, generators).map((cl, g) =>
        cl.ask<{ connected: number; failed: number; errors: string[] }>({
          cmd: 'connect',
          base: app.base,
          kind: 'citizens',
          slugs,
          offset: g * share,
          count: Math.min(share, citizens - g * share),
          width: 50,
        }),
      ),
      agents.ask<{ connected: number; failed: number; errors: string[] }>({
        cmd: 'connect',
        base: app.base,
        kind: 'agents',
        tokens,
        offset: 0,
        count: operators,
        width: 20,
      }),
    ]);
    const connectSeconds = Math.round(performance.now() - t0) / 1000;
    const connected = connects.reduce((n, r) => n + r.connected, 0);
    const failedConnects = connects.reduce((n, r) => n + r.failed, 0);
    if (failedConnects)
      console.log(
        `  ${failedConnects} connections failed: ${connects
          .flatMap((r) => r.errors)
          .slice(0, 3)
          .join('; ')}`,
      );
    await sleep(2000);
    const connectedRss = rssBytes(app.pid);
    console.log(
      `  connected ${connected} sockets in ${connectSeconds} s; RSS ${Math.round(baseline / MiB)} MiB before, ${Math.round(connectedRss / MiB)} MiB connected`,
    );

    const run = randomBytes(3).toString('hex');
    const t1 = performance.now();
    const perGen = Math.ceil(messages / generators);
    const sends = await Promise.all(
      clients.slice(0, generators).map((cl) =>
        cl.ask<{ ok: number; failed: number; latency: number[] }>({
          cmd: 'send',
          count: perGen,
          perSecond: perSecond / generators,
          run: `${run}${cl.proc.pid}`,
        }),
      ),
    );
    const sendMs = performance.now() - t1;
    await sleep(1500);
    const report = await agents.ask<{ received: number; latency: number[] }>({ cmd: 'report' });
    const ack = sends.flatMap((s) => s.latency);
    const stored = sends.reduce((n, s) => n + s.ok, 0);
    const result: ConcurrencyResult = {
      citizens,
      operators,
      connectSeconds,
      rss: {
        baselineMiB: Math.round(baseline / MiB),
        connectedMiB: Math.round(connectedRss / MiB),
        peakMiB: Math.round(peak / MiB),
        perConnectionKiB: Math.round(((connectedRss - baseline) / Math.max(1, connected) / 1024) * 10) / 10,
      },
      messages: {
        sent: perGen * generators,
        stored,
        failed: sends.reduce((n, s) => n + s.failed, 0),
        perSecond: Math.round(stored / (sendMs / 1000)),
        ackP50: Math.round(pct(ack, 0.5)),
        ackP99: Math.round(pct(ack, 0.99)),
        operatorEvents: report.received,
        toOperatorP50: Math.round(pct(report.latency, 0.5)),
        toOperatorP99: Math.round(pct(report.latency, 0.99)),
      },
    };
    const r = result.rss;
    const m = result.messages;
    console.log(`  RSS peak while messages flow: ${r.peakMiB} MiB (target < 1024 MiB); ${r.perConnectionKiB} KiB per connection`);
    console.log(
      `  messages: ${m.stored}/${m.sent} stored (${m.failed} failed) at ${m.perSecond}/s; stored-ack p50 ${m.ackP50} ms p99 ${m.ackP99} ms`,
    );
    console.log(
      `  operators received ${m.operatorEvents} message.created events; send → operator p50 ${m.toOperatorP50} ms p99 ${m.toOperatorP99} ms; load average after: ${loadAverage()}`,
    );
    return result;
  } finally {
    clearInterval(sampler);
    await Promise.all(clients.map((cl) => cl.ask({ cmd: 'close' }).catch(() => cl.proc.kill())));
    await app.stop();
    await clearRedisPrefix(REDIS_URL, prefix);
    await db.drop();
  }
}
