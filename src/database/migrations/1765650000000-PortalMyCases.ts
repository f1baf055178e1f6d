import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './1765200000000-TenantRowLevelSecurity.js';

/**
 * "Le mie richieste" (src/portal/mine): a citizen's cases in every comune, read without widening any
 * tenant policy. The tickets/messages policies stay as they are (a citizen's scope names no
 * comune and sees none of them); two SECURITY DEFINER functions read across comuni for the one
 * account the session's citizen scope names (`sportello.citizen`, never an argument), and return
 * only the cases whose citizen identity is linked to that account (`citizen_account_links`:
 * channels linked by code, the portal identity of submissions made while logged in).
 * Any other scope (an operator, a comune, a system scope `*`) gets nothing.
 */
const ACCOUNT = `
        v_account bigint;
      BEGIN
        IF (SELECT sportello_scope_citizen()) !~ '^[1-9][0-9]{0,18}$' THEN
          RETURN;
        END IF;
        v_account := (SELECT sportello_scope_citizen())::bigint;`;

const COLUMNS = `t.reference, c.name AS comune_name, c.slug AS comune_slug, t.type, t.category, t.status, t.channel, t.created_at,
               (SELECT min(e.created_at) FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'ticket.assigned') AS taken_at,
               (SELECT tm.resolution_due_at FROM ticket_metrics tm WHERE tm.ticket_id = t.id AND tm.sla_policy_id IS NOT NULL) AS expected_at,
               t.resolved_at,
               (SELECT max(m.created_at) FROM messages m WHERE m.ticket_id = t.id AND NOT m.internal) AS last_message_at`;

const OWNED = `t.citizen_identity_id IN (SELECT l.identity_id FROM citizen_account_links l WHERE l.account_id = v_account)`;

const RETURNS = `reference text, comune_name text, comune_slug text, type text, category text, status text, channel text,
        created_at timestamptz, taken_at timestamptz, expected_at timestamptz, resolved_at timestamptz, last_message_at timestamptz`;

