import type { MigrationInterface, QueryRunner } from 'typeorm';
import { INGEST_MESSAGE_CSAT_PROBE } from './1765000000000-CsatProbeOpenTicket.js';

/**
 * Tenant isolation as a property of the database.
 *
 * - Row-level security on every table whose rows belong to a comune. The policy lets a session see
 *   (and write) the rows of the comuni named in the setting `sportello.comuni` — a comma-separated
 *   list, or `*` for a declared metropolitan or system scope (src/tenancy/db-scope.ts sets it from
 *   the TenantScope on every connection the application takes). Unset or empty: nothing.
 * - The application connects as `sportello_app`, a role without BYPASSRLS that owns nothing; the
 *   migrations and the seed run as the owner of the tables, which RLS does not restrict.
 * - What a comune knows of a citizen's identity is a row of `citizen_identity_comuni` (RLS on it):
 *   the ticket view and the citizen panel list only those, and the display name a person gave on a
 *   comune's channel is that comune's (ingest no longer overwrites it for every comune at once).
 * - Child rows are bound to their ticket's comune by composite foreign keys.
 */
export const TENANT_TABLES = [
  'competence_groups',
  'operators',
  'operator_groups',
  'channel_accounts',
  'tickets',
  'messages',
  'attachments',
  'ticket_events',
  'canned_responses',
  'citizen_consents',
  'email_messages',
  'comune_calendars',
  'sla_policies',
  'ticket_metrics',
  'analytics_samples',
  'analytics_rollups',
  'analytics_dirty',
  'csat_surveys',
  'channel_notifications',
  'analytics_counts',
  'analytics_live',
  'citizen_identity_comuni',
] as const;

export const APP_ROLE = 'sportello_app';

const OLD_IDENTITY_LOOKUP = `
        SELECT ci.id, ci.citizen_id, ci.display_name INTO v_identity, v_citizen, v_name
          FROM citizen_identities ci WHERE ci.channel = p_channel AND ci.address = p_address;
        IF v_identity IS NOT NULL AND p_display_name IS NOT NULL AND v_name IS DISTINCT FROM p_display_name THEN
          UPDATE citizen_identities SET display_name = p_display_name WHERE id = v_identity;
        END IF;
`;
const NEW_IDENTITY_LOOKUP = `
        SELECT ci.id, ci.citizen_id INTO v_identity, v_citizen
          FROM citizen_identities ci WHERE ci.channel = p_channel AND ci.address = p_address;
`;
const OLD_BEFORE_MESSAGE = `
        INSERT INTO messages (ticket_id, comune_id, direction, author_type, text, channel, external_id, delivery_status)`;
const NEW_BEFORE_MESSAGE = `
        -- The ticket's comune now knows the identity, by the name given on its channel (another comune's is not touched).
        INSERT INTO citizen_identity_comuni AS l (identity_id, comune_id, display_name)
        VALUES (v_identity, t.comune_id, p_display_name)
        ON CONFLICT ON CONSTRAINT citizen_identity_comuni_pkey DO UPDATE SET display_name = EXCLUDED.display_name
         WHERE EXCLUDED.display_name IS NOT NULL AND l.display_name IS DISTINCT FROM EXCLUDED.display_name;

        INSERT INTO messages (ticket_id, comune_id, direction, author_type, text, channel, external_id, delivery_status)`;

export function replaceOnce(source: string, from: string, to: string): string {
  const at = source.indexOf(from);
  if (at < 0 || source.indexOf(from, at + 1) >= 0) throw new Error(`ingest_message: expected exactly one "${from.trim().slice(0, 60)}…"`);
  return source.slice(0, at) + to + source.slice(at + from.length);
}

/** ingest_message as of this migration: the previous one with the per-comune identity link. */
export const INGEST_MESSAGE_TENANT_IDENTITIES = replaceOnce(
  replaceOnce(INGEST_MESSAGE_CSAT_PROBE, OLD_IDENTITY_LOOKUP, NEW_IDENTITY_LOOKUP),
  OLD_BEFORE_MESSAGE,
  NEW_BEFORE_MESSAGE,
);

