/**
 * What every command a user runs (`npm run demo`, `npm start`, `npm run migrate`, seed, the
 * benchmarks) checks before it does anything: PostgreSQL reachable and accepting its user, PostGIS
 * installable, the application role able to log in, Redis answering. A failure is ONE line on
 * stderr saying what is wrong and what to do, and the process exits 69 (EX_UNAVAILABLE); a bad
 * configuration stays one line per problem and exit 78. Credentials are never printed.
 *
 * `runCommand` wraps a command's main: an error later on (the database going away during boot)
 * is described the same way, in one line, never as a stack trace.
 */
import pg from 'pg';
import { Redis } from 'ioredis';
import { ConfigError } from '../config/config.js';
import { redisOptionsFromUrl } from '../jobs/redis-connection.js';

export const EX_UNAVAILABLE = 69;
export const EX_CONFIG = 78;
/** Anything else that stops a command: its message, in one line. */
export const EX_FAILURE = 1;

const PREFIX = 'Sportello: ';

/** A failure already described for the operator: its message is the line to print. */
export class PreflightError extends Error {
  constructor(
    message: string,
    readonly exitCode = EX_UNAVAILABLE,
  ) {
    super(message);
    this.name = 'PreflightError';
  }
}

// ---------------------------------------------------------------------------------------------
// Where a service is, without its credentials

/** Masks the password of every URL in a text (`scheme://user:secret@host` → `scheme://user:***@host`). */
export function redact(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]*):([^\s/@]*)@/gi, (_m, scheme: string, user: string) => `${scheme}${user}:***@`);
}

export interface PostgresPlace {
  host: string;
  port: number;
  database: string;
  user: string;
  /** `host:port` (or the socket directory), never credentials. */
  where: string;
}

export function postgresPlace(url: string): PostgresPlace {
  const u = new URL(url);
  const socketDir = u.searchParams.get('host');
  const host = socketDir || decodeURIComponent(u.hostname) || 'localhost';
  const port = Number(u.port || u.searchParams.get('port') || 5432);
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || 'postgres';
  const user = decodeURIComponent(u.username) || 'postgres';
  return { host, port, database, user, where: host.startsWith('/') ? `${host} (port ${port})` : `${hostPort(host, port)}` };
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function redisPlace(url: string): { host: string; port: number; where: string } {
  const o = redisOptionsFromUrl(url);
  return { host: o.host, port: o.port, where: hostPort(o.host, o.port) };
}

// ---------------------------------------------------------------------------------------------
// What went wrong: network errors, PostgreSQL's SQLSTATEs, Redis replies

type NetKind = 'refused' | 'not-found' | 'timeout' | 'unreachable' | 'closed';

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  errors?: unknown;
  cause?: unknown;
  detail?: unknown;
}

function codeOf(err: unknown): string {
  const e = err as ErrorLike | undefined;
  if (!e || typeof e !== 'object') return '';
  if (typeof e.code === 'string' && e.code) return e.code;
  // Node's "happy eyeballs" (a name with an IPv4 and an IPv6 address) fails with an AggregateError.
  if (Array.isArray(e.errors) && e.errors.length) return codeOf(e.errors[0]);
  if (e.cause) return codeOf(e.cause);
  return '';
}

export function messageOf(err: unknown): string {
  const e = err as ErrorLike | undefined;
  let m = e && typeof e === 'object' && typeof e.message === 'string' ? e.message : String(err);
  if (!m && e && Array.isArray(e.errors) && e.errors.length) m = messageOf(e.errors[0]);
  if (!m) m = codeOf(err) || 'unknown error';
  return redact(m.replace(/\s+/g, ' ').trim());
}

