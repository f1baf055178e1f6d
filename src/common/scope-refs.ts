import type { DataSource, EntityManager } from 'typeorm';
import { notFoundField } from './errors.js';
import { TenantScope, type Principal } from './tenant-scope.js';

/** Parameters (query or body) naming a comune, a competence group or an operator. */
export interface ScopedRefs {
  comuneId?: unknown;
  groupId?: unknown;
  operatorId?: unknown;
  assigneeId?: unknown;
}

const LOOKUP: Record<keyof ScopedRefs, { table: string; column: string; what: string }> = {
  comuneId: { table: 'comuni', column: 'id', what: 'comune' },
  groupId: { table: 'competence_groups', column: 'comune_id', what: 'group' },
  operatorId: { table: 'operators', column: 'comune_id', what: 'operator' },
  assigneeId: { table: 'operators', column: 'comune_id', what: 'operator' },
};

/**
 * A filter or a field naming a comune, group or operator outside the caller's comuni answers 404,
 * exactly as an id that does not exist: another comune's objects do not exist for its staff.
 * Undefined and null fields are skipped; a value that is not an integer id is left to the route's
 * own validation.
 */
export async function assertRefsInScope(db: DataSource | EntityManager, p: Principal, refs: ScopedRefs): Promise<void> {
  const scope = TenantScope.ofPrincipal(p);
  for (const field of Object.keys(refs) as Array<keyof ScopedRefs>) {
    const id = refs[field];
    if (id === undefined || id === null || typeof id !== 'number' || !Number.isInteger(id)) continue;
    const { table, column, what } = LOOKUP[field];
    if (id < 1 || id > 2_147_483_647) throw notFoundField(field, `${what} ${id} not found`);
    const params: unknown[] = [id];
    const rows = await db.query(`SELECT 1 FROM ${table} WHERE id = $1 AND ${scope.sql(column, params)}`, params);
    if (!rows.length) throw notFoundField(field, `${what} ${id} not found`);
  }
}
