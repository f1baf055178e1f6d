import pg from 'pg';
import { ConfigError } from '../../src/config/config.js';
import {
  describeFailure,
  describePostgisError,
  describePostgresError,
  describeRedisError,
  EX_CONFIG,
  EX_FAILURE,
  EX_UNAVAILABLE,
  PreflightError,
  postgresPlace,
  redact,
} from '../../src/ops/preflight.js';
import { adminUrl } from '../support/env.js';

const owner = { url: 'postgres://postgres:s3cret-pw@db.example:5433/sportello', variable: 'DATABASE_URL' };
const app = {
  url: 'postgres://sportello_app:app-pw@127.0.0.1:5432/sportello',
  variable: 'DATABASE_URL (or DATABASE_APP_URL)',
  appRole: true,
};
const redis = { url: 'redis://:redis-pw@127.0.0.1:6380', variable: 'REDIS_URL' };
const pgError = (code: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { code, ...extra });

describe('preflight: what the operator reads', () => {
  it('never shows a password', () => {
    expect(redact('connect to postgres://postgres:s3cret-pw@db:5432/x and redis://:pw@r:6379')).toBe(
      'connect to postgres://postgres:***@db:5432/x and redis://:***@r:6379',
    );
    expect(postgresPlace(owner.url)).toEqual({
      host: 'db.example',
      port: 5433,
      database: 'sportello',
      user: 'postgres',
      where: 'db.example:5433',
    });
    for (const err of [
      pgError('ECONNREFUSED', 'connect ECONNREFUSED'),
      pgError('28P01', 'password authentication failed for user "postgres"'),
      pgError('3D000', 'database "sportello" does not exist'),
    ]) {
      expect(describePostgresError(err, owner)).not.toContain('s3cret');
    }
    expect(describeFailure(new Error('bad url postgres://u:s3cret-pw@h/d'), 'x').text).not.toContain('s3cret');
  });

  it('names the cause and what to do for PostgreSQL', () => {
    expect(describePostgresError(pgError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:5433'), owner)).toBe(
      'PostgreSQL is not reachable at db.example:5433 (connection refused). Start it (e.g. "pg_ctlcluster 15 main start" or "docker compose up -d postgres") or set DATABASE_URL.',
    );
    // Node's happy eyeballs: an AggregateError with an empty message, the code on its parts.
    const aggregate = Object.assign(
      new AggregateError(
        [pgError('ECONNREFUSED', 'connect ECONNREFUSED ::1:5433'), pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5433')],
        '',
      ),
      {},
    );
    expect(describePostgresError(aggregate, owner)).toMatch(/^PostgreSQL is not reachable at db.example:5433 \(connection refused\)/);
    expect(describePostgresError(pgError('ENOTFOUND', 'getaddrinfo ENOTFOUND db.example'), owner)).toBe(
      'PostgreSQL host "db.example" was not found (DNS lookup failed). Correct the host in DATABASE_URL.',
    );
    expect(describePostgresError(new Error('Connection terminated due to connection timeout'), owner)).toMatch(
      /did not answer within 5 s \(timeout\)/,
    );
    expect(describePostgresError(pgError('28P01', 'password authentication failed for user "postgres"'), owner)).toBe(
      'PostgreSQL at db.example:5433 refused user "postgres" (password authentication failed). Correct the user and password in DATABASE_URL.',
    );
    expect(describePostgresError(pgError('28000', 'role "postgres" does not exist'), owner)).toMatch(
      /has no role "postgres".*Create it, or correct the user in DATABASE_URL/,
    );
    expect(
      describePostgresError(pgError('3D000', 'database "sportello" does not exist'), {
        ...owner,
        missingDatabase: 'Run "npm run migrate".',
      }),
    ).toBe('PostgreSQL at db.example:5433 has no database "sportello". Run "npm run migrate".');
    expect(
      describePostgresError(new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'), {
        ...owner,
        url: 'postgres://postgres@db.example:5433/sportello',
      }),
    ).toMatch(/asks user "postgres" for a password and DATABASE_URL has none/);
    expect(describePostgresError(new Error('something else entirely'), owner)).toBeUndefined();
  });

  it('tells how to fix the application role', () => {
    expect(describePostgresError(pgError('28P01', 'password authentication failed for user "sportello_app"'), app)).toMatch(
      /refused the application role "sportello_app" \(password authentication failed\)\. Set DATABASE_APP_PASSWORD/,
    );
    expect(describePostgresError(pgError('28000', 'role "sportello_app" does not exist'), app)).toMatch(
      /has no application role "sportello_app".*Run "npm run migrate" \(it creates the role\)/,
    );
    expect(describePostgresError(new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'), app)).toMatch(
      /for a password and none is set\. Set DATABASE_APP_PASSWORD/,
    );
  });

  it('names the cause and what to do for Redis', () => {
    expect(describeRedisError(pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:6380'), redis)).toBe(
      'Redis is not reachable at 127.0.0.1:6380 (connection refused). Start it (e.g. "systemctl start redis-server" or "docker compose up -d redis") or set REDIS_URL.',
    );
    expect(describeRedisError(pgError('ETIMEDOUT', 'connect ETIMEDOUT'), redis)).toMatch(
      /^Redis at 127.0.0.1:6380 did not answer within 3 s \(timeout\)/,
    );
    expect(describeRedisError(new Error('WRONGPASS invalid username-password pair or user is disabled.'), redis)).toBe(
      'Redis at 127.0.0.1:6380 refused the user or password in REDIS_URL (WRONGPASS). Correct them in REDIS_URL.',
    );
    expect(describeRedisError(new Error('NOAUTH Authentication required.'), redis)).toMatch(
      /requires a password \(NOAUTH\)\. Put it in REDIS_URL/,
    );
  });

  // The exact error PostgreSQL 15 gives a migration's CREATE EXTENSION postgis on a server without
  // PostGIS (captured from a server whose share directory lacks postgis.control; the e2e test
  // test/e2e/cli.spec.ts also runs one), and the older servers' wording.
  it("recognizes PostGIS missing from the server's own error and names the package", () => {
    const pg15 = pgError('0A000', 'extension "postgis" is not available', {
      detail: 'Could not open extension control file "/usr/share/postgresql/15/extension/postgis.control": No such file or directory.',
      hint: 'The extension must first be installed on the system where PostgreSQL is running.',
    });
    const line = describePostgisError(pg15)!;
    expect(line).toContain('PostGIS is not installed');
    expect(line).toContain('postgresql-15-postgis-3');
    expect(line).toContain('postgis/postgis:15-3.4');
    const pg13 = pgError(
      '58P01',
      'could not open extension control file "/usr/share/postgresql/13/extension/postgis.control": No such file or directory',
    );
    expect(describePostgisError(pg13)).toContain('postgresql-13-postgis-3');
    expect(describePostgisError(pgError('42501', 'permission denied to create extension "postgis"'))).toMatch(
      /may not create the PostGIS extension.*as a superuser/,
    );
    expect(describePostgisError(pgError('0A000', 'extension "hstore" is not available'))).toBeUndefined();
    const failure = describeFailure(pg15, 'npm run migrate');
    expect(failure.exitCode).toBe(EX_UNAVAILABLE);
    expect(failure.text).toMatch(/^Sportello: PostGIS is not installed/);
  });

  it('matches what this PostgreSQL says for an extension it does not have', async () => {
    const c = new pg.Client({ connectionString: adminUrl() });
    await c.connect();
    try {
      const err = await c.query('CREATE EXTENSION sportello_no_such_extension').then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string; detail?: string },
      );
      expect(err).toBeDefined();
      // Same error, as it reads for postgis: the classifier must recognize it.
      const asPostgis = {
        code: err!.code,
        message: err!.message.replace('sportello_no_such_extension', 'postgis'),
        detail: err!.detail?.replace('sportello_no_such_extension', 'postgis'),
      };
      expect(describePostgisError(asPostgis)).toMatch(/^PostGIS is not installed/);
    } finally {
      await c.end();
    }
  });

  it('exits 78 for configuration, 69 for a missing service, 1 otherwise; always without a stack', () => {
    const config = describeFailure(new ConfigError(['PORT must be a whole number between 0 and 65535 (got "abc")']), 'npm start');
    expect(config).toEqual({
      exitCode: EX_CONFIG,
      text: 'Invalid configuration:\n  - PORT must be a whole number between 0 and 65535 (got "abc")',
    });
    expect(describeFailure(new PreflightError('Redis is not reachable'), 'npm start')).toEqual({
      exitCode: EX_UNAVAILABLE,
      text: 'Sportello: Redis is not reachable',
    });
    const later = describeFailure(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED', port: 5433, address: '127.0.0.1' }),
      'npm run demo',
      { postgres: [owner], redis: [redis] },
    );
    expect(later.exitCode).toBe(EX_UNAVAILABLE);
    expect(later.text).toMatch(/^Sportello: npm run demo stopped: PostgreSQL is not reachable at db.example:5433/);
    const redisLater = describeFailure(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6380'), { code: 'ECONNREFUSED', port: 6380 }),
      'npm start',
      { postgres: [owner], redis: [redis] },
    );
    expect(redisLater.text).toMatch(/^Sportello: npm start stopped: Redis is not reachable at 127.0.0.1:6380/);
    const inUse = describeFailure(
      Object.assign(new Error('listen EADDRINUSE: address already in use 0.0.0.0:3000'), {
        code: 'EADDRINUSE',
        syscall: 'listen',
        address: '0.0.0.0',
        port: 3000,
      }),
      'npm start',
    );
    expect(inUse.text).toMatch(/^Sportello: Port 3000 is already in use/);
    const other = describeFailure(new TypeError('boom\n    at somewhere (file.js:1:1)'), 'seed');
    expect(other).toEqual({ exitCode: EX_FAILURE, text: 'Sportello: seed failed: boom at somewhere (file.js:1:1)' });
  });
});
