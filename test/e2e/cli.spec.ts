import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { resolve } from 'node:path';
import pg from 'pg';
import { adminUrl, PG_BASE, REDIS_URL, SHARED_GEOJSON } from '../support/env.js';
import { createTestDatabase } from '../support/harness.js';
import { NoPostgisPostgres } from '../support/no-postgis-postgres.js';

/**
 * Every command a user runs reports a missing or unreachable PostgreSQL, PostGIS or Redis in one
 * line saying what to do, exit 69, never a stack trace. The commands run as child processes from
 * the sources (through the TypeScript loader, as the benchmarks do): no build needed.
 */
jest.setTimeout(90_000);

const REGISTER = resolve('test/fault/support/register-ts.mjs');
const ENTRY = { migrate: 'src/cli/migrate.ts', seed: 'src/cli/seed.ts', demo: 'src/cli/demo.ts', start: 'src/main.ts' } as const;
type Command = keyof typeof ENTRY;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  lines: string[];
}

function run(command: Command, env: Record<string, string>, args: string[] = [], ms = 60_000): Promise<Run> {
  return new Promise((ok, fail) => {
    const proc = spawn(process.execPath, ['--import', REGISTER, ENTRY[command], ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        PORT: '0',
        EMAIL_SMTP_ENABLED: 'false',
        COMUNI_GEOJSON: SHARED_GEOJSON,
        REDIS_URL,
        REDIS_PREFIX: 'cli-spec',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    proc.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      fail(new Error(`${command} did not exit within ${ms} ms:\n${stdout}\n${stderr}`));
    }, ms);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      ok({ code, stdout, stderr, lines: stderr.split('\n').filter((l) => l.trim() !== '') });
    });
  });
}

/** One line on stderr, from Sportello, without a stack frame. */
function expectOneLine(r: Run, pattern: RegExp): string {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 69, stderr: expect.stringMatching(pattern) });
  expect(r.lines).toHaveLength(1);
  expect(r.lines[0]).toMatch(/^Sportello: /);
  expect(r.stderr + r.stdout).not.toMatch(/^\s+at /m);
  return r.lines[0];
}

/** A TCP port that accepts connections and never answers: a server that hangs, or a firewall. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const srv = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  return {
    port: (srv.address() as { port: number }).port,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        srv.close(() => ok());
      }),
  };
}

/**
 * A proxy to the test PostgreSQL that lets the first `allow` connections through, then stops
 * listening: the database "goes away" after the command's checks passed.
 */
async function vanishingPostgres(allow: number): Promise<{ port: number; close: () => Promise<void> }> {
  const target = new URL(PG_BASE);
  const sockets = new Set<Socket>();
  let n = 0;
  const srv: Server = createServer((c) => {
    const up = connect(Number(target.port || 5432), target.hostname);
    sockets.add(c).add(up);
    c.pipe(up).pipe(c);
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
    if (++n >= allow) srv.close();
  });
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  return {
    port: (srv.address() as { port: number }).port,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        if (srv.listening) srv.close(() => ok());
        else ok();
      }),
  };
}

const unreachable = 'postgres://postgres:hunter2-secret@127.0.0.1:1/sportello';

