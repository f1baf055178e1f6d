import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The tables this migration adds that carry a comune: row-level security with the tenant policy. */
export const PORTAL_REPORT_TENANT_TABLES = ['report_category_settings', 'report_followers', 'report_follower_notices'];

/**
 * Reports and requests from the citizen portal (src/portal/reports/):
 * - `report_category_settings`: per comune and category, the radius (metres) within which an open
 *   report of the same category is shown as a possible duplicate (0 = off; no row = the default).
 * - `report_followers`: "Segui questa": an e-mail address told when a report is taken in charge and
 *   resolved; one row per (report, address), also for the reporter of a duplicate merged into it.
 * - `report_follower_notices`: one row per follower, report and kind of news: the unique key that
 *   makes each notice leave once.
 * - `attachments.public`: an operator marked the photo publishable on the public map.
 * - One GiST index serving the public map and the nearby-duplicates search (comune, category,
 *   status, then the position), over reports with a position only.
 */
export class PortalReports1765600000000 implements MigrationInterface {
  name = 'PortalReports1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    await q.query(`ALTER TABLE attachments ADD COLUMN public boolean NOT NULL DEFAULT false`);
    // The map's photos: the few published attachments, found by message without reading the others.
    await q.query(`CREATE INDEX attachments_public ON attachments (message_id) WHERE public`);
    await q.query(`CREATE INDEX tickets_report_map ON tickets USING gist (comune_id, category, status, location)
      WHERE type = 'report' AND location IS NOT NULL`);
    await q.query(`
      CREATE TABLE report_category_settings (
        comune_id           integer NOT NULL REFERENCES comuni(id) ON DELETE CASCADE,
        category            text NOT NULL CHECK (category ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
        duplicate_radius_m  integer NOT NULL CHECK (duplicate_radius_m BETWEEN 0 AND 5000),
        PRIMARY KEY (comune_id, category)
      )`);
    await q.query(`
      CREATE TABLE report_followers (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        comune_id   integer NOT NULL,
        ticket_id   bigint NOT NULL,
        email       text NOT NULL CHECK (email = lower(email) AND length(email) <= 254),
        -- follow: the citizen asked on the portal; merged: reporter or follower of a duplicate merged into this report.
        source      text NOT NULL CHECK (source IN ('follow', 'merged')),
        token_hash  text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (ticket_id, comune_id) REFERENCES tickets (id, comune_id) ON DELETE CASCADE,
        UNIQUE (ticket_id, email)
      )`);
    await q.query(`
      CREATE TABLE report_follower_notices (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        comune_id    integer NOT NULL,
        follower_id  bigint NOT NULL REFERENCES report_followers(id) ON DELETE CASCADE,
        ticket_id    bigint NOT NULL,
        kind         text NOT NULL CHECK (kind IN ('followed', 'taken_in_charge', 'resolved')),
        event_id     bigint,
        message_id   bigint,
        created_at   timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (ticket_id, comune_id) REFERENCES tickets (id, comune_id) ON DELETE CASCADE,
        UNIQUE (follower_id, ticket_id, kind)
      )`);
    await q.query(`CREATE INDEX report_follower_notices_message ON report_follower_notices (message_id) WHERE message_id IS NOT NULL`);
    for (const table of PORTAL_REPORT_TENANT_TABLES) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY tenant_scope ON ${table}
        USING ((SELECT sportello_scope_all()) OR comune_id = ANY ((SELECT sportello_scope_comuni())::integer[]))`);
    }
    // Default privileges (migration TenantRowLevelSecurity) already grant sportello_app the tables and sequences.
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS report_follower_notices`);
    await q.query(`DROP TABLE IF EXISTS report_followers`);
    await q.query(`DROP TABLE IF EXISTS report_category_settings`);
    await q.query(`DROP INDEX IF EXISTS tickets_report_map`);
    await q.query(`DROP INDEX IF EXISTS attachments_public`);
    await q.query(`ALTER TABLE attachments DROP COLUMN IF EXISTS public`);
  }
}
