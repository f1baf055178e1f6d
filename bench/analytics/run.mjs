// Dashboard query benchmark: boots the built API (dist/) against a generated data set and times
// every dashboard route over HTTP, as the console calls them, reporting p50 / p95 / max per query.
//
//   npm run build && node bench/analytics/generate.mjs [--quick]      (once)
//   node bench/analytics/run.mjs [--quick] [--db URL] [--iterations 40]
//
// Exits 1 when a query's p95 is 300 ms or more. `runAnalyticsBenchmark()` is what the shared
// `npm run bench` runner calls.
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const LIMIT_MS = 300;

/** The built preflight (src/ops/preflight.ts): one line saying what is missing, never a stack trace. */
export async function loadPreflight() {
  try {
    return await import('../../dist/ops/preflight.js');
  } catch {
    const err = new Error('dist/ops/preflight.js is missing: run "npm run build" first.');
    err.name = 'PreflightError';
    err.exitCode = 69;
    throw err;
  }
}

export async function runAnalyticsBenchmark({ quick = false, db, iterations = 40, port = 3990, password = 'bench-password' } = {}) {
  const dbUrl = db ?? `postgres://postgres@127.0.0.1:5432/${quick ? 'sportello_bench_quick' : 'sportello_bench'}`;
  const base = `http://127.0.0.1:${port}`;
  const { checkPostgresOwner, checkRedis } = await loadPreflight();
  await checkPostgresOwner({
    url: dbUrl,
    variable: 'the --db option',
    postgis: false,
    missingDatabase: `Generate the data set first: node bench/analytics/generate.mjs${quick ? ' --quick' : ''}${db ? ` --db ${db.replace(/:[^/@:]*@/, ':***@')}` : ''}.`,
  });
  await checkRedis({ url: process.env.REDIS_URL || 'redis://127.0.0.1:6379', variable: 'REDIS_URL' });
  const app = spawn('node', ['dist/main.js'], {
    // BENCH_RLS=off: connected as the schema's owner, which row-level security does not restrict (to measure its cost).
    env: {
      ...process.env,
      ...(process.env.BENCH_RLS === 'off' ? { DATABASE_APP_URL: dbUrl } : {}),
      DATABASE_URL: dbUrl,
      PORT: String(port),
      SPORTELLO_ROLE: 'api',
      REDIS_PREFIX: 'bench-analytics',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
      // Only the HTTP API is measured: no mail server or other listeners of the full app.
      EMAIL_SMTP_ENABLED: 'false',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitFor(`${base}/health`, 60_000, app);
    const login = async (email) => {
      const r = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      if (!r.ok) throw new Error(`login ${email}: ${r.status}`);
      return (await r.json()).accessToken;
    };
    const manager = await login('manager@bari.demo');
    const admin = await login('admin@metro.demo');
    const today = new Date().toISOString().slice(0, 10);
    const daysAgo = (n) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
    const m30 = `from=${daysAgo(29)}&to=${today}`;
    const m90 = `from=${daysAgo(89)}&to=${today}`;
    const y1 = `from=${daysAgo(364)}&to=${today}`;
    const queries = [
      ['manager', 'live tiles', 'live'],
      ['manager', 'backlog by group', 'backlog'],
      ['manager', 'response times 30 d', `response-times?${m30}`],
      ['manager', 'response times 30 d by group', `response-times?${m30}&breakdown=group`],
      ['manager', 'response times 30 d by operator', `response-times?${m30}&breakdown=operator`],
      ['manager', 'response times 30 d by day', `response-times?${m30}&breakdown=day`],
      ['manager', 'response times 30 d by category', `response-times?${m30}&breakdown=category`],
      ['manager', 'response times 365 d by group', `response-times?${y1}&breakdown=group`],
      ['manager', 'response times 365 d by operator', `response-times?${y1}&breakdown=operator`],
      ['manager', 'response times 90 d by channel, CSV', `response-times?${m90}&breakdown=channel&format=csv`],
      ['manager', 'volumes 90 d by day', `volumes?${m90}&breakdown=day`],
      ['manager', 'volumes by hour 365 d', `volumes/by-hour?${y1}`],
      ['manager', 'SLA 90 d by group', `sla?${m90}&breakdown=group`],
      ['manager', 'CSAT 90 d by operator', `csat?${m90}&breakdown=operator`],
      ['manager', 'map 90 d', `map?${m90}`],
      ['manager', 'drill-down first response 30 d', `drilldown?metric=first_response&${m30}`],
      ['manager', 'drill-down breached, one group, 90 d', `drilldown?metric=resolution&breached=true&${m90}`],
      ['manager', 'drill-down created 30 d', `drilldown?metric=created&${m30}`],
      ['admin', 'live tiles, all comuni', 'live'],
      ['admin', 'backlog, all comuni', 'backlog'],
      ['admin', 'response times 365 d by comune', `response-times?${y1}&breakdown=comune`],
      ['admin', 'response times 365 d, all comuni', `response-times?${y1}`],
      ['admin', 'volumes 90 d by comune', `volumes?${m90}&breakdown=comune`],
      ['admin', 'SLA 365 d by comune', `sla?${y1}&breakdown=comune`],
      ['admin', 'open data 30 d, CSV', `open-data?${m30}&format=csv`],
      ['admin', 'map 30 d, all comuni', `map?${m30}`],
    ];
    const results = [];
    for (const [who, label, path] of queries) {
      const token = who === 'admin' ? admin : manager;
      const once = async () => {
        const t0 = performance.now();
        const r = await fetch(`${base}/api/analytics/${path}`, { headers: { authorization: `Bearer ${token}` } });
        await r.text();
        if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
        return performance.now() - t0;
      };
      for (let i = 0; i < 3; i++) await once();
      const times = [];
      for (let i = 0; i < iterations; i++) times.push(await once());
      times.sort((a, b) => a - b);
      const pct = (p) => times[Math.max(0, Math.ceil(p * times.length) - 1)];
      results.push({ who, label, p50: pct(0.5), p95: pct(0.95), max: times[times.length - 1] });
    }
    console.log(
      `\n| Query (${quick ? 'quick' : 'full'} data set, ${iterations} runs each) | as | p50 ms | p95 ms | max ms |\n|---|---|---:|---:|---:|`,
    );
    for (const r of results) console.log(`| ${r.label} | ${r.who} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.max.toFixed(1)} |`);
    const slow = results.filter((r) => r.p95 >= LIMIT_MS);
    console.log(slow.length ? `\n${slow.length} queries at or over ${LIMIT_MS} ms p95` : `\nEvery query under ${LIMIT_MS} ms at p95.`);
    return { results, ok: slow.length === 0 };
  } finally {
    app.kill('SIGTERM');
  }
}

async function waitFor(url, ms, app) {
  const until = Date.now() + ms;
  for (;;) {
    // The application said why it stopped (one line on the inherited stderr).
    if (app.exitCode !== null)
      throw Object.assign(new Error(`the application exited with code ${app.exitCode} (see the line above)`), {
        name: 'PreflightError',
        exitCode: app.exitCode,
      });
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const opt = (n) => (args.includes(n) ? args[args.indexOf(n) + 1] : undefined);
  runAnalyticsBenchmark({ quick: args.includes('--quick'), db: opt('--db'), iterations: Number(opt('--iterations') ?? 40) })
    .then((r) => process.exit(r.ok ? 0 : 1))
    .catch(async (err) => {
      // One line, never a stack: what is missing (exit 69), or what failed (exit 2).
      const pre = await loadPreflight().catch(() => undefined);
      const line =
        err.name === 'PreflightError'
          ? `Sportello: ${err.message}`
          : pre
            ? pre.describeFailure(err, 'bench/analytics/run.mjs').text
            : `Sportello: bench/analytics/run.mjs failed: ${err.message}`;
      process.stderr.write(`${line}\n`);
      process.exit(err.name === 'PreflightError' ? (err.exitCode ?? 69) : 2);
    });
}