describe('commands report a missing PostgreSQL, PostGIS or Redis in one line', () => {
  it.each(['migrate', 'seed', 'demo', 'start'] as const)('%s: PostgreSQL unreachable → exit 69, one line, no password', async (command) => {
    const r = await run(command, { DATABASE_URL: unreachable }, command === 'seed' ? ['--demo'] : []);
    const line = expectOneLine(r, /PostgreSQL is not reachable at 127\.0\.0\.1:1 \(connection refused\)\. Start it .* or set DATABASE_URL/);
    expect(line).not.toContain('hunter2');
    expect(r.stdout).not.toContain('hunter2');
  });

  it('a bad configuration still exits 78 with one line per problem', async () => {
    const r = await run('migrate', { PORT: 'abc', SPORTELLO_ROLE: 'chef' });
    expect(r.code).toBe(78);
    expect(r.lines).toEqual([
      'Invalid configuration:',
      '  - SPORTELLO_ROLE must be one of all, api, worker (got "chef")',
      '  - PORT must be a whole number between 0 and 65535 (got "abc")',
    ]);
  });

  it('migrate: a host that does not exist', async () => {
    const r = await run('migrate', { DATABASE_URL: 'postgres://postgres@sportello-no-such-host.invalid:5432/sportello' });
    expectOneLine(
      r,
      /PostgreSQL host "sportello-no-such-host\.invalid" was not found \(DNS lookup failed\)\. Correct the host in DATABASE_URL\./,
    );
  });

  it('migrate: a server that does not answer (timeout, 5 s)', async () => {
    const silent = await silentServer();
    try {
      const r = await run('migrate', { DATABASE_URL: `postgres://postgres@127.0.0.1:${silent.port}/sportello` });
      expectOneLine(r, new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${silent.port} did not answer within 5 s \\(timeout\\)`));
    } finally {
      await silent.close();
    }
  });

  describe('npm start (src/main.ts) against a migrated database', () => {
    let db: Awaited<ReturnType<typeof createTestDatabase>>;
    beforeAll(async () => {
      db = await createTestDatabase();
    }, 240_000);
    afterAll(async () => {
      await db?.drop();
    });

    it('Redis refused → one Redis line', async () => {
      const r = await run('start', { DATABASE_URL: db.url, REDIS_URL: 'redis://:redis-secret@127.0.0.1:1' });
      const line = expectOneLine(r, /Redis is not reachable at 127\.0\.0\.1:1 \(connection refused\)\. Start it .* or set REDIS_URL\./);
      expect(line).not.toContain('redis-secret');
    });

    it('Redis that does not answer → timeout line within seconds, no retry storm', async () => {
      const silent = await silentServer();
      try {
        const t0 = Date.now();
        const r = await run('start', { DATABASE_URL: db.url, REDIS_URL: `redis://127.0.0.1:${silent.port}` });
        expectOneLine(r, /Redis at 127\.0\.0\.1:\d+ did not answer within 3 s \(timeout\)/);
        expect(Date.now() - t0).toBeLessThan(20_000);
      } finally {
        await silent.close();
      }
    });

    it('a role that DATABASE_APP_URL names and that does not exist → create it or correct DATABASE_APP_URL', async () => {
      const r = await run('start', { DATABASE_URL: db.url, DATABASE_APP_URL: db.url.replace('postgres@', 'sportello_nobody@') });
      expectOneLine(r, /has no role "sportello_nobody".*DATABASE_APP_URL/);
    });

    it('a database that does not exist → run npm run migrate / npm run demo', async () => {
      const r = await run('start', { DATABASE_URL: `${PG_BASE}/sportello_cli_spec_absent` });
      expectOneLine(r, /has no database "sportello_cli_spec_absent"\. Run "npm run migrate" \(or "npm run demo" for a demo installation\)/);
    });

    it('a database without the schema → run npm run migrate', async () => {
      const r = await run('start', { DATABASE_URL: adminUrl() });
      expectOneLine(r, /Database "postgres" at .* has no Sportello schema yet\. Run "npm run migrate"/);
    });
  });

  it('demo: the database going away after the checks → one line, no stack', async () => {
    const name = `sportello_cli_spec_${process.pid}`;
    // The demo's checks take two connections (the database is missing: then the server's "postgres").
    const proxy = await vanishingPostgres(2);
    try {
      const r = await run('demo', { DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/${name}` });
      expectOneLine(
        r,
        new RegExp(
          `^Sportello: npm run demo stopped: PostgreSQL is not reachable at 127\\.0\\.0\\.1:${proxy.port} \\(connection refused\\)`,
        ),
      );
    } finally {
      await proxy.close();
      const admin = new pg.Client({ connectionString: adminUrl() });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  (NoPostgisPostgres.available() ? describe : describe.skip)('a server without PostGIS, asking for passwords', () => {
    let server: NoPostgisPostgres;
    beforeAll(async () => {
      server = await NoPostgisPostgres.create('owner-secret');
      await server.start();
    }, 120_000);
    afterAll(async () => {
      await server?.destroy();
    });

    it.each(['migrate', 'seed', 'demo'] as const)('%s: PostGIS missing → names the Debian package and the image', async (command) => {
      const r = await run(command, { DATABASE_URL: server.url('sportello') });
      const line = expectOneLine(
        r,
        /PostGIS is not installed on the PostgreSQL server at 127\.0\.0\.1:\d+\. .*postgresql-15-postgis-3.*postgis\/postgis:15-3\.4/,
      );
      expect(line).not.toContain('owner-secret');
    });

    it('migrate: a wrong password → authentication line, the password never echoed', async () => {
      const r = await run('migrate', { DATABASE_URL: server.url('sportello', 'wrong-secret-42') });
      const line = expectOneLine(
        r,
        /PostgreSQL at 127\.0\.0\.1:\d+ refused user "postgres" \(password authentication failed\)\. Correct the user and password in DATABASE_URL\./,
      );
      expect(r.stderr + r.stdout).not.toContain('wrong-secret-42');
      expect(line).not.toContain('owner-secret');
    });

    it('migrate: no password at all → put it in DATABASE_URL', async () => {
      const r = await run('migrate', { DATABASE_URL: server.url('sportello', null) });
      expectOneLine(r, /asks user "postgres" for a password and DATABASE_URL has none/);
    });

    it('start: the application role with a wrong password → DATABASE_APP_PASSWORD', async () => {
      const c = new pg.Client({ connectionString: server.url() });
      await c.connect();
      await c.query(`CREATE ROLE sportello_app LOGIN PASSWORD 'app-secret'`);
      await c.query(`CREATE DATABASE sportello`);
      await c.end();
      const r = await run('start', { DATABASE_URL: server.url('sportello'), DATABASE_APP_PASSWORD: 'not-the-app-secret' });
      expectOneLine(r, /refused the application role "sportello_app" \(password authentication failed\)\. Set DATABASE_APP_PASSWORD/);
      expect(r.stderr).not.toContain('not-the-app-secret');
      const none = await run('start', { DATABASE_URL: server.url('sportello') });
      expectOneLine(none, /asks the application role "sportello_app" for a password and none is set\. Set DATABASE_APP_PASSWORD/);
    });
  });
});
