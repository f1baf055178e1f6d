import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Case phases for SQL: `case_phase(status)` and `case_is_open(status)` say in SQL what
 * src/cases/phases.ts says in TypeScript (a test compares the two for every status), so SQL
 * functions that need the open set (ingest's "the citizen's open ticket") call them instead of
 * repeating the list. Both are IMMUTABLE, usable in index predicates and trigger conditions.
 *
 * `tickets.stage`: the case type's own stage (a booking's `confirmed`), for types that have stages;
 * NULL for types without them, and for a new case whose type has stages until it first moves (its
 * type's initial stage). `status` stays the phase-level value the SQL, clocks and routing read.
 */
export class CasePhases1765410000000 implements MigrationInterface {
  name = 'CasePhases1765410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION case_phase(status text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE status WHEN 'new' THEN 'open' WHEN 'open' THEN 'open' WHEN 'waiting_citizen' THEN 'waiting'
                           WHEN 'resolved' THEN 'resolved' WHEN 'closed' THEN 'closed' END
      $$`);
    await q.query(`
      CREATE FUNCTION case_is_open(status text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(case_phase(status) IN ('open', 'waiting'), false)
      $$`);
    await q.query(`ALTER TABLE tickets ADD COLUMN stage text CHECK (stage ~ '^[a-z][a-z0-9_]{0,39}$')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tickets DROP COLUMN IF EXISTS stage`);
    await q.query(`DROP FUNCTION IF EXISTS case_is_open(text)`);
    await q.query(`DROP FUNCTION IF EXISTS case_phase(text)`);
  }
}
