import type { DataSource, EntityManager } from 'typeorm';

/**
 * Runs an UPDATE/DELETE … RETURNING and gives back the returned rows. (TypeORM's PostgreSQL driver
 * answers those statements with `[rows, rowCount]` instead of the rows alone.)
 */
export async function updateReturning<T = any>(m: EntityManager | DataSource, sql: string, params: unknown[]): Promise<T[]> {
  const r = await m.query(sql, params);
  if (Array.isArray(r) && r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number') return r[0] as T[];
  return r as T[];
}
