import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The tables this migration adds that carry a comune: row-level security with the tenant policy. */
export const SERVICE_RATING_TENANT_TABLES = ['portal_service_ratings'] as const;

/**
 * `portal_service_ratings`: the citizen's rating of the online service itself (the form "Segnala un
 * disservizio" or "Richiedi assistenza"), given on the confirmation page right after sending, 1–5
 * and an optional comment, once per case. Kept apart from `csat_surveys`, which rate how the office
 * handled a resolved case (the operators' satisfaction figures must not count the form's rating).
 */
export class PortalServiceRatings1765700000000 implements MigrationInterface {
  name = 'PortalServiceRatings1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE portal_service_ratings (
        ticket_id   bigint PRIMARY KEY,
        comune_id   integer NOT NULL,
        form        text NOT NULL CHECK (form IN ('report', 'request')),
        rating      smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
        comment     text CHECK (char_length(comment) <= 1000),
        created_at  timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (ticket_id, comune_id) REFERENCES tickets (id, comune_id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX portal_service_ratings_comune ON portal_service_ratings (comune_id, created_at)`);
    for (const table of SERVICE_RATING_TENANT_TABLES) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY tenant_scope ON ${table}
        USING ((SELECT sportello_scope_all()) OR comune_id = ANY ((SELECT sportello_scope_comuni())::integer[]))`);
    }
    // Default privileges (migration TenantRowLevelSecurity) already grant sportello_app the table.
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS portal_service_ratings`);
  }
}
