import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The citizens' portal accounts (src/portal/identity), under row-level security through a citizen scope.
 *
 * - `citizen_accounts`: one person, keyed on the verified fiscal code (SPID/CIE) or, for an
 *   e-mail-only account, on the verified e-mail (`email_key`), with the level of assurance reached.
 *   Not owned by a comune. The policy reads the setting `sportello.citizen` (src/tenancy/db-scope.ts):
 *   a citizen's scope sees its own account, a named system scope (login, lookup) every account,
 *   anything else — an operator, even the metropolitan administrator — none.
 * - `citizen_sessions`, `citizen_account_links`, `portal_link_codes`: rows of an account, seen by
 *   that account's scope and by system scopes.
 * - `portal_oidc_flows`, `portal_email_codes`: login in progress, before anyone is known: system scopes only.
 * A citizen's scope names no comune (`sportello.comuni` is empty): it sees no comune's tickets.
 */
const OWN_OR_SYSTEM = (column: string) =>
  `USING ((SELECT sportello_scope_citizen()) = '*' OR ${column}::text = (SELECT sportello_scope_citizen()))`;
const SYSTEM_ONLY = `USING ((SELECT sportello_scope_citizen()) = '*')`;

export class CitizenAccounts1765500000000 implements MigrationInterface {
  name = 'CitizenAccounts1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION sportello_scope_citizen() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT coalesce(current_setting('sportello.citizen', true), '')
      $$`);
    await q.query(`
      CREATE TABLE citizen_accounts (
        id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        fiscal_code    text UNIQUE CHECK (fiscal_code ~ '^[A-Z0-9]{11,16}$'),
        email_key      text UNIQUE,
        email          text,
        given_name     text,
        family_name    text,
        assurance      text NOT NULL CHECK (assurance IN ('email', 'spid', 'cie')),
        level          smallint NOT NULL CHECK (level BETWEEN 1 AND 3),
        created_at     timestamptz NOT NULL DEFAULT now(),
        last_login_at  timestamptz NOT NULL DEFAULT now(),
        CHECK (fiscal_code IS NOT NULL OR email_key IS NOT NULL),
        CHECK (assurance = 'email' OR fiscal_code IS NOT NULL)
      )`);
    await q.query(`
      CREATE TABLE citizen_sessions (
        id            text PRIMARY KEY,
        account_id    bigint NOT NULL REFERENCES citizen_accounts(id) ON DELETE CASCADE,
        -- What this login proved (the account keeps the highest level it ever reached).
        assurance     text NOT NULL CHECK (assurance IN ('email', 'spid', 'cie')),
        level         smallint NOT NULL CHECK (level BETWEEN 1 AND 3),
        -- The gateway's id_token, the id_token_hint of the logout at the gateway.
        id_token      text,
        created_at    timestamptz NOT NULL DEFAULT now(),
        last_seen_at  timestamptz NOT NULL DEFAULT now(),
        expires_at    timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX citizen_sessions_account ON citizen_sessions (account_id)`);
    await q.query(`
      CREATE TABLE portal_oidc_flows (
        id             text PRIMARY KEY,
        state          text NOT NULL,
        nonce          text NOT NULL,
        code_verifier  text NOT NULL,
        method         text NOT NULL CHECK (method IN ('spid', 'cie')),
        return_to      text NOT NULL,
        session_id     text,
        expires_at     timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE portal_email_codes (
        email       text PRIMARY KEY,
        code_hash   text NOT NULL,
        attempts    integer NOT NULL DEFAULT 0,
        expires_at  timestamptz NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE citizen_account_links (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account_id   bigint NOT NULL REFERENCES citizen_accounts(id) ON DELETE CASCADE,
        identity_id  bigint NOT NULL UNIQUE REFERENCES citizen_identities(id) ON DELETE CASCADE,
        channel      text NOT NULL,
        address      text NOT NULL,
        linked_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX citizen_account_links_account ON citizen_account_links (account_id)`);
    await q.query(`
      CREATE TABLE portal_link_codes (
        code_hash   text PRIMARY KEY,
        account_id  bigint NOT NULL REFERENCES citizen_accounts(id) ON DELETE CASCADE,
        channel     text NOT NULL,
        expires_at  timestamptz NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX portal_link_codes_account ON portal_link_codes (account_id)`);

    // The provider ids of the link messages already handled (they are stored on no case): a provider
    // delivering one again gets no second answer. No personal data, no comune: no row-level security.
    await q.query(`
      CREATE TABLE portal_link_messages (
        channel      text NOT NULL,
        external_id  text NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (channel, external_id)
      )`);
    // Redeeming a link code sent from a channel: inside the ingest's transaction, in the comune's scope,
    // which sees no portal row. The code (hashed) names the account; the identity must be one the
    // caller's comune knows (the registry's rule). Used once: the code is deleted.
    await q.query(`
      CREATE FUNCTION sportello_redeem_link_code(p_code_hash text, p_channel text, p_identity bigint)
      RETURNS bigint
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      DECLARE
        v_account bigint;
        v_identity citizen_identities%ROWTYPE;
      BEGIN
        SELECT * INTO v_identity FROM citizen_identities ci WHERE ci.id = p_identity;
        IF v_identity.id IS NULL OR NOT EXISTS (
             SELECT 1 FROM citizen_identity_comuni l
              WHERE l.identity_id = p_identity
                AND ((SELECT sportello_scope_all()) OR l.comune_id = ANY ((SELECT sportello_scope_comuni())::integer[]))) THEN
          RAISE EXCEPTION 'identity % is outside the scope of this session', p_identity USING ERRCODE = 'insufficient_privilege';
        END IF;
        DELETE FROM portal_link_codes c WHERE c.code_hash = p_code_hash AND c.channel = p_channel AND c.expires_at > now()
        RETURNING c.account_id INTO v_account;
        IF v_account IS NULL THEN
          RETURN NULL;
        END IF;
        INSERT INTO citizen_account_links (account_id, identity_id, channel, address)
        VALUES (v_account, p_identity, v_identity.channel, v_identity.address)
        ON CONFLICT (identity_id) DO UPDATE SET account_id = EXCLUDED.account_id, linked_at = now();
        RETURN v_account;
      END $fn$`);
    await q.query(`REVOKE ALL ON FUNCTION sportello_redeem_link_code(text, text, bigint) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION sportello_redeem_link_code(text, text, bigint) TO sportello_app`);

    const policies: Array<[string, string]> = [
      ['citizen_accounts', OWN_OR_SYSTEM('id')],
      ['citizen_sessions', OWN_OR_SYSTEM('account_id')],
      ['citizen_account_links', OWN_OR_SYSTEM('account_id')],
      ['portal_link_codes', OWN_OR_SYSTEM('account_id')],
      ['portal_oidc_flows', SYSTEM_ONLY],
      ['portal_email_codes', SYSTEM_ONLY],
    ];
    for (const [table, using] of policies) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY citizen_scope ON ${table} ${using}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'portal_link_codes',
      'citizen_account_links',
      'portal_email_codes',
      'portal_oidc_flows',
      'citizen_sessions',
      'citizen_accounts',
    ])
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    await q.query(`DROP FUNCTION IF EXISTS sportello_redeem_link_code(text, text, bigint)`);
    await q.query(`DROP FUNCTION IF EXISTS sportello_scope_citizen()`);
  }
}
