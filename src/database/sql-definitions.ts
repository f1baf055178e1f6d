import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DataSource } from 'typeorm';
import { APP_ROLE } from './migrations/1765200000000-TenantRowLevelSecurity.js';

/**
 * SQL that carries business rules lives in its own `.sql` file, versioned in git, and is applied by
 * this repeatable step after the migrations (as the schema's owner): each file's sha256 is kept in
 * `sql_definitions`, and a file is applied again only when its text changed. To change one, edit the
 * file: no migration copies it. Each file must be re-runnable (DROP … IF EXISTS then CREATE).
 */
export const SQL_DEFINITIONS: ReadonlyArray<{ name: string; file: string }> = [
  { name: 'ingest_message', file: 'conversations/sql/ingest_message.sql' },
];

/** The file, next to this module's tree (src/ or dist/; dist has no .sql when built by tsc alone: src/ then). */
export function sqlDefinitionPath(file: string): string {
  const here = fileURLToPath(new URL(`../${file}`, import.meta.url));
  if (existsSync(here)) return here;
  return fileURLToPath(new URL(`../../src/${file}`, import.meta.url));
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Applies the definitions whose file changed since it was last applied; answers their names. One
 * transaction per definition, under a lock: two processes migrating at once apply it once.
 */
export async function applySqlDefinitions(
  ds: DataSource,
  definitions: ReadonlyArray<{ name: string; file: string }> = SQL_DEFINITIONS,
  read: (file: string) => string = (file) => readFileSync(sqlDefinitionPath(file), 'utf8'),
): Promise<string[]> {
  await ds.query(`CREATE TABLE IF NOT EXISTS sql_definitions (
    name text PRIMARY KEY, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  // Bookkeeping of the schema, like schema_migrations: not the application's.
  await ds.query(`REVOKE ALL ON sql_definitions FROM ${APP_ROLE}`);
  const applied: string[] = [];
  for (const def of definitions) {
    const text = read(def.file);
    const hash = sha256(text);
    await ds.transaction(async (m) => {
      await m.query(`LOCK TABLE sql_definitions IN SHARE ROW EXCLUSIVE MODE`);
      const [row] = await m.query(`SELECT sha256 FROM sql_definitions WHERE name = $1`, [def.name]);
      if (row?.sha256 === hash) return;
      await m.query(text);
      await m.query(
        `INSERT INTO sql_definitions (name, sha256) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET sha256 = EXCLUDED.sha256, applied_at = now()`,
        [def.name, hash],
      );
      applied.push(def.name);
    });
  }
  return applied;
}
