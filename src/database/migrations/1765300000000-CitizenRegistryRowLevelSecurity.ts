import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE, INGEST_MESSAGE_TENANT_IDENTITIES, replaceOnce } from './1765200000000-TenantRowLevelSecurity.js';

/**
 * The person registry under row-level security.
 *
 * - `citizen_identities` (phone numbers, e-mail addresses, fiscal codes) are visible to a scope that
 *   knows them: a system or metropolitan scope, or a comune with a `citizen_identity_comuni` link to
 *   the identity (that sub-select is itself filtered by the link table's policy). `citizens` are
 *   visible when one of their identities is, or one of their tickets is.
 * - The application's role cannot insert either directly (a new row has no link yet: the policy,
 *   used as WITH CHECK, refuses it). What must see across comuni goes through three narrow
 *   SECURITY DEFINER functions, each refusing a comune outside the caller's scope:
 *   `sportello_identity_lookup` (the sender's identity, read only: the ingest finds the open
 *   ticket with it before it writes anything), `sportello_identity_link` (find or create the
 *   identity, and its citizen when new, and the comune's link with the name given there) and
 *   `sportello_adopt_contact` (a notice's recipient who answers becomes an identity of the
 *   ticket's citizen, unless the address is already someone else's).
 */
const SCOPE_CHECK = `
        IF NOT ((SELECT sportello_scope_all()) OR p_comune = ANY ((SELECT sportello_scope_comuni())::integer[])) THEN
          RAISE EXCEPTION 'comune % is outside the scope of this session', p_comune USING ERRCODE = 'insufficient_privilege';
        END IF;`;

const IDENTITY_LOOKUP = `
      CREATE OR REPLACE FUNCTION sportello_identity_lookup(p_channel text, p_address text, p_comune integer)
      RETURNS TABLE (identity_id bigint, citizen_id bigint)
      LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      BEGIN
        -- An unknown comune knows nobody (the ingest then answers 404 where it creates the identity).
        IF NOT EXISTS (SELECT 1 FROM comuni c WHERE c.id = p_comune) THEN
          RETURN;
        END IF;${SCOPE_CHECK}
        RETURN QUERY SELECT ci.id, ci.citizen_id FROM citizen_identities ci WHERE ci.channel = p_channel AND ci.address = p_address;
      END $fn$`;

const IDENTITY_LINK = `
      CREATE OR REPLACE FUNCTION sportello_identity_link(p_channel text, p_address text, p_comune integer, p_display_name text)
      RETURNS TABLE (identity_id bigint, citizen_id bigint)
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      DECLARE
        v_identity bigint;
        v_citizen bigint;
      BEGIN
        -- An unknown comune answers as the ingest always did (404), before the scope is looked at.
        IF NOT EXISTS (SELECT 1 FROM comuni c WHERE c.id = p_comune) THEN
          RAISE EXCEPTION 'unknown comune %', p_comune USING ERRCODE = 'no_data_found';
        END IF;${SCOPE_CHECK}
        SELECT ci.id, ci.citizen_id INTO v_identity, v_citizen
          FROM citizen_identities ci WHERE ci.channel = p_channel AND ci.address = p_address;
        IF v_identity IS NULL THEN
          WITH c AS (INSERT INTO citizens (display_name) VALUES (p_display_name) RETURNING id)
          INSERT INTO citizen_identities (citizen_id, channel, address, display_name)
          SELECT c.id, p_channel, p_address, p_display_name FROM c
          RETURNING citizen_identities.id, citizen_identities.citizen_id INTO v_identity, v_citizen;
        END IF;
        -- The comune knows the identity, by the name given on its channel (another comune's is not touched).
        INSERT INTO citizen_identity_comuni AS l (identity_id, comune_id, display_name)
        VALUES (v_identity, p_comune, p_display_name)
        ON CONFLICT ON CONSTRAINT citizen_identity_comuni_pkey DO UPDATE SET display_name = EXCLUDED.display_name
         WHERE EXCLUDED.display_name IS NOT NULL AND l.display_name IS DISTINCT FROM EXCLUDED.display_name;
        RETURN QUERY SELECT v_identity, v_citizen;
      END $fn$`;

