import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tables of the participation kernel under row-level security (test/service/row-level-security.spec.ts lists them). */
export const PARTICIPATION_TENANT_TABLES = [
  'participation_spaces',
  'participation_items',
  'participation_contributions',
  'participation_flags',
  'participation_follows',
  'participation_events',
  'participation_blocks',
  'participation_settings',
] as const;

const IN_SCOPE = `((SELECT sportello_scope_all()) OR comune_id = ANY ((SELECT sportello_scope_comuni())::integer[]))`;
/** Any session with a scope: a comune's, the metropolitan one, a system one, or a citizen's. */
const ANY_SCOPE = `((SELECT sportello_scope_all()) OR cardinality((SELECT sportello_scope_comuni())) > 0 OR (SELECT sportello_scope_citizen()) <> '')`;
const OWN = (column: string) => `${column}::text = (SELECT sportello_scope_citizen())`;

/**
 * The participation kernel (src/participation/kernel): the e-democracy services (debates,
 * proposals, petitions, consultations, participatory planning, and later the commons) share these
 * tables; each service is one folder with a manifest that names its item and contribution kinds.
 *
 * - `participation_spaces`: a process with phases and dates, owned by a comune or — `comune_id`
 *   NULL — by the Metropolitan City (as the catalogue's metropolitan entries).
 * - `participation_items`: the public things inside a space (a proposal, a petition, a
 *   questionnaire, a debate, a planning hypothesis). Denormalised counters (`score`: supports,
 *   signatures, preferences; `comment_count`; `flag_count`) are written in the same transaction as
 *   the contribution that changes them.
 * - `participation_contributions`: what citizens do to items (support, signature, answer, comment,
 *   vote, preference, remark). `person_key` is the person a once-per-person contribution counts
 *   for — the verified fiscal code (`cf:…`) or the account (`acct:…`) — and the unique index on
 *   (item, kind, person_key) is what makes "one signature per person" true under any concurrency;
 *   comments leave it NULL. Paper signatures entered by staff carry the signer's fiscal code the same way.
 * - `participation_flags`: a citizen's report of an item or comment (one per person and target);
 *   `participation_blocks`: authors a comune's moderators blocked; `participation_events`: the
 *   log of what happened (moderation, answers, milestones), also what followers' digests are made of;
 *   `participation_follows`: who follows a space or an item; `participation_settings`: per comune.
 *
 * Row-level security: the usual `tenant_scope` (a comune's rows in its scope). A citizen acting on
 * a comune's item runs in that comune's scope *and* their own account's (TenantScope.citizenIn), so the
 * same policy admits them. The Metropolitan City's rows (`comune_id` NULL) are readable by every
 * scoped session; its spaces and items are written only in the metropolitan scope, while
 * contributions, flags and follows to them are written by any scoped session (a citizen's). A
 * citizen's own contributions, flags and follows are readable in their own scope, in any comune.
 */
export class Participation1765800000000 implements MigrationInterface {
  name = 'Participation1765800000000';

