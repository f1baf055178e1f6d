// Shared pieces of the benchmarks: percentiles, a bounded pool of in-flight operations, the
// application as a separate process on 127.0.0.1, its RSS, and its per-stage timings.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import pg from 'pg';
import { REDIS_URL, SHARED_GEOJSON } from '../test/support/env.js';

export interface Figures {
  messages: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
}

export const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};
export const figures = (lat: number[], ms: number): Figures => ({
  messages: lat.length,
  seconds: Math.round(ms) / 1000,
  perSecond: Math.round(lat.length / (ms / 1000)),
  p50: Math.round(pct(lat, 0.5)),
  p95: Math.round(pct(lat, 0.95)),
  p99: Math.round(pct(lat, 0.99)),
});

/** Runs fn(0..n-1) with at most `width` calls in flight. */
export async function pool(n: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident memory of a process, in bytes (Linux). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

export interface BenchApp {
  base: string;
  pid: number;
  proc: ChildProcess;
  stop: () => Promise<void>;
}

/**
 * The application (`src/main.ts`, role `all`) in its own process, from the sources through the
 * TypeScript loader; STAGE_TIMING on so its /metrics tell where the time goes.
 */
export async function startBenchApp(
  dbUrl: string,
  prefix: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<BenchApp> {
  const port = await freePort();
  // BENCH_APP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the application under load.
  const extra = process.env.BENCH_APP_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  // Through sh so the open-files limit is raised to the hard limit first (10,000+ sockets); exec keeps the pid.
  const proc = spawn(
    '/bin/sh',
    [
      '-c',
      'ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"',
      process.execPath,
      ...extra,
      ...nodeArgs,
      '--import',
      resolve('test/fault/support/register-ts.mjs'),
      'src/main.ts',
    ],
    {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        DATABASE_URL: dbUrl,
        REDIS_URL,
        REDIS_PREFIX: prefix,
        PORT: String(port),
        LOG_LEVEL: 'warn',
        COMUNI_GEOJSON: SHARED_GEOJSON,
        STORAGE_DIR: mkdtempSync(join(tmpdir(), 'sportello-bench-')),
        STAGE_TIMING: 'true',
        // Thousands of simulated citizens from one address: the per-address throttles would refuse them.
        WEBCHAT_MAX_SESSIONS_PER_ADDRESS: '1000000',
        WEBCHAT_MAX_NEW_TICKETS_PER_ADDRESS: '1000000',
        // BENCH_RLS=off: the application connects as the schema's owner, which row-level security does not
        // restrict — the same code with the policies out of the way, to measure what they cost.
        ...(process.env.BENCH_RLS === 'off' ? { DATABASE_APP_URL: dbUrl } : {}),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  // A benchmark that dies (an unhandled error) must not leave the application running.
  const reap = () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  };
  process.once('exit', reap);
  proc.once('exit', () => process.off('exit', reap));
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('application not listening within 120 s')), 120_000);
    proc.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes(' listening on ')) {
        clearTimeout(timer);
        ok();
      }
    });
    proc.once('exit', (c) => {
      clearTimeout(timer);
      fail(new Error(`application exited ${c}`));
    });
  });
  return {
    base: `http://127.0.0.1:${port}`,
    pid: proc.pid!,
    proc,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      await new Promise<void>((ok) => {
        proc.once('exit', () => ok());
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 15_000).unref();
      });
    },
  };
}

export interface StageFigure {
  stage: string;
  count: number;
  meanMs: number;
  p95Ms: number;
}

/** Reads sportello_stage_seconds from the app's /metrics: count, mean and a bucket-bound p95 per stage. */
export async function scrapeStages(base: string): Promise<StageFigure[]> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const stages = new Map<string, { count: number; sum: number; buckets: Array<[number, number]> }>();
  const get = (s: string) => {
    let v = stages.get(s);
    if (!v) {
      v = { count: 0, sum: 0, buckets: [] };
      stages.set(s, v);
    }
    return v;
  };
  for (const line of text.split('\n')) {
    let m = /^sportello_stage_seconds_bucket\{le="([^"]+)",stage="([^"]+)"\} (\S+)/.exec(line);
    if (m) {
      get(m[2]).buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[3])]);
      continue;
    }
    m = /^sportello_stage_seconds_(sum|count)\{stage="([^"]+)"\} (\S+)/.exec(line);
    if (m) get(m[2])[m[1] as 'sum' | 'count'] = Number(m[3]);
  }
  return [...stages]
    .filter(([, v]) => v.count > 0)
    .map(([stage, v]) => {
      const p95 = v.buckets.sort((a, b) => a[0] - b[0]).find(([, c]) => c >= 0.95 * v.count)?.[0] ?? Infinity;
      return { stage, count: v.count, meanMs: Math.round((v.sum / v.count) * 100_000) / 100, p95Ms: p95 * 1000 };
    });
}

/** CPU time (user + system) a process has used, in ms (Linux, clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The server processes (backends) serving one database now, by pid. */
async function backends(db: pg.Client): Promise<number[]> {
  return (await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)).rows.map(
    (r) => r.pid,
  );
}

