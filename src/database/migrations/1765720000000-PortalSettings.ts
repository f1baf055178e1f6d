import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './1765200000000-TenantRowLevelSecurity.js';

/**
 * The personal area's settings (src/portal/settings).
 *
 * - `citizen_notification_preferences`: for each purpose (updates on the citizen's cases, operators'
 *   replies, the comune's notices, appointment reminders) the channel the citizen wants, or `none`.
 *   Rows of an account, under the same policy as its other tables (own rows, or a named system scope:
 *   the notification scanner reads them in `system:notifications`).
 * - Consents stay in `citizen_consents` (tenant-owned, one row per decision, the latest decision of a
 *   purpose in a comune counts). The citizen's scope names no comune and sees none of them: two
 *   SECURITY DEFINER functions read and withdraw, for the account `sportello.citizen` names (never an
 *   argument), the consents of the registry citizens whose identities are linked to it. A withdrawal
 *   is a new decision (granted = false, source `area-personale`): nothing is updated or deleted, and
 *   every reader of the latest decision (the notices to a contact) stops at once.
 */
const OWN_OR_SYSTEM = `USING ((SELECT sportello_scope_citizen()) = '*' OR account_id::text = (SELECT sportello_scope_citizen()))`;

const ACCOUNT = `
        v_account bigint;
      BEGIN
        IF (SELECT sportello_scope_citizen()) !~ '^[1-9][0-9]{0,18}$' THEN
          RETURN;
        END IF;
        v_account := (SELECT sportello_scope_citizen())::bigint;`;

/** The registry citizens of the account: those of its linked identities. */
const MINE = `k.citizen_id IN (SELECT ci.citizen_id FROM citizen_identities ci
                                JOIN citizen_account_links l ON l.identity_id = ci.id WHERE l.account_id = v_account)`;

/**
 * When a granted consent was withdrawn: the first later refusal of the same purpose in the same comune
 * for the same citizen (of the same case, for the privacy notice, which is given per case).
 */
const WITHDRAWN_AT = `(SELECT min(w.created_at) FROM citizen_consents w
          WHERE w.citizen_id = k.citizen_id AND w.comune_id = k.comune_id AND w.purpose = k.purpose AND NOT w.granted AND w.id > k.id
            AND (k.purpose <> 'privacy' OR w.ticket_id IS NOT DISTINCT FROM k.ticket_id))`;

export class PortalSettings1765720000000 implements MigrationInterface {
  name = 'PortalSettings1765720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE citizen_notification_preferences (
        account_id  bigint NOT NULL REFERENCES citizen_accounts(id) ON DELETE CASCADE,
        purpose     text NOT NULL CHECK (purpose IN ('updates', 'replies', 'announcements', 'reminders')),
        channel     text NOT NULL CHECK (channel IN ('email', 'whatsapp', 'telegram', 'io', 'none')),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, purpose)
      )`);
    await q.query(`ALTER TABLE citizen_notification_preferences ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY citizen_scope ON citizen_notification_preferences ${OWN_OR_SYSTEM}`);

    await q.query(`
      CREATE FUNCTION portal_my_consents() RETURNS TABLE (id bigint, comune_name text, comune_slug text, purpose text, source text,
        contact text, reference text, granted_at timestamptz, withdrawn_at timestamptz)
      LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      DECLARE${ACCOUNT}
        RETURN QUERY
        SELECT k.id, c.name, c.slug, k.purpose, k.source, k.contact, t.reference, k.created_at, ${WITHDRAWN_AT}
          FROM citizen_consents k JOIN comuni c ON c.id = k.comune_id LEFT JOIN tickets t ON t.id = k.ticket_id
         WHERE k.granted AND ${MINE}
         ORDER BY k.created_at DESC, k.id DESC
         LIMIT 500;
      END $fn$`);
    // Withdraws one of the account's consents to updates: answers the withdrawal's date (the earlier one
    // when it was already withdrawn), NULL when the consent is not the account's (or not a granted
    // consent to updates: the privacy notice of a request is not withdrawn here, its data are kept by law).
    await q.query(`
      CREATE FUNCTION portal_withdraw_consent(p_id bigint) RETURNS timestamptz
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      DECLARE
        v_account bigint;
        v_consent citizen_consents%ROWTYPE;
        v_at timestamptz;
      BEGIN
        IF (SELECT sportello_scope_citizen()) !~ '^[1-9][0-9]{0,18}$' THEN
          RETURN NULL;
        END IF;
        v_account := (SELECT sportello_scope_citizen())::bigint;
        SELECT k.* INTO v_consent FROM citizen_consents k WHERE k.id = p_id AND k.granted AND k.purpose = 'updates' AND ${MINE} FOR UPDATE;
        IF v_consent.id IS NULL THEN
          RETURN NULL;
        END IF;
        SELECT ${WITHDRAWN_AT.replaceAll('k.', 'v_consent.')} INTO v_at;
        IF v_at IS NOT NULL THEN
          RETURN v_at;
        END IF;
        INSERT INTO citizen_consents (citizen_id, comune_id, ticket_id, purpose, granted, source, contact)
        VALUES (v_consent.citizen_id, v_consent.comune_id, v_consent.ticket_id, v_consent.purpose, FALSE, 'area-personale', NULL)
        RETURNING created_at INTO v_at;
        RETURN v_at;
      END $fn$`);
    for (const fn of ['portal_my_consents()', 'portal_withdraw_consent(bigint)']) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO ${APP_ROLE}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS portal_withdraw_consent(bigint)`);
    await q.query(`DROP FUNCTION IF EXISTS portal_my_consents()`);
    await q.query(`DROP TABLE IF EXISTS citizen_notification_preferences`);
  }
}
