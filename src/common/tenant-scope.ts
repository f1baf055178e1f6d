import type { Principal } from './staff.api.js';

/**
 * Which comuni a piece of code may read or write. Every query on a tenant-owned table takes one.
 * It can only be made from an authenticated principal or, in a worker, from the comune id the
 * job carries: there is no "unscoped" default to fall back to.
 */
export class TenantScope {
  private constructor(
    /** null means every comune (the metropolitan administrator, or a named system scope). */
    readonly comuneIds: readonly number[] | null,
    /** Who acts: `operator`, `comune`, `citizen`, or the name of the system work that spans comuni. */
    readonly name: string = 'operator',
    /** A citizen's scope: the portal account whose own rows it sees (and no comune's). */
    readonly citizenAccountId: string | null = null,
  ) {}

  /**
   * A citizen of the portal (src/portal/identity): their own account rows, nothing of any comune
   * (`comuneIds` is empty). The database reads it from the setting `sportello.citizen`.
   */
  static citizen(accountId: string | number): TenantScope {
    const id = String(accountId);
    if (!/^[1-9][0-9]{0,18}$/.test(id)) throw new Error(`invalid citizen account id ${id}`);
    return new TenantScope([], 'citizen', id);
  }

  /**
   * A citizen acting in a comune's public space (participation: a signature, a comment, a flag):
   * their own account's rows and the comune's rows, which the participation code reads and writes
   * for them. `comuneId` null: a space of the Metropolitan City (the citizen's own scope, which
   * reads the Metropolitan City's public rows).
   */
  static citizenIn(accountId: string | number, comuneId: number | null): TenantScope {
    const own = TenantScope.citizen(accountId);
    if (comuneId === null) return own;
    return new TenantScope(TenantScope.ofComune(comuneId).comuneIds, 'citizen', own.citizenAccountId);
  }

  /** A named system scope (`system:…`): the only kind that sees every citizen account. */
  get isSystem(): boolean {
    return this.name.startsWith('system:');
  }

  /**
   * Work that legitimately spans every comune (the SLA sweep, analytics, notifications, the
   * lookup of a channel account by its webhook id), declared by name so that it can be found.
   */
  static system(name: string): TenantScope {
    if (!/^[a-z][a-z0-9.-]*$/.test(name)) throw new Error(`invalid system scope name ${name}`);
    return new TenantScope(null, `system:${name}`);
  }

  /** Several comuni at once (a group commit storing messages of different comuni). */
  static ofComuni(comuneIds: readonly number[]): TenantScope {
    const ids = [...new Set(comuneIds)];
    if (ids.length === 0 || ids.some((id) => !Number.isInteger(id) || id <= 0)) throw new Error(`invalid comune ids ${ids.join(',')}`);
    return new TenantScope(ids, 'comune');
  }

  static ofPrincipal(principal: Principal): TenantScope {
    if (principal.role === 'metro_admin') return new TenantScope(null);
    if (principal.comuneId === null) throw new Error('an operator without a comune has no scope');
    return new TenantScope([principal.comuneId]);
  }

  /** For workers and channel adapters: the comune named by the job or the channel account. */
  static ofComune(comuneId: number): TenantScope {
    if (!Number.isInteger(comuneId) || comuneId <= 0) throw new Error(`invalid comune id ${comuneId}`);
    return new TenantScope([comuneId], 'comune');
  }

  get isMetropolitan(): boolean {
    return this.comuneIds === null;
  }

  allows(comuneId: number): boolean {
    return this.comuneIds === null || this.comuneIds.includes(comuneId);
  }

  /**
   * SQL condition restricting `column` to this scope; pushes its parameter into `params`.
   * Metropolitan scope yields `TRUE`.
   */
  sql(column: string, params: unknown[]): string {
    if (this.comuneIds === null) return 'TRUE';
    params.push(this.comuneIds);
    return `${column} = ANY($${params.length}::int[])`;
  }
}

/** The authenticated operator behind a request or a socket (declared with the API's types). */
export type { Principal } from './staff.api.js';

/** Supervisors, managers and the metropolitan admin see every ticket of their comuni. */
export function seesWholeComune(p: Principal): boolean {
  return p.role !== 'operator';
}
