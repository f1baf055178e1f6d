import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tables of the service catalogue under row-level security (test/service/row-level-security.spec.ts lists them). */
export const CATALOGUE_TENANT_TABLES = ['catalogue_entries'] as const;

/**
 * The citizen portal's service catalogue: the external services (links) a comune's manager lists,
 * and the Metropolitan City's, which belong to no comune (`comune_id` NULL) and appear on every
 * comune's page.
 *
 * Row-level security: the usual `tenant_scope` policy (a comune's rows in its scope, everything in
 * a metropolitan or system scope) for every command, plus one read-only policy that shows the
 * Metropolitan City's rows to any session that has a scope. A comune's session therefore reads its
 * own entries and the Metropolitan ones, and can change only its own; a session without a scope
 * still sees nothing.
 */
export class ServiceCatalogue1765550000000 implements MigrationInterface {
  name = 'ServiceCatalogue1765550000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE catalogue_entries (
        id              serial PRIMARY KEY,
        comune_id       integer REFERENCES comuni(id) ON DELETE CASCADE,
        title_it        text NOT NULL CHECK (length(btrim(title_it)) BETWEEN 1 AND 160),
        title_en        text CHECK (title_en IS NULL OR length(btrim(title_en)) BETWEEN 1 AND 160),
        description_it  text CHECK (description_it IS NULL OR length(description_it) <= 600),
        description_en  text CHECK (description_en IS NULL OR length(description_en) <= 600),
        area            text NOT NULL CHECK (area IN ('social', 'building', 'taxes', 'environment', 'public-works',
                          'participation', 'registry', 'education', 'mobility', 'culture', 'business')),
        url             text NOT NULL CHECK (url ~ '^https://[^\\s/?#]+\\.[^\\s/?#]+([/?#][^\\s]*)?$' AND length(url) <= 2000),
        audience        text NOT NULL DEFAULT 'all' CHECK (audience IN ('citizens', 'businesses', 'all')),
        online          boolean NOT NULL DEFAULT true,
        position        integer NOT NULL DEFAULT 0 CHECK (position BETWEEN 0 AND 9999),
        created_by      integer REFERENCES operators(id) ON DELETE SET NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX catalogue_entries_comune ON catalogue_entries (comune_id, position, id)`);
    await q.query(`ALTER TABLE catalogue_entries ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY tenant_scope ON catalogue_entries
      USING ((SELECT sportello_scope_all()) OR comune_id = ANY ((SELECT sportello_scope_comuni())::integer[]))`);
    await q.query(`CREATE POLICY metropolitan_read ON catalogue_entries FOR SELECT
      USING (comune_id IS NULL AND ((SELECT sportello_scope_all()) OR cardinality((SELECT sportello_scope_comuni())) > 0))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE catalogue_entries`);
  }
}