/** A connection that did not happen (or broke) for a network reason, by kind; undefined for anything else. */
export function networkKind(err: unknown): NetKind | undefined {
  const code = codeOf(err);
  const msg = messageOf(err);
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ENOENT':
      return /connect ENOENT/.test(msg) ? 'refused' : undefined; // a Unix socket nobody listens on
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return 'not-found';
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
      return 'timeout';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
    case 'EADDRNOTAVAIL':
      return 'unreachable';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return 'closed';
  }
  if (/timeout|timed out/i.test(msg)) return 'timeout';
  if (/Connection terminated unexpectedly|Connection is closed|connection closed|socket hang up/i.test(msg)) return 'closed';
  return undefined;
}

const NET_REASON: Record<NetKind, string> = {
  refused: 'connection refused',
  'not-found': 'host not found',
  timeout: 'no answer',
  unreachable: 'host unreachable',
  closed: 'the server closed the connection',
};

export interface PostgresTarget {
  url: string;
  /** The variable(s) to name in the advice: DATABASE_URL, DATABASE_APP_URL, TEST_PG_URL… */
  variable: string;
  /** What to say when the database does not exist (only asked for when it cannot be created). */
  missingDatabase?: string;
  /** The application's role: what to say when it cannot log in. */
  appRole?: boolean;
}

const PG_START = 'Start it (e.g. "pg_ctlcluster 15 main start" or "docker compose up -d postgres")';

/** One line for a PostgreSQL connection error; undefined when the error is not one this knows. */
export function describePostgresError(err: unknown, target: PostgresTarget, timeoutMs = 5_000): string | undefined {
  const p = postgresPlace(target.url);
  const v = target.variable;
  const kind = networkKind(err);
  const sqlstate = codeOf(err);
  const msg = messageOf(err);
  if (kind === 'refused') return `PostgreSQL is not reachable at ${p.where} (connection refused). ${PG_START} or set ${v}.`;
  if (kind === 'not-found') return `PostgreSQL host "${p.host}" was not found (DNS lookup failed). Correct the host in ${v}.`;
  if (kind === 'timeout')
    return `PostgreSQL at ${p.where} did not answer within ${timeoutMs / 1000} s (timeout). Check that it is running and that no firewall blocks port ${p.port}, or set ${v}.`;
  if (kind === 'unreachable')
    return `PostgreSQL at ${p.where} is unreachable (${codeOf(err) || 'no route to host'}). Check the network, or the host in ${v}.`;
  if (kind === 'closed')
    return `PostgreSQL at ${p.where} closed the connection (${msg}). Check that ${v} points at a running PostgreSQL server, then try again.`;
  if (/password must be a string|no password (was )?(supplied|provided)/i.test(msg)) {
    if (target.appRole)
      return `PostgreSQL at ${p.where} asks the application role "${p.user}" for a password and none is set. Set DATABASE_APP_PASSWORD (the migrations give the role that password), or set DATABASE_APP_URL.`;
    return `PostgreSQL at ${p.where} asks user "${p.user}" for a password and ${v} has none. Put it in ${v} (postgres://${p.user}:PASSWORD@${p.where}/${p.database}).`;
  }
  switch (sqlstate) {
    case '28P01':
      if (target.appRole)
        return `PostgreSQL at ${p.where} refused the application role "${p.user}" (password authentication failed). Set DATABASE_APP_PASSWORD to the password "npm run migrate" gave it (run the migrations again with it set to change it), or set DATABASE_APP_URL.`;
      return `PostgreSQL at ${p.where} refused user "${p.user}" (password authentication failed). Correct the user and password in ${v}.`;
    case '28000':
      if (/role .* does not exist/.test(msg)) {
        if (target.appRole && p.user === 'sportello_app')
          return `PostgreSQL at ${p.where} has no application role "${p.user}" (${msg}). Run "npm run migrate" (it creates the role), or set DATABASE_APP_URL.`;
        if (target.appRole)
          return `PostgreSQL at ${p.where} has no role "${p.user}" (${msg}), the user DATABASE_APP_URL names. Create it, or correct DATABASE_APP_URL (unset, the application connects as "sportello_app", which "npm run migrate" creates).`;
        return `PostgreSQL at ${p.where} has no role "${p.user}" (${msg}). Create it, or correct the user in ${v}.`;
      }
      return `PostgreSQL at ${p.where} refused user "${p.user}" (${msg}). Allow it in pg_hba.conf, or correct ${v}.`;
    case '3D000':
      return `PostgreSQL at ${p.where} has no database "${p.database}". ${target.missingDatabase ?? `Create it, or correct the database in ${v}.`}`;
    case '57P03':
      return `PostgreSQL at ${p.where} is starting up or shutting down (${msg}). Try again in a few seconds.`;
    case '53300':
      return `PostgreSQL at ${p.where} accepts no more connections (${msg}). Stop other clients or raise max_connections, then try again.`;
    case '42501':
      if (/create extension|postgis/i.test(msg)) return undefined;
      break;
  }
  if (/does not support SSL/i.test(msg))
    return `PostgreSQL at ${p.where} does not support SSL connections. Remove sslmode/ssl from ${v}, or enable SSL on the server.`;
  if (/SSL|certificate/i.test(msg) && !sqlstate.match(/^[0-9A-Z]{5}$/))
    return `PostgreSQL at ${p.where}: SSL connection failed (${msg}). Check the SSL settings in ${v}.`;
  if (/^(08|28|3D|53|57)/.test(sqlstate)) return `PostgreSQL at ${p.where} refused the connection (${msg}). Check ${v}.`;
  return undefined;
}

