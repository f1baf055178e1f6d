import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './1765200000000-TenantRowLevelSecurity.js';

/** Tables of this migration that carry a comune: the usual `tenant_scope` policy. */
export const PRIVACY_TENANT_TABLES = ['comune_privacy_settings', 'privacy_events'] as const;

/** The months a comune keeps a closed case when its manager has not chosen (the row the migration writes). */
export const DEFAULT_RETENTION_MONTHS = 60;

/**
 * Data-subject rights of the portal's citizens (src/portal/privacy): export, erasure, retention.
 *
 * - `tickets.anonymised_at`: the case's personal data were removed (by an erasure or by the comune's
 *   retention period); the row keeps reference, comune, type, category, status and dates.
 *   `tickets.erasure_requested_at`: the citizen asked for erasure while the case was open; the
 *   retention sweep anonymises it once it is closed, whatever the comune's period.
 * - `attachments.removed_at`: the file was deleted from storage; the row says that it existed.
 * - `comune_privacy_settings`: a comune's retention of closed cases in months (NULL: kept), set by its
 *   manager; one row per comune, 60 months to start with.
 * - `privacy_events`: exports, erasure requests and completions, retention passes and changes: a
 *   comune sees its rows, a row of no comune (an export, a request spanning comuni) only the
 *   metropolitan administrator and system scopes.
 * - `privacy_erasure_requests`: one per account, ever (UNIQUE account_id: two requests are one job).
 *   No foreign key: it outlives the account it names. Citizen scope (its own) or system scopes.
 * - `portal_my_data()`: the export of the account the citizen scope names (SECURITY DEFINER, like
 *   portal_my_cases of migration PortalMyCases): cases of the linked identities in every comune with
 *   their public conversation, attachments listed, ratings; consents of the linked citizens; follows
 *   by the account's e-mail. Any other scope: NULL.
 */