const ADOPT_CONTACT = `
      CREATE OR REPLACE FUNCTION sportello_adopt_contact(p_citizen bigint, p_channel text, p_address text, p_comune integer, p_display_name text)
      RETURNS boolean
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      DECLARE
        v_identity bigint;
        v_owner bigint;
      BEGIN${SCOPE_CHECK}
        -- Only a citizen of one of this comune's tickets.
        IF NOT EXISTS (SELECT 1 FROM tickets t WHERE t.citizen_id = p_citizen AND t.comune_id = p_comune) THEN
          RETURN false;
        END IF;
        INSERT INTO citizen_identities (citizen_id, channel, address, display_name)
        VALUES (p_citizen, p_channel, p_address, p_display_name)
        ON CONFLICT (channel, address) DO NOTHING RETURNING id INTO v_identity;
        IF v_identity IS NOT NULL THEN
          INSERT INTO citizen_identity_comuni (comune_id, identity_id, display_name)
          VALUES (p_comune, v_identity, p_display_name) ON CONFLICT DO NOTHING;
          RETURN true;
        END IF;
        -- Already an identity: the same citizen's (adopted by an earlier answer) or someone else's.
        SELECT ci.citizen_id INTO v_owner FROM citizen_identities ci WHERE ci.channel = p_channel AND ci.address = p_address;
        RETURN v_owner IS NOT DISTINCT FROM p_citizen;
      END $fn$`;

const FUNCTIONS = [
  'sportello_identity_lookup(text, text, integer)',
  'sportello_identity_link(text, text, integer, text)',
  'sportello_adopt_contact(bigint, text, text, integer, text)',
];

const OLD_LOOKUP = `
        SELECT ci.id, ci.citizen_id INTO v_identity, v_citizen
          FROM citizen_identities ci WHERE ci.channel = p_channel AND ci.address = p_address;
`;
const NEW_LOOKUP = `
        SELECT f.identity_id, f.citizen_id INTO v_identity, v_citizen
          FROM sportello_identity_lookup(p_channel, p_address, p_comune) f;
`;
const OLD_CREATE = `
        IF v_identity IS NULL THEN
          WITH c AS (INSERT INTO citizens (display_name) VALUES (p_display_name) RETURNING id)
          INSERT INTO citizen_identities (citizen_id, channel, address, display_name)
          SELECT c.id, p_channel, p_address, p_display_name FROM c
          RETURNING id, citizen_identities.citizen_id INTO v_identity, v_citizen;
        END IF;
`;
const NEW_CREATE = `
        IF v_identity IS NULL THEN
          SELECT f.identity_id, f.citizen_id INTO v_identity, v_citizen
            FROM sportello_identity_link(p_channel, p_address, p_comune, p_display_name) f;
        END IF;
`;
const OLD_LINK = `
        INSERT INTO citizen_identity_comuni AS l (identity_id, comune_id, display_name)
        VALUES (v_identity, t.comune_id, p_display_name)
        ON CONFLICT ON CONSTRAINT citizen_identity_comuni_pkey DO UPDATE SET display_name = EXCLUDED.display_name
         WHERE EXCLUDED.display_name IS NOT NULL AND l.display_name IS DISTINCT FROM EXCLUDED.display_name;
`;
const NEW_LINK = `
        PERFORM sportello_identity_link(p_channel, p_address, t.comune_id, p_display_name);
`;

/** ingest_message as of this migration: the identity is found, created and linked through the definer functions. */
export const INGEST_MESSAGE_REGISTRY_RLS = replaceOnce(
  replaceOnce(replaceOnce(INGEST_MESSAGE_TENANT_IDENTITIES, OLD_LOOKUP, NEW_LOOKUP), OLD_CREATE, NEW_CREATE),
  OLD_LINK,
  NEW_LINK,
);

export class CitizenRegistryRowLevelSecurity1765300000000 implements MigrationInterface {
  name = 'CitizenRegistryRowLevelSecurity1765300000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of [IDENTITY_LOOKUP, IDENTITY_LINK, ADOPT_CONTACT]) await q.query(sql);
    for (const fn of FUNCTIONS) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO ${APP_ROLE}`);
    }
    await q.query(INGEST_MESSAGE_REGISTRY_RLS);

    await q.query(`ALTER TABLE citizen_identities ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY registry_scope ON citizen_identities
      USING ((SELECT sportello_scope_all())
             OR EXISTS (SELECT 1 FROM citizen_identity_comuni l WHERE l.identity_id = citizen_identities.id))`);
    await q.query(`ALTER TABLE citizens ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY registry_scope ON citizens
      USING ((SELECT sportello_scope_all())
             OR EXISTS (SELECT 1 FROM citizen_identities i WHERE i.citizen_id = citizens.id)
             OR EXISTS (SELECT 1 FROM tickets t WHERE t.citizen_id = citizens.id))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP POLICY IF EXISTS registry_scope ON citizens`);
    await q.query(`ALTER TABLE citizens DISABLE ROW LEVEL SECURITY`);
    await q.query(`DROP POLICY IF EXISTS registry_scope ON citizen_identities`);
    await q.query(`ALTER TABLE citizen_identities DISABLE ROW LEVEL SECURITY`);
    await q.query(INGEST_MESSAGE_TENANT_IDENTITIES);
    for (const fn of FUNCTIONS) await q.query(`DROP FUNCTION IF EXISTS ${fn}`);
  }
}