export class TenantRowLevelSecurity1765200000000 implements MigrationInterface {
  name = 'TenantRowLevelSecurity1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE citizen_identity_comuni (
        comune_id     integer NOT NULL REFERENCES comuni(id) ON DELETE CASCADE,
        identity_id   bigint NOT NULL REFERENCES citizen_identities(id) ON DELETE CASCADE,
        display_name  text,
        created_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (comune_id, identity_id)
      )`);
    await q.query(`CREATE INDEX citizen_identity_comuni_identity ON citizen_identity_comuni (identity_id)`);
    // Known to a comune: the identities its tickets came from, and the contacts it wrote notices to
    // that the citizen then answered from (adopted identities).
    await q.query(`
      INSERT INTO citizen_identity_comuni (comune_id, identity_id, display_name, created_at)
      SELECT t.comune_id, t.citizen_identity_id, min(ci.display_name), min(t.created_at)
        FROM tickets t JOIN citizen_identities ci ON ci.id = t.citizen_identity_id
       GROUP BY t.comune_id, t.citizen_identity_id`);
    await q.query(`
      INSERT INTO citizen_identity_comuni (comune_id, identity_id, display_name, created_at)
      SELECT DISTINCT ON (m.comune_id, ci.id) m.comune_id, ci.id, ci.display_name, ci.created_at
        FROM messages m JOIN tickets t ON t.id = m.ticket_id
        JOIN citizen_identities ci ON ci.citizen_id = t.citizen_id AND ci.channel = m.channel AND ci.address = m.recipient_address
       WHERE m.recipient_address IS NOT NULL
      ON CONFLICT DO NOTHING`);

    await q.query(INGEST_MESSAGE_TENANT_IDENTITIES);

    // Child rows carry their ticket's (or message's) comune, and the database checks that they agree.
    await q.query(`ALTER TABLE tickets ADD CONSTRAINT tickets_id_comune UNIQUE (id, comune_id)`);
    await q.query(`ALTER TABLE messages ADD CONSTRAINT messages_id_comune UNIQUE (id, comune_id)`);
    await q.query(`ALTER TABLE messages ADD CONSTRAINT messages_ticket_comune
      FOREIGN KEY (ticket_id, comune_id) REFERENCES tickets (id, comune_id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE attachments ADD CONSTRAINT attachments_message_comune
      FOREIGN KEY (message_id, comune_id) REFERENCES messages (id, comune_id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE ticket_events ADD CONSTRAINT ticket_events_ticket_comune
      FOREIGN KEY (ticket_id, comune_id) REFERENCES tickets (id, comune_id) ON DELETE CASCADE`);

    // The scope of the current session. The policies read it through scalar sub-selects, so that it
    // is computed once per statement (an InitPlan), not once per row.
    await q.query(`
      CREATE FUNCTION sportello_scope_all() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT coalesce(current_setting('sportello.comuni', true), '') = '*'
      $$`);
    await q.query(`
      CREATE FUNCTION sportello_scope_comuni() RETURNS integer[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN coalesce(current_setting('sportello.comuni', true), '') ~ '^[0-9]+(,[0-9]+)*$'
                    THEN string_to_array(current_setting('sportello.comuni', true), ',')::integer[]
                    ELSE '{}'::integer[] END
      $$`);
    for (const table of TENANT_TABLES) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY tenant_scope ON ${table}
        USING ((SELECT sportello_scope_all()) OR comune_id = ANY ((SELECT sportello_scope_comuni())::integer[]))`);
    }
    // IMAP state belongs to a mailbox, which belongs to a comune.
    await q.query(`ALTER TABLE email_imap_state ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY tenant_scope ON email_imap_state
      USING (EXISTS (SELECT 1 FROM channel_accounts a WHERE a.id = email_imap_state.account_id))`);

    // The application's role: logs in, owns nothing, cannot bypass RLS. Roles belong to the whole
    // PostgreSQL cluster, so another database of the cluster may have created it already.
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
          CREATE ROLE ${APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    await q.query(`DO $$ BEGIN EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO ${APP_ROLE}', current_database()); END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE}`);
    await q.query(`REVOKE ALL ON schema_migrations FROM ${APP_ROLE}`);
    await q.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE}`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP_ROLE}`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM ${APP_ROLE}`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM ${APP_ROLE}`);
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${APP_ROLE}`);
    await q.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${APP_ROLE}`);
    await q.query(`REVOKE ALL ON SCHEMA public FROM ${APP_ROLE}`);
    await q.query(`DO $$ BEGIN EXECUTE format('REVOKE ALL ON DATABASE %I FROM ${APP_ROLE}', current_database()); END $$`);
    await q.query(`DROP POLICY IF EXISTS tenant_scope ON email_imap_state`);
    await q.query(`ALTER TABLE email_imap_state DISABLE ROW LEVEL SECURITY`);
    for (const table of TENANT_TABLES.filter((t) => t !== 'citizen_identity_comuni')) {
      await q.query(`DROP POLICY IF EXISTS tenant_scope ON ${table}`);
      await q.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
    }
    await q.query(`DROP FUNCTION sportello_scope_all()`);
    await q.query(`DROP FUNCTION sportello_scope_comuni()`);
    await q.query(`ALTER TABLE ticket_events DROP CONSTRAINT ticket_events_ticket_comune`);
    await q.query(`ALTER TABLE attachments DROP CONSTRAINT attachments_message_comune`);
    await q.query(`ALTER TABLE messages DROP CONSTRAINT messages_ticket_comune`);
    await q.query(`ALTER TABLE messages DROP CONSTRAINT messages_id_comune`);
    await q.query(`ALTER TABLE tickets DROP CONSTRAINT tickets_id_comune`);
    await q.query(INGEST_MESSAGE_CSAT_PROBE);
    await q.query(`DROP TABLE citizen_identity_comuni`);
  }
}