export class PrivacyRights1765710000000 implements MigrationInterface {
  name = 'PrivacyRights1765710000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tickets ADD COLUMN anonymised_at timestamptz, ADD COLUMN erasure_requested_at timestamptz`);
    await q.query(`CREATE INDEX tickets_retention ON tickets (comune_id, resolved_at) WHERE anonymised_at IS NULL`);
    await q.query(`ALTER TABLE attachments ADD COLUMN removed_at timestamptz`);
    await q.query(`CREATE INDEX attachments_storage_key ON attachments (storage_key)`);
    await q.query(`
      CREATE TABLE comune_privacy_settings (
        comune_id                     integer PRIMARY KEY REFERENCES comuni(id) ON DELETE CASCADE,
        closed_case_retention_months  integer CHECK (closed_case_retention_months BETWEEN 1 AND 1200),
        updated_at                    timestamptz NOT NULL DEFAULT now(),
        updated_by                    integer REFERENCES operators(id) ON DELETE SET NULL
      )`);
    await q.query(`INSERT INTO comune_privacy_settings (comune_id, closed_case_retention_months) SELECT id, $1 FROM comuni`, [
      DEFAULT_RETENTION_MONTHS,
    ]);
    await q.query(`
      CREATE TABLE privacy_events (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        comune_id   integer REFERENCES comuni(id) ON DELETE CASCADE,
        kind        text NOT NULL CHECK (kind IN ('export', 'erasure_requested', 'erasure_completed', 'retention_anonymised', 'retention_set')),
        actor_type  text NOT NULL CHECK (actor_type IN ('citizen', 'operator', 'system')),
        actor_id    text,
        request_id  uuid,
        counts      jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX privacy_events_comune ON privacy_events (comune_id, id DESC)`);
    // An erasure request's completion is recorded once per comune (and once overall).
    await q.query(`CREATE UNIQUE INDEX privacy_events_erasure_once ON privacy_events (request_id, kind, coalesce(comune_id, 0))
                     WHERE request_id IS NOT NULL`);
    for (const table of PRIVACY_TENANT_TABLES) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY tenant_scope ON ${table}
        USING ((SELECT sportello_scope_all()) OR comune_id = ANY ((SELECT sportello_scope_comuni())::integer[]))`);
    }
    await q.query(`
      CREATE TABLE privacy_erasure_requests (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id    bigint NOT NULL UNIQUE,
        status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
        requested_at  timestamptz NOT NULL DEFAULT now(),
        completed_at  timestamptz,
        result        jsonb
      )`);
    await q.query(`ALTER TABLE privacy_erasure_requests ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY citizen_scope ON privacy_erasure_requests
      USING ((SELECT sportello_scope_citizen()) = '*' OR account_id::text = (SELECT sportello_scope_citizen()))`);
    await q.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON comune_privacy_settings, privacy_events, privacy_erasure_requests TO ${APP_ROLE}`,
    );

    await q.query(`
      CREATE FUNCTION portal_my_data() RETURNS json
      LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      DECLARE
        v_account bigint;
        v_email text;
      BEGIN
        IF (SELECT sportello_scope_citizen()) !~ '^[1-9][0-9]{0,18}$' THEN
          RETURN NULL;
        END IF;
        v_account := (SELECT sportello_scope_citizen())::bigint;
        SELECT lower(coalesce(a.email_key, a.email)) INTO v_email FROM citizen_accounts a WHERE a.id = v_account;
        RETURN (
          WITH own AS (
            SELECT t.* FROM tickets t
             WHERE t.citizen_identity_id IN (SELECT l.identity_id FROM citizen_account_links l WHERE l.account_id = v_account)
          ), own_citizens AS (
            SELECT DISTINCT ci.citizen_id FROM citizen_identities ci
              JOIN citizen_account_links l ON l.identity_id = ci.id WHERE l.account_id = v_account
          )
          SELECT json_build_object(
            'cases', COALESCE((
              SELECT json_agg(json_build_object(
                       'reference', t.reference, 'comune', json_build_object('name', c.name, 'slug', c.slug),
                       'type', t.type, 'category', t.category, 'status', t.status, 'channel', t.channel,
                       'createdAt', t.created_at, 'resolvedAt', t.resolved_at, 'address', t.payload->>'address',
                       'anonymisedAt', t.anonymised_at,
                       'messages', COALESCE((
                         SELECT json_agg(json_build_object(
                                  'id', m.id::text, 'from', m.author_type, 'text', m.text, 'at', m.created_at,
                                  'operator', CASE WHEN m.author_type = 'operator' THEN o.name END,
                                  'attachments', COALESCE((
                                    SELECT json_agg(json_build_object('id', a.id::text, 'filename', a.filename, 'contentType', a.content_type,
                                                                      'sizeBytes', a.size_bytes, 'removedAt', a.removed_at) ORDER BY a.id)
                                      FROM attachments a WHERE a.message_id = m.id), '[]'::json)) ORDER BY m.id)
                           FROM messages m LEFT JOIN operators o ON o.id = m.author_operator_id
                          WHERE m.ticket_id = t.id AND NOT m.internal
                            AND NOT EXISTS (SELECT 1 FROM report_follower_notices n WHERE n.message_id = m.id)
                            AND NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = m.ticket_id AND e.type = 'citizen.notified'
                                              AND e.data->>'kind' = 'portal_reply' AND e.data->>'messageId' = m.id::text)), '[]'::json),
                       'ratings', COALESCE((
                         SELECT json_agg(json_build_object('kind', r.kind, 'rating', r.rating, 'comment', r.comment, 'at', r.at) ORDER BY r.at)
                           FROM (SELECT 'satisfaction'::text AS kind, s.rating::int AS rating, s.comment, s.answered_at AS at
                                   FROM csat_surveys s WHERE s.ticket_id = t.id AND s.answered_at IS NOT NULL) r), '[]'::json)
                     ) ORDER BY t.created_at DESC, t.id DESC)
                FROM own t JOIN comuni c ON c.id = t.comune_id), '[]'::json),
            'consents', COALESCE((
              SELECT json_agg(json_build_object('comune', c.name, 'purpose', k.purpose, 'granted', k.granted, 'source', k.source,
                                                'contact', k.contact, 'at', k.created_at, 'reference', t.reference) ORDER BY k.id)
                FROM citizen_consents k JOIN comuni c ON c.id = k.comune_id LEFT JOIN tickets t ON t.id = k.ticket_id
               WHERE k.citizen_id IN (SELECT citizen_id FROM own_citizens)), '[]'::json),
            'follows', COALESCE((
              SELECT json_agg(json_build_object('reference', t.reference, 'comune', c.name, 'email', f.email, 'since', f.created_at) ORDER BY f.id)
                FROM report_followers f JOIN tickets t ON t.id = f.ticket_id JOIN comuni c ON c.id = t.comune_id
               WHERE v_email IS NOT NULL AND f.email = v_email), '[]'::json)));
      END $fn$`);
    await q.query(`REVOKE ALL ON FUNCTION portal_my_data() FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION portal_my_data() TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS portal_my_data()`);
    await q.query(`DROP TABLE IF EXISTS privacy_erasure_requests`);
    await q.query(`DROP TABLE IF EXISTS privacy_events`);
    await q.query(`DROP TABLE IF EXISTS comune_privacy_settings`);
    await q.query(`DROP INDEX IF EXISTS attachments_storage_key`);
    await q.query(`ALTER TABLE attachments DROP COLUMN IF EXISTS removed_at`);
    await q.query(`DROP INDEX IF EXISTS tickets_retention`);
    await q.query(`ALTER TABLE tickets DROP COLUMN IF EXISTS anonymised_at, DROP COLUMN IF EXISTS erasure_requested_at`);
  }
}