  async up(q: QueryRunner): Promise<void> {
    // Moderators: staff who keep the comune's public texts in order (the moderation queue), and only that.
    await q.query(`ALTER TABLE operators DROP CONSTRAINT IF EXISTS operators_role_check`);
    await q.query(
      `ALTER TABLE operators ADD CONSTRAINT operators_role_check CHECK (role IN ('operator','supervisor','manager','metro_admin','moderator'))`,
    );

    await q.query(`
      CREATE TABLE participation_spaces (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        comune_id    integer REFERENCES comuni(id) ON DELETE CASCADE,
        service      text NOT NULL CHECK (service ~ '^[a-z][a-z0-9_]{0,39}$'),
        slug         text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
        title_it     text NOT NULL CHECK (length(btrim(title_it)) BETWEEN 1 AND 200),
        title_en     text CHECK (title_en IS NULL OR length(btrim(title_en)) BETWEEN 1 AND 200),
        summary_it   text NOT NULL DEFAULT '' CHECK (length(summary_it) <= 600),
        summary_en   text CHECK (summary_en IS NULL OR length(summary_en) <= 600),
        body_it      text NOT NULL DEFAULT '' CHECK (length(body_it) <= 20000),
        body_en      text CHECK (body_en IS NULL OR length(body_en) <= 20000),
        phases       jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(phases) = 'array'),
        settings     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
        opens_at     timestamptz,
        closes_at    timestamptz CHECK (closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at),
        state        text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'published', 'closed', 'archived')),
        created_by   integer REFERENCES operators(id) ON DELETE SET NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now(),
        UNIQUE NULLS NOT DISTINCT (comune_id, slug)
      )`);
    await q.query(`CREATE INDEX participation_spaces_list ON participation_spaces (comune_id, state, service, created_at DESC)`);

    await q.query(`
      CREATE TABLE participation_items (
        id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        comune_id          integer REFERENCES comuni(id) ON DELETE CASCADE,
        space_id           bigint NOT NULL REFERENCES participation_spaces(id) ON DELETE CASCADE,
        service            text NOT NULL,
        kind               text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{0,39}$'),
        title              text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
        body               text NOT NULL DEFAULT '' CHECK (length(body) <= 20000),
        category           text CHECK (category IS NULL OR length(category) BETWEEN 1 AND 80),
        location           geometry(Geometry, 4326),
        data               jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(data) = 'object'),
        author_account_id  bigint REFERENCES citizen_accounts(id) ON DELETE SET NULL,
        author_operator_id integer REFERENCES operators(id) ON DELETE SET NULL,
        author_name        text CHECK (author_name IS NULL OR length(author_name) <= 120),
        stage              text NOT NULL CHECK (stage ~ '^[a-z][a-z0-9_]{0,39}$'),
        visibility         text NOT NULL DEFAULT 'published' CHECK (visibility IN ('pending', 'published', 'hidden', 'withdrawn')),
        hidden_reason      text,
        score              integer NOT NULL DEFAULT 0,
        comment_count      integer NOT NULL DEFAULT 0,
        flag_count         integer NOT NULL DEFAULT 0,
        answer_status      text CHECK (answer_status IS NULL OR answer_status ~ '^[a-z][a-z_]{0,39}$'),
        answer_it          text CHECK (answer_it IS NULL OR length(answer_it) <= 20000),
        answer_en          text CHECK (answer_en IS NULL OR length(answer_en) <= 20000),
        answered_at        timestamptz,
        answered_by        integer REFERENCES operators(id) ON DELETE SET NULL,
        ticket_id          bigint REFERENCES tickets(id) ON DELETE SET NULL,
        search             tsvector GENERATED ALWAYS AS (
                             setweight(to_tsvector('italian', title), 'A') || setweight(to_tsvector('italian', body), 'B')) STORED,
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now(),
        published_at       timestamptz
      )`);
    // The public lists: newest, most supported, by category and stage, in one space.
    await q.query(`CREATE INDEX participation_items_recent ON participation_items (space_id, visibility, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX participation_items_score ON participation_items (space_id, visibility, score DESC, id DESC)`);
    await q.query(`CREATE INDEX participation_items_category ON participation_items (space_id, category, visibility, created_at DESC)`);
    await q.query(`CREATE INDEX participation_items_search ON participation_items USING gin (search)`);
    await q.query(`CREATE INDEX participation_items_location ON participation_items USING gist (location)`);
    await q.query(`CREATE INDEX participation_items_author ON participation_items (author_account_id) WHERE author_account_id IS NOT NULL`);
    await q.query(
      `CREATE INDEX participation_items_pending ON participation_items (comune_id, visibility) WHERE visibility <> 'published'`,
    );

    await q.query(`
      CREATE TABLE participation_contributions (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        comune_id    integer REFERENCES comuni(id) ON DELETE CASCADE,
        space_id     bigint NOT NULL REFERENCES participation_spaces(id) ON DELETE CASCADE,
        item_id      bigint NOT NULL REFERENCES participation_items(id) ON DELETE CASCADE,
        kind         text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{0,39}$'),
        account_id   bigint REFERENCES citizen_accounts(id) ON DELETE SET NULL,
        person_key   text CHECK (person_key IS NULL OR person_key ~ '^(cf:[A-Z0-9]{11,16}|acct:[0-9]{1,19})$'),
        parent_id    bigint REFERENCES participation_contributions(id) ON DELETE CASCADE,
        body         text CHECK (body IS NULL OR length(body) <= 5000),
        data         jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(data) = 'object'),
        location     geometry(Point, 4326),
        visibility   text NOT NULL DEFAULT 'published' CHECK (visibility IN ('pending', 'published', 'hidden', 'withdrawn')),
        hidden_reason text,
        source       text NOT NULL DEFAULT 'portal' CHECK (source IN ('portal', 'paper', 'staff')),
        entered_by   integer REFERENCES operators(id) ON DELETE SET NULL,
        author_name  text CHECK (author_name IS NULL OR length(author_name) <= 120),
        assurance    text CHECK (assurance IS NULL OR assurance IN ('email', 'spid', 'cie')),
        official     boolean NOT NULL DEFAULT false,
        score        integer NOT NULL DEFAULT 0,
        flag_count   integer NOT NULL DEFAULT 0,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    // One per person where the kind says so: the database, not the code, refuses the second.
    await q.query(`CREATE UNIQUE INDEX participation_contributions_once ON participation_contributions (item_id, kind, person_key)
      WHERE parent_id IS NULL AND person_key IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX participation_contributions_child_once ON participation_contributions (parent_id, kind, person_key)
      WHERE parent_id IS NOT NULL AND person_key IS NOT NULL`);
    await q.query(
      `CREATE INDEX participation_contributions_item ON participation_contributions (item_id, kind, visibility, created_at, id)`,
    );
    await q.query(`CREATE INDEX participation_contributions_parent ON participation_contributions (parent_id) WHERE parent_id IS NOT NULL`);
    await q.query(`CREATE INDEX participation_contributions_space_person ON participation_contributions (space_id, kind, person_key)`);
    await q.query(
      `CREATE INDEX participation_contributions_account ON participation_contributions (account_id) WHERE account_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX participation_contributions_location ON participation_contributions USING gist (location)`);

    await q.query(`
      CREATE TABLE participation_flags (
        id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        comune_id        integer REFERENCES comuni(id) ON DELETE CASCADE,
        item_id          bigint NOT NULL REFERENCES participation_items(id) ON DELETE CASCADE,
        contribution_id  bigint REFERENCES participation_contributions(id) ON DELETE CASCADE,
        account_id       bigint REFERENCES citizen_accounts(id) ON DELETE SET NULL,
        person_key       text NOT NULL,
        reason           text NOT NULL CHECK (reason IN ('spam', 'offensive', 'off_topic')),
        note             text CHECK (note IS NULL OR length(note) <= 500),
        state            text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'upheld', 'dismissed')),
        resolved_at      timestamptz,
        resolved_by      integer REFERENCES operators(id) ON DELETE SET NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        UNIQUE NULLS NOT DISTINCT (item_id, contribution_id, person_key)
      )`);
    await q.query(`CREATE INDEX participation_flags_open ON participation_flags (comune_id, state, created_at) WHERE state = 'open'`);

    await q.query(`
      CREATE TABLE participation_follows (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        comune_id   integer REFERENCES comuni(id) ON DELETE CASCADE,
        account_id  bigint NOT NULL REFERENCES citizen_accounts(id) ON DELETE CASCADE,
        space_id    bigint NOT NULL REFERENCES participation_spaces(id) ON DELETE CASCADE,
        item_id     bigint REFERENCES participation_items(id) ON DELETE CASCADE,
        created_at  timestamptz NOT NULL DEFAULT now(),
        UNIQUE NULLS NOT DISTINCT (account_id, space_id, item_id)
      )`);
    await q.query(`CREATE INDEX participation_follows_item ON participation_follows (item_id) WHERE item_id IS NOT NULL`);
    await q.query(`CREATE INDEX participation_follows_space ON participation_follows (space_id) WHERE item_id IS NULL`);

    await q.query(`
      CREATE TABLE participation_events (
        id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        comune_id         integer REFERENCES comuni(id) ON DELETE CASCADE,
        space_id          bigint REFERENCES participation_spaces(id) ON DELETE CASCADE,
        item_id           bigint REFERENCES participation_items(id) ON DELETE CASCADE,
        contribution_id   bigint REFERENCES participation_contributions(id) ON DELETE SET NULL,
        type              text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_.]{0,59}$'),
        actor_type        text NOT NULL CHECK (actor_type IN ('citizen', 'operator', 'system')),
        actor_account_id  bigint REFERENCES citizen_accounts(id) ON DELETE SET NULL,
        actor_operator_id integer REFERENCES operators(id) ON DELETE SET NULL,
        data              jsonb NOT NULL DEFAULT '{}',
        created_at        timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX participation_events_item ON participation_events (item_id, id) WHERE item_id IS NOT NULL`);
    await q.query(`CREATE INDEX participation_events_space ON participation_events (space_id, id)`);
    await q.query(`CREATE INDEX participation_events_recent ON participation_events (created_at, id)`);

    await q.query(`
      CREATE TABLE participation_blocks (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        comune_id    integer REFERENCES comuni(id) ON DELETE CASCADE,
        account_id   bigint NOT NULL REFERENCES citizen_accounts(id) ON DELETE CASCADE,
        reason       text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 500),
        until        timestamptz,
        created_by   integer REFERENCES operators(id) ON DELETE SET NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        lifted_at    timestamptz
      )`);
    await q.query(`CREATE INDEX participation_blocks_account ON participation_blocks (account_id, comune_id) WHERE lifted_at IS NULL`);

    await q.query(`
      CREATE TABLE participation_settings (
        comune_id        integer PRIMARY KEY REFERENCES comuni(id) ON DELETE CASCADE,
        hide_threshold   integer NOT NULL DEFAULT 3 CHECK (hide_threshold BETWEEN 1 AND 100),
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);

    for (const table of PARTICIPATION_TENANT_TABLES) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY tenant_scope ON ${table} USING ${IN_SCOPE}`);
    }
    // The Metropolitan City's spaces and items: read by every scoped session, written in the metropolitan scope.
    for (const table of ['participation_spaces', 'participation_items']) {
      await q.query(`CREATE POLICY metropolitan_read ON ${table} FOR SELECT USING (comune_id IS NULL AND ${ANY_SCOPE})`);
    }
    // What citizens write to the Metropolitan City's items, from any scoped session.
    for (const table of ['participation_contributions', 'participation_flags', 'participation_follows', 'participation_events']) {
      await q.query(`CREATE POLICY metropolitan_rows ON ${table} USING (comune_id IS NULL AND ${ANY_SCOPE})`);
    }
    // A citizen's own rows, in every comune (their contributions, flags, follows and blocks).
    for (const table of ['participation_contributions', 'participation_flags', 'participation_follows', 'participation_blocks']) {
      await q.query(`CREATE POLICY own_rows ON ${table} FOR SELECT USING (${OWN('account_id')})`);
    }

    // An item belongs to its space's comune; a contribution, flag, follow or event to its item's (or space's).
    await q.query(`
      CREATE FUNCTION participation_check_comune() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      DECLARE v_comune integer; v_found boolean;
      BEGIN
        IF TG_TABLE_NAME = 'participation_items' THEN
          SELECT s.comune_id, true INTO v_comune, v_found FROM participation_spaces s WHERE s.id = NEW.space_id;
        ELSIF TG_TABLE_NAME = 'participation_follows' THEN
          IF NEW.item_id IS NULL THEN
            SELECT s.comune_id, true INTO v_comune, v_found FROM participation_spaces s WHERE s.id = NEW.space_id;
          ELSE
            SELECT i.comune_id, true INTO v_comune, v_found FROM participation_items i WHERE i.id = NEW.item_id;
          END IF;
        ELSE
          SELECT i.comune_id, true INTO v_comune, v_found FROM participation_items i WHERE i.id = NEW.item_id;
        END IF;
        IF v_found AND NEW.comune_id IS DISTINCT FROM v_comune THEN
          RAISE EXCEPTION 'participation row of comune % in a space or item of comune %', NEW.comune_id, v_comune
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $fn$`);
    for (const table of ['participation_items', 'participation_contributions', 'participation_flags', 'participation_follows']) {
      await q.query(`CREATE TRIGGER ${table}_comune BEFORE INSERT OR UPDATE OF comune_id ON ${table}
        FOR EACH ROW EXECUTE FUNCTION participation_check_comune()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [...PARTICIPATION_TENANT_TABLES].reverse()) await q.query(`DROP TABLE IF EXISTS ${table} CASCADE`);
    await q.query(`DROP FUNCTION IF EXISTS participation_check_comune()`);
    await q.query(`ALTER TABLE operators DROP CONSTRAINT IF EXISTS operators_role_check`);
    await q.query(
      `ALTER TABLE operators ADD CONSTRAINT operators_role_check CHECK (role IN ('operator','supervisor','manager','metro_admin'))`,
    );
  }
}
