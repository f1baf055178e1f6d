import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { TenantScope } from '../common/tenant-scope.js';

/**
 * The comuni the database lets the current unit of work see.
 *
 * Row-level security (migration TenantRowLevelSecurity) shows a session only the rows of the comuni
 * named in its `sportello.comuni` setting. Which comuni those are follows the code's asynchronous
 * context: a request runs in its operator's scope, a job in its comune's, a sweep in a named system
 * scope (`runInScope(TenantScope.system('sla-sweep'), …)`). Every connection the application takes
 * from its pool is set to the scope of the code that takes it, so a query issued outside any scope
 * sees nothing and can write nothing — "forgot the tenant" fails closed.
 */
const current = new AsyncLocalStorage<TenantScope>();

/** Runs `fn` (and everything it starts) in `scope`. */
export function runInScope<T>(scope: TenantScope, fn: () => T): T {
  return current.run(scope, fn);
}

/** The scope of the running code, if any. */
export function currentScope(): TenantScope | undefined {
  return current.getStore();
}

/** The value of `sportello.comuni` for a scope: `*` (metropolitan / system), ids, or '' (nothing). */
export function scopeSetting(scope: TenantScope | undefined): string {
  if (!scope) return '';
  return scope.comuneIds === null ? '*' : scope.comuneIds.join(',');
}

/**
 * The value of `sportello.citizen` (portal accounts, migration CitizenAccounts): `*` for a named
 * system scope, the account id for a citizen's scope, '' (no account) for everything else — an
 * operator, even the metropolitan administrator, sees no citizen account.
 */
export function citizenSetting(scope: TenantScope | undefined): string {
  if (!scope) return '';
  if (scope.citizenAccountId) return scope.citizenAccountId;
  return scope.isSystem ? '*' : '';
}

const SCOPE_OF_CLIENT = Symbol('sportello.scope');
type ScopedClient = pg.PoolClient & { [SCOPE_OF_CLIENT]?: string };
type ConnectCallback = (err: Error | undefined, client?: pg.PoolClient, release?: (err?: Error | boolean) => void) => void;

/**
 * Makes every connection of the data source's pool carry the scope of the code that takes it. The
 * setting is session-wide and written only when it differs from what the connection already has
 * (a pool serving one comune's requests pays nothing after the first).
 */
export function bindScopeToPool(ds: DataSource): void {
  const pool = (ds.driver as unknown as { master: pg.Pool }).master;
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  const scoped = async (setting: string, citizen: string): Promise<pg.PoolClient> => {
    const client = (await connect()) as ScopedClient;
    const key = `${setting}|${citizen}`;
    if (client[SCOPE_OF_CLIENT] !== key) {
      // Until TypeORM has the client and listens to it, a dropped connection's 'error' event is ours:
      // the failed query below reports it.
      const dropped = () => undefined;
      client.on('error', dropped);
      try {
        await client.query(`SELECT set_config('sportello.comuni', $1, false), set_config('sportello.citizen', $2, false)`, [
          setting,
          citizen,
        ]);
      } catch (err) {
        client.release(err as Error);
        throw err;
      } finally {
        client.removeListener('error', dropped);
      }
      client[SCOPE_OF_CLIENT] = key;
    }
    return client;
  };
  (pool as unknown as { connect: (cb?: ConnectCallback) => unknown }).connect = (cb?: ConnectCallback) => {
    // Read now, in the caller's context: a connection handed over later (the pool was busy) must
    // still get the scope of the code that asked for it.
    const scope = currentScope();
    const client = scoped(scopeSetting(scope), citizenSetting(scope));
    if (!cb) return client;
    client.then(
      (c) => cb(undefined, c, (err?: Error | boolean) => c.release(err)),
      (err: Error) => cb(err),
    );
    return undefined;
  };
}

/** Runs `fn` in the scope of one comune (a job, a channel account's inbound message). */
export function inComune<T>(comuneId: number, fn: () => T): T {
  return runInScope(TenantScope.ofComune(comuneId), fn);
}

/** Runs `fn` in a named system scope: work that legitimately spans every comune. */
export function asSystem<T>(name: string, fn: () => T): T {
  return runInScope(TenantScope.system(name), fn);
}

/**
 * Declares a method as system work spanning comuni: it (and what it starts) runs in the named
 * system scope whoever calls it — a sweep kicked from a request still sees every comune.
 */
export function InSystemScope(name: string) {
  const scope = TenantScope.system(name);
  return (_target: object, _key: string | symbol, descriptor: PropertyDescriptor): void => {
    const method = descriptor.value as (...args: unknown[]) => unknown;
    descriptor.value = function (this: unknown, ...args: unknown[]) {
      return runInScope(scope, () => method.apply(this, args));
    };
  };
}

/**
 * Runs a method in the scope its arguments name: `@InScope((account: LoadedAccount) =>
 * TenantScope.ofComune(account.comuneId))` for a channel handler that acts for an account's comune.
 */
export function InScope<A extends unknown[]>(scopeOf: (...args: A) => TenantScope) {
  return (_target: object, _key: string | symbol, descriptor: PropertyDescriptor): void => {
    const method = descriptor.value as (...args: A) => unknown;
    descriptor.value = function (this: unknown, ...args: A) {
      return runInScope(scopeOf(...args), () => method.apply(this, args));
    };
  };
}

/** The scope of a channel account's comune (the first argument of the decorated method). */
export const InAccountComune = () => InScope((account: { comuneId: number }) => TenantScope.ofComune(account.comuneId));