/**
 * CPU of the application processes (by name: `api`, `worker`, …), of the PostgreSQL backends
 * serving the benchmark's database (other databases on the same server are not counted) and of
 * this load generator between two calls, per message.
 */
export async function cpuMeter(
  dbUrl: string,
  apps: Record<string, number> = {},
): Promise<
  (
    messages: number,
    excludeBackends?: number[],
  ) => Promise<{ apps: Record<string, number>; appMs: number; postgresMs: number; loadGenMs: number }>
> {
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const read = (pid: number) => {
    try {
      return cpuMs(pid);
    } catch {
      return 0;
    }
  };
  const start = new Map((await backends(db)).map((pid) => [pid, read(pid)]));
  const a0 = Object.fromEntries(Object.entries(apps).map(([name, pid]) => [name, read(pid)]));
  const l0 = process.cpuUsage();
  return async (messages, excludeBackends = []) => {
    const l = process.cpuUsage(l0);
    let postgres = 0;
    for (const pid of await backends(db)) if (!excludeBackends.includes(pid)) postgres += read(pid) - (start.get(pid) ?? 0);
    await db.end();
    const per = (ms: number) => Math.round((ms / messages) * 100) / 100;
    const used = Object.fromEntries(Object.entries(apps).map(([name, pid]) => [name, per(read(pid) - a0[name])]));
    const appMs = Math.round(Object.values(used).reduce((a, b) => a + b, 0) * 100) / 100;
    return { apps: used, appMs, postgresMs: per(postgres), loadGenMs: per((l.user + l.system) / 1000) };
  };
}

/**
 * A sampling profile of the PostgreSQL backends serving one database: every `everyMs`, which
 * statements are running (by their first words) and what they wait for. Shares of samples.
 * A sample costs its backend ~1.5 ms of CPU: every 50 ms is 3 % of one core (every 10 ms was 16 %,
 * taken from what is measured); `pid` is that backend, for the CPU meter to leave out.
 */
export async function pgSampler(
  dbUrl: string,
  everyMs = 50,
): Promise<{ pid: number; stop: () => Promise<Array<{ what: string; share: number }>> }> {
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const [{ pid }] = (await db.query(`SELECT pg_backend_pid() AS pid`)).rows;
  const counts = new Map<string, number>();
  let total = 0;
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      await sample().catch(() => undefined);
      await sleep(everyMs);
    }
  })();
  async function sample(): Promise<void> {
    // A heavyweight-lock wait names what holds the lock: the blocker's statement (or its state when idle in a transaction).
    const rows = (
      await db.query(`SELECT a.query, a.wait_event_type, a.wait_event,
        CASE WHEN a.wait_event_type = 'Lock' THEN (SELECT CASE WHEN b.state = 'active' THEN b.query ELSE b.state END
          FROM pg_stat_activity b WHERE b.pid = (pg_blocking_pids(a.pid))[1] LIMIT 1) END AS blocker
      FROM pg_stat_activity a WHERE a.datname = current_database() AND a.state = 'active' AND a.pid <> pg_backend_pid()`)
    ).rows;
    for (const r of rows) {
      const words = String(r.query).replace(/\s+/g, ' ').trim().slice(0, 70);
      const by = r.blocker ? ` ← held by: ${String(r.blocker).replace(/\s+/g, ' ').trim().slice(0, 50)}` : '';
      const key = r.wait_event_type && r.wait_event_type !== 'CPU' ? `[waits ${r.wait_event_type}:${r.wait_event}] ${words}${by}` : words;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      total++;
    }
  }
  return {
    pid,
    stop: async () => {
      stop = true;
      await loop;
      await db.end();
      return [...counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 12)
        .map(([what, n]) => ({ what, share: Math.round((n / Math.max(1, total)) * 1000) / 10 }));
    },
  };
}

/** Machine-wide CPU time from /proc/stat (jiffies): busy (not idle, not waiting for I/O) and stolen by the hypervisor. */
function machineCpu(): { busy: number; steal: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const [user, nice, system, , , irq, softirq, steal] = f;
  return { busy: user + nice + system + irq + softirq, steal, total: f.slice(0, 8).reduce((a, b) => a + b, 0) };
}

/**
 * The whole machine's CPU, one sample per second from `start`: share busy and share stolen by the
 * hypervisor in each second (0–100 %, of all cores), to tell a slow second of a benchmark caused by
 * saturated cores from one caused by something else (locks, I/O).
 */
export function cpuBySecond(): { stop: () => Array<{ busy: number; steal: number }> } {
  const out: Array<{ busy: number; steal: number }> = [];
  let last = machineCpu();
  const timer = setInterval(() => {
    const now = machineCpu();
    const total = Math.max(1, now.total - last.total);
    out.push({ busy: Math.round(((now.busy - last.busy) / total) * 100), steal: Math.round(((now.steal - last.steal) / total) * 100) });
    last = now;
  }, 1000);
  return {
    stop: () => {
      clearInterval(timer);
      return out;
    },
  };
}