export class PortalMyCases1765650000000 implements MigrationInterface {
  name = 'PortalMyCases1765650000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION portal_my_cases() RETURNS TABLE (${RETURNS})
      LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      DECLARE${ACCOUNT}
        RETURN QUERY
        SELECT ${COLUMNS}
          FROM tickets t JOIN comuni c ON c.id = t.comune_id
         WHERE ${OWNED}
         ORDER BY t.created_at DESC, t.id DESC
         LIMIT 500;
      END $fn$`);
    // One case by reference, with its conversation as the citizen sees it (as the public case page
    // of src/portal/reports shows it): no internal note, no notice to a follower, no e-mail that
    // only announces an operator's reply. Another citizen's reference: no row.
    await q.query(`
      CREATE FUNCTION portal_my_case(p_reference text) RETURNS TABLE (${RETURNS},
        ticket_id bigint, comune_id integer, address text, messages json)
      LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      DECLARE${ACCOUNT}
        RETURN QUERY
        SELECT ${COLUMNS}, t.id, t.comune_id, t.payload->>'address',
               COALESCE((
                 SELECT json_agg(json_build_object(
                          'id', m.id::text, 'from', m.author_type, 'text', m.text, 'at', m.created_at,
                          'attachments', COALESCE((SELECT json_agg(json_build_object('id', a.id::text, 'filename', a.filename,
                                                                                      'contentType', a.content_type) ORDER BY a.id)
                                                     FROM attachments a WHERE a.message_id = m.id), '[]'::json)) ORDER BY m.id)
                   FROM messages m
                  WHERE m.ticket_id = t.id AND NOT m.internal
                    AND NOT EXISTS (SELECT 1 FROM report_follower_notices n WHERE n.message_id = m.id)
                    AND NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = m.ticket_id AND e.type = 'citizen.notified'
                                      AND e.data->>'kind' = 'portal_reply' AND e.data->>'messageId' = m.id::text)), '[]'::json)
          FROM tickets t JOIN comuni c ON c.id = t.comune_id
         WHERE t.reference = p_reference AND ${OWNED};
      END $fn$`);
    // A portal submission made while logged in: its portal identity (mailto:<the account's e-mail>)
    // becomes one of the account's links, unless another account holds it already.
    await q.query(`
      CREATE FUNCTION portal_link_submission(p_reference text, p_address text) RETURNS boolean
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      DECLARE
        v_account bigint;
        v_identity bigint;
      BEGIN
        IF (SELECT sportello_scope_citizen()) !~ '^[1-9][0-9]{0,18}$' THEN
          RETURN FALSE;
        END IF;
        v_account := (SELECT sportello_scope_citizen())::bigint;
        SELECT ci.id INTO v_identity FROM citizen_identities ci
          JOIN tickets t ON t.citizen_identity_id = ci.id
         WHERE t.reference = p_reference AND t.channel = 'portal' AND ci.channel = 'portal' AND ci.address = p_address
           AND p_address = 'mailto:' || lower((SELECT a.email FROM citizen_accounts a WHERE a.id = v_account));
        IF v_identity IS NULL THEN
          RETURN FALSE;
        END IF;
        INSERT INTO citizen_account_links (account_id, identity_id, channel, address)
        SELECT v_account, ci.id, ci.channel, ci.address FROM citizen_identities ci WHERE ci.id = v_identity
        ON CONFLICT (identity_id) DO NOTHING;
        RETURN EXISTS (SELECT 1 FROM citizen_account_links l WHERE l.identity_id = v_identity AND l.account_id = v_account);
      END $fn$`);
    // The sender of the citizen's reply from the web on one of their cases (portal channel): the
    // ingest joins a reference only from an identity of the case's citizen. A portal case: its own
    // address (the anonymous case page's). A case from a linked channel: a portal identity of the
    // account for that citizen (`account:<id>:citizen:<id>`, known to the case's comune), created
    // once. The portal channel delivers an operator's answer on the page and by the consented
    // contact, never to this address. Not one of the account's cases: NULL.
    await q.query(`
      CREATE FUNCTION portal_reply_identity(p_reference text) RETURNS text
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      DECLARE
        v_account bigint;
        v_ticket record;
        v_address text;
        v_identity bigint;
      BEGIN
        IF (SELECT sportello_scope_citizen()) !~ '^[1-9][0-9]{0,18}$' THEN
          RETURN NULL;
        END IF;
        v_account := (SELECT sportello_scope_citizen())::bigint;
        SELECT t.citizen_id, t.comune_id, ci.channel, ci.address INTO v_ticket
          FROM tickets t JOIN citizen_identities ci ON ci.id = t.citizen_identity_id
         WHERE t.reference = p_reference AND ${OWNED};
        IF v_ticket.citizen_id IS NULL THEN
          RETURN NULL;
        END IF;
        IF v_ticket.channel = 'portal' THEN
          RETURN v_ticket.address;
        END IF;
        v_address := 'account:' || v_account || ':citizen:' || v_ticket.citizen_id;
        INSERT INTO citizen_identities (citizen_id, channel, address, display_name)
        SELECT v_ticket.citizen_id, 'portal', v_address,
               nullif(trim(coalesce(a.given_name, '') || ' ' || coalesce(a.family_name, '')), '')
          FROM citizen_accounts a WHERE a.id = v_account
        ON CONFLICT (channel, address) DO NOTHING;
        SELECT ci.id INTO v_identity FROM citizen_identities ci
         WHERE ci.channel = 'portal' AND ci.address = v_address AND ci.citizen_id = v_ticket.citizen_id;
        IF v_identity IS NULL THEN
          RETURN NULL;
        END IF;
        INSERT INTO citizen_identity_comuni (comune_id, identity_id) VALUES (v_ticket.comune_id, v_identity) ON CONFLICT DO NOTHING;
        RETURN v_address;
      END $fn$`);
    for (const fn of ['portal_my_cases()', 'portal_my_case(text)', 'portal_link_submission(text, text)', 'portal_reply_identity(text)']) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO ${APP_ROLE}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS portal_reply_identity(text)`);
    await q.query(`DROP FUNCTION IF EXISTS portal_link_submission(text, text)`);
    await q.query(`DROP FUNCTION IF EXISTS portal_my_case(text)`);
    await q.query(`DROP FUNCTION IF EXISTS portal_my_cases()`);
  }
}