/** Debian/Ubuntu package and Docker image that provide PostGIS for a server's major version. */
export function postgisAdvice(major: number | undefined): string {
  const m = major && Number.isFinite(major) ? String(major) : '<major>';
  return `Install PostGIS on the database server: the package postgresql-${m}-postgis-3 on Debian/Ubuntu ("apt-get install postgresql-${m}-postgis-3"), or use the postgis/postgis:${m === '<major>' ? '15' : m}-3.4 Docker image (as docker-compose.yml does); then run the command again.`;
}

/**
 * One line when an error says PostGIS is missing or cannot be created (a migration's
 * `CREATE EXTENSION postgis`); undefined otherwise. PostgreSQL 15 answers a missing extension with
 * 0A000 `extension "postgis" is not available` (detail: its .control file cannot be opened), older
 * servers with 58P01 `could not open extension control file ".../postgis.control"`.
 */
export function describePostgisError(err: unknown, where?: string, major?: number): string | undefined {
  const msg = messageOf(err);
  const detail = typeof (err as ErrorLike)?.detail === 'string' ? String((err as ErrorLike).detail) : '';
  const text = `${msg} ${detail}`;
  const at = where ? ` at ${where}` : '';
  const ver = major ?? majorFromControlPath(text);
  if (
    /extension "postgis[^"]*" is not available|extension "postgis[^"]*" does not exist|postgis[^"\s]*\.control/i.test(text) &&
    !/permission denied/i.test(text)
  ) {
    return `PostGIS is not installed on the PostgreSQL server${at}. ${postgisAdvice(ver)}`;
  }
  if (/permission denied to create extension "postgis/i.test(text)) {
    return `The PostgreSQL user${at} may not create the PostGIS extension (${msg}). Run "CREATE EXTENSION postgis;" once in the database as a superuser, or run the migrations as one.`;
  }
  return undefined;
}

function majorFromControlPath(text: string): number | undefined {
  const m = /postgresql\/(\d+)\/extension\//.exec(text);
  return m ? Number(m[1]) : undefined;
}

export interface RedisTarget {
  url: string;
  /** The variable to name in the advice: REDIS_URL, TEST_REDIS_URL… */
  variable: string;
}

/** One line for a Redis connection error; undefined when the error is not one this knows. */
export function describeRedisError(err: unknown, target: RedisTarget, timeoutMs = 3_000): string | undefined {
  const r = redisPlace(target.url);
  const v = target.variable;
  const msg = messageOf(err);
  const kind = networkKind(err);
  if (/^WRONGPASS/.test(msg)) return `Redis at ${r.where} refused the user or password in ${v} (WRONGPASS). Correct them in ${v}.`;
  if (/^NOAUTH/.test(msg)) return `Redis at ${r.where} requires a password (NOAUTH). Put it in ${v}, e.g. redis://:PASSWORD@${r.where}.`;
  if (/^LOADING/.test(msg)) return `Redis at ${r.where} is still loading its data (LOADING). Try again in a few seconds.`;
  if (kind === 'refused')
    return `Redis is not reachable at ${r.where} (connection refused). Start it (e.g. "systemctl start redis-server" or "docker compose up -d redis") or set ${v}.`;
  if (kind === 'not-found') return `Redis host "${r.host}" was not found (DNS lookup failed). Correct the host in ${v}.`;
  if (kind === 'timeout')
    return `Redis at ${r.where} did not answer within ${timeoutMs / 1000} s (timeout). Check that it is running and that no firewall blocks port ${r.port}, or set ${v}.`;
  if (kind === 'unreachable')
    return `Redis at ${r.where} is unreachable (${codeOf(err) || 'no route to host'}). Check the network, or the host in ${v}.`;
  if (kind === 'closed')
    return `Redis at ${r.where} closed the connection (${msg}). Check that ${v} points at a running Redis (rediss:// only for a TLS server), then try again.`;
  if (/^(ERR|DENIED|MISCONF|NOPERM)/.test(msg)) return `Redis at ${r.where} refused the connection (${msg}). Check ${v}.`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The checks

function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, fail) => {
    timer = setTimeout(() => {
      onTimeout();
      fail(Object.assign(new Error('timeout expired'), { code: 'ETIMEDOUT' }));
    }, ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** Runs `fn` on a fresh connection to `url`, closed afterwards; connection errors come back as PreflightError. */
async function withPostgres<T>(target: PostgresTarget, timeoutMs: number, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: target.url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined); // a connection lost later ends in the query's own rejection
  try {
    await withTimeout(client.connect(), timeoutMs + 500, () => void client.end().catch(() => undefined));
  } catch (err) {
    void client.end().catch(() => undefined);
    throw new PreflightError(
      describePostgresError(err, target, timeoutMs) ??
        `Cannot connect to PostgreSQL at ${postgresPlace(target.url).where} (${messageOf(err)}). Check ${target.variable}.`,
    );
  }
  try {
    return await withTimeout(fn(client), timeoutMs * 2, () => void client.end().catch(() => undefined));
  } catch (err) {
    if (err instanceof PreflightError) throw err;
    throw new PreflightError(
      describePostgresError(err, target, timeoutMs) ??
        `PostgreSQL at ${postgresPlace(target.url).where} failed a check (${messageOf(err)}). Check ${target.variable}.`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface OwnerCheck extends PostgresTarget {
  /** The command creates the database when missing (demo, migrate, seed): its absence is fine. */
  createsDatabase?: boolean;
  /** Check that PostGIS can be installed (default true). */
  postgis?: boolean;
  timeoutMs?: number;
}

/**
 * The schema owner's connection (DATABASE_URL): the server answers, the user logs in, the database
 * exists (or the server's `postgres` database answers when the command creates it), PostGIS is
 * available on the server.
 */
export async function checkPostgresOwner(check: OwnerCheck): Promise<void> {
  const timeoutMs = check.timeoutMs ?? 5_000;
  let target: PostgresTarget = check;
  const probe = async (c: pg.Client) => {
    const { rows } = await c.query<{ version: number; available: boolean; installed: boolean }>(
      `SELECT current_setting('server_version_num')::int AS version,
              EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'postgis') AS available,
              EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis') AS installed`,
    );
    return rows[0];
  };
  let found;
  try {
    found = await withPostgres(target, timeoutMs, probe);
  } catch (err) {
    const missing = err instanceof PreflightError && / has no database "/.test(err.message);
    if (!missing || !check.createsDatabase) throw err;
    // The command will create it: the maintenance database must answer instead.
    const u = new URL(check.url);
    u.pathname = '/postgres';
    target = { ...check, url: u.toString() };
    found = await withPostgres(target, timeoutMs, probe);
  }
  if (check.postgis !== false && !found.available && !found.installed) {
    throw new PreflightError(
      describePostgisError(
        { message: 'extension "postgis" is not available' },
        postgresPlace(check.url).where,
        Math.floor(found.version / 10000),
      )!,
    );
  }
}

export interface AppCheck {
  /** DATABASE_APP_URL: the `sportello_app` role on the application's database. */
  url: string;
  /** Migration names this version expects applied (those missing mean "run npm run migrate"). */
  migrations?: string[];
  timeoutMs?: number;
}

const RUN_MIGRATE = 'Run "npm run migrate" (or "npm run demo" for a demo installation)';

/** What the application connects as: the role logs in, the database exists and carries this version's schema. */
export async function checkPostgresApp(check: AppCheck): Promise<void> {
  const timeoutMs = check.timeoutMs ?? 5_000;
  const target: PostgresTarget = {
    url: check.url,
    variable: 'DATABASE_URL (or DATABASE_APP_URL)',
    appRole: true,
    missingDatabase: `${RUN_MIGRATE} to create it, or correct DATABASE_URL.`,
  };
  const p = postgresPlace(check.url);
  await withPostgres(target, timeoutMs, async (c) => {
    const { rows } = await c.query<{ migrations: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS migrations`);
    if (!rows[0].migrations)
      throw new PreflightError(`Database "${p.database}" at ${p.where} has no Sportello schema yet. ${RUN_MIGRATE}, then start again.`);
    if (!check.migrations?.length) return;
    let applied: string[];
    try {
      applied = (await c.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name);
    } catch {
      return; // not readable by this role: the migrations' own check is the schema's presence
    }
    const missing = check.migrations.filter((m) => !applied.includes(m));
    if (missing.length) {
      throw new PreflightError(
        `Database "${p.database}" at ${p.where} lacks ${missing.length} migration${missing.length > 1 ? 's' : ''} of this version (${missing[missing.length - 1]}${missing.length > 1 ? ', …' : ''}). Run "npm run migrate", then start again.`,
      );
    }
  });
}

/** Redis answers PING within the timeout, once: no reconnection attempts, no retry storm. */
export async function checkRedis(target: RedisTarget & { timeoutMs?: number }): Promise<void> {
  const timeoutMs = target.timeoutMs ?? 3_000;
  const redis = new Redis({
    ...redisOptionsFromUrl(target.url),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    reconnectOnError: () => false,
  });
  let firstError: unknown;
  redis.on('error', (err) => {
    firstError ??= err;
  });
  try {
    await withTimeout(
      (async () => {
        await redis.connect();
        await redis.ping();
      })(),
      timeoutMs + 500,
      () => redis.disconnect(),
    );
  } catch (err) {
    // ioredis reports an authentication refusal as an 'error' event, then "Connection is closed".
    // A refused connection likewise: the event carries ECONNREFUSED, the rejection only "Connection is closed".
    const cause = firstError ?? err;
    throw new PreflightError(
      describeRedisError(cause, target, timeoutMs) ??
        `Cannot connect to Redis at ${redisPlace(target.url).where} (${messageOf(cause)}). Check ${target.variable}.`,
    );
  } finally {
    redis.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------
// Running a command

export interface CommandContext {
  /** Known endpoints, to tell which service a bare network error (address, port) came from. */
  postgres?: PostgresTarget[];
  redis?: RedisTarget[];
}

/** The one line (and exit code) for anything that stopped a command. */
export function describeFailure(err: unknown, command: string, context: CommandContext = {}): { text: string; exitCode: number } {
  if (err instanceof ConfigError) return { text: err.message, exitCode: EX_CONFIG };
  if (err instanceof PreflightError) return { text: PREFIX + err.message, exitCode: err.exitCode };
  const listen = describeListenError(err);
  if (listen) return { text: PREFIX + listen, exitCode: EX_UNAVAILABLE };
  const postgis = describePostgisError(err);
  if (postgis) return { text: PREFIX + postgis, exitCode: EX_UNAVAILABLE };
  const line = describeLater(err, context);
  if (line) return { text: `${PREFIX}${command} stopped: ${line}`, exitCode: EX_UNAVAILABLE };
  return { text: `${PREFIX}${command} failed: ${messageOf(err)}`, exitCode: EX_FAILURE };
}

/** The HTTP (or SMTP) port cannot be opened. */
function describeListenError(err: unknown): string | undefined {
  const e = err as { syscall?: unknown; port?: unknown; address?: unknown };
  if (e?.syscall !== 'listen') return undefined;
  const where = `${typeof e.address === 'string' ? e.address : '0.0.0.0'}:${String(e.port ?? '?')}`;
  if (codeOf(err) === 'EADDRINUSE')
    return `Port ${String(e.port)} is already in use (${where}): another Sportello or another service listens there. Stop it, or set PORT (EMAIL_SMTP_PORT for the mail server).`;
  if (codeOf(err) === 'EACCES')
    return `No permission to listen on ${where}. Use a port above 1023, or set PORT (EMAIL_SMTP_PORT for the mail server).`;
  return undefined;
}

/** A connection error after the checks passed: which service, by the port (or SQLSTATE / Redis reply). */
function describeLater(err: unknown, context: CommandContext): string | undefined {
  const e = err as { port?: unknown; address?: unknown; errors?: Array<{ port?: unknown }> };
  const port = Number(e?.port ?? e?.errors?.[0]?.port);
  const pgTargets = context.postgres ?? [];
  const redisTargets = context.redis ?? [];
  const redisHit = redisTargets.find((t) => redisPlace(t.url).port === port);
  const pgHit = pgTargets.find((t) => postgresPlace(t.url).port === port);
  if (redisHit && !pgHit) return describeRedisError(err, redisHit);
  if (pgHit) return describePostgresError(err, pgHit);
  const code = codeOf(err);
  const msg = messageOf(err);
  if (/^[0-9A-Z]{5}$/.test(code) && pgTargets[0]) return describePostgresError(err, pgTargets[0]);
  if (/^(WRONGPASS|NOAUTH|LOADING)/.test(msg) && redisTargets[0]) return describeRedisError(err, redisTargets[0]);
  if (/Connection terminated|terminating connection/i.test(msg) && pgTargets[0]) return describePostgresError(err, pgTargets[0]);
  const kind = networkKind(err);
  if (kind) return `a connection failed (${NET_REASON[kind]}: ${msg}). Check that PostgreSQL and Redis are running, then try again.`;
  return undefined;
}

/**
 * Runs a command's main. Whatever stops it prints one line (a bad configuration: one per problem)
 * and exits 69 / 78 / 1; nothing prints a stack trace. While it runs (the boot of a server, the whole
 * of a one-shot command) an error thrown from a callback or an unhandled rejection ends the same way.
 */
export async function runCommand(
  command: string,
  main: () => Promise<void>,
  context: CommandContext | (() => CommandContext) = {},
): Promise<void> {
  const fail = (err: unknown): never => {
    const { text, exitCode } = describeFailure(err, command, typeof context === 'function' ? safe(context) : context);
    process.stderr.write(`${text}\n`);
    process.exit(exitCode);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  try {
    await main();
  } catch (err) {
    fail(err);
  } finally {
    process.off('uncaughtException', fail);
    process.off('unhandledRejection', fail);
  }
}

function safe(context: () => CommandContext): CommandContext {
  try {
    return context();
  } catch {
    return {};
  }
}
