import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The core schema: tenants (comuni) with their boundaries, competence groups, operators,
 * citizens with channel identities, tickets, messages, attachments, the append-only ticket
 * event log and the transactional outbox.
 */
export class CoreSchema1764000000000 implements MigrationInterface {
  name = 'CoreSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS postgis`);

    await q.query(`
      CREATE TABLE comuni (
        id               serial PRIMARY KEY,
        istat_code       text NOT NULL UNIQUE,
        catasto_code     text,
        name             text NOT NULL,
        slug             text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
        reference_prefix text NOT NULL UNIQUE CHECK (reference_prefix ~ '^[A-Z]{2,4}$'),
        timezone         text NOT NULL DEFAULT 'Europe/Rome',
        boundary         geometry(MultiPolygon, 4326),
        -- Routing rules of this comune; NULL means the platform's default rules.
        routing_rules    jsonb,
        created_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX comuni_boundary_gist ON comuni USING gist (boundary)`);
    // Every comune numbers its tickets with its own sequence (no lock shared between comuni).
    await q.query(`
      CREATE FUNCTION comuni_create_ticket_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        EXECUTE format('CREATE SEQUENCE IF NOT EXISTS ticket_number_%s', NEW.id);
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER comuni_ticket_sequence AFTER INSERT ON comuni
      FOR EACH ROW EXECUTE FUNCTION comuni_create_ticket_sequence()`);
    await q.query(`
      CREATE FUNCTION next_ticket_number(comune integer) RETURNS bigint LANGUAGE sql AS $$
        SELECT nextval(format('ticket_number_%s', comune)::regclass)
      $$`);

    await q.query(`
      CREATE TABLE competence_groups (
        id          serial PRIMARY KEY,
        comune_id   integer NOT NULL REFERENCES comuni(id) ON DELETE CASCADE,
        code        text NOT NULL,
        name        text NOT NULL,
        name_en     text NOT NULL,
        is_default  boolean NOT NULL DEFAULT false,
        created_at  timestamptz NOT NULL DEFAULT now(),
        UNIQUE (comune_id, code),
        UNIQUE (id, comune_id)
      )`);

    await q.query(`
      CREATE TABLE operators (
        id                  serial PRIMARY KEY,
        comune_id           integer REFERENCES comuni(id) ON DELETE CASCADE,
        email               text NOT NULL UNIQUE CHECK (email = lower(email)),
        name                text NOT NULL,
        password_hash       text NOT NULL,
        role                text NOT NULL CHECK (role IN ('operator','supervisor','manager','metro_admin')),
        capacity            integer NOT NULL DEFAULT 5 CHECK (capacity >= 0),
        presence            text NOT NULL DEFAULT 'offline' CHECK (presence IN ('online','away','offline')),
        presence_changed_at timestamptz NOT NULL DEFAULT now(),
        last_offered_at     timestamptz,
        created_at          timestamptz NOT NULL DEFAULT now(),
        CHECK ((role = 'metro_admin') = (comune_id IS NULL))
      )`);
    await q.query(`
      CREATE TABLE operator_groups (
        operator_id integer NOT NULL REFERENCES operators(id) ON DELETE CASCADE,
        group_id    integer NOT NULL,
        comune_id   integer NOT NULL,
        PRIMARY KEY (operator_id, group_id),
        FOREIGN KEY (group_id, comune_id) REFERENCES competence_groups(id, comune_id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX operator_groups_group ON operator_groups (group_id)`);

    await q.query(`
      CREATE TABLE channel_accounts (
        id          serial PRIMARY KEY,
        comune_id   integer NOT NULL REFERENCES comuni(id) ON DELETE CASCADE,
        channel     text NOT NULL,
        label       text NOT NULL,
        config      jsonb NOT NULL DEFAULT '{}',
        secrets     jsonb NOT NULL DEFAULT '{}',
        key_hash    text UNIQUE,
        enabled     boolean NOT NULL DEFAULT true,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX channel_accounts_comune ON channel_accounts (comune_id, channel)`);

    // Citizens are people of the whole metropolitan area: one person may write to several comuni.
    // What a comune's operator sees of them is always reached through that comune's tickets.
    await q.query(`
      CREATE TABLE citizens (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        display_name  text,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE citizen_identities (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        citizen_id    bigint NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
        channel       text NOT NULL,
        address       text NOT NULL,
        display_name  text,
        created_at    timestamptz NOT NULL DEFAULT now(),
        UNIQUE (channel, address)
      )`);
    await q.query(`CREATE INDEX citizen_identities_citizen ON citizen_identities (citizen_id)`);

    await q.query(`
      CREATE TABLE tickets (
        id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        comune_id            integer NOT NULL REFERENCES comuni(id),
        reference            text NOT NULL UNIQUE,
        type                 text NOT NULL,
        category             text,
        priority             text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low','normal','high','urgent')),
        status               text NOT NULL DEFAULT 'new'
                               CHECK (status IN ('new','open','waiting_citizen','resolved','closed')),
        queue_state          text NOT NULL DEFAULT 'unrouted'
                               CHECK (queue_state IN ('unrouted','queued','offered','assigned','done')),
        subject              text,
        channel              text NOT NULL,
        citizen_id           bigint NOT NULL REFERENCES citizens(id),
        citizen_identity_id  bigint NOT NULL REFERENCES citizen_identities(id),
        group_id             integer,
        assignee_id          integer REFERENCES operators(id),
        offered_to_id        integer REFERENCES operators(id),
        offer_seq            integer NOT NULL DEFAULT 0,
        offer_expires_at     timestamptz,
        declined_by          integer[] NOT NULL DEFAULT '{}',
        waiting_since        timestamptz,
        location             geography(Point, 4326),
        payload              jsonb NOT NULL DEFAULT '{}',
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now(),
        first_response_at    timestamptz,
        resolved_at          timestamptz,
        last_message_at      timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (group_id, comune_id) REFERENCES competence_groups(id, comune_id)
      )`);
    await q.query(`CREATE INDEX tickets_comune_status ON tickets (comune_id, status, last_message_at DESC)`);
    await q.query(`CREATE INDEX tickets_queue ON tickets (comune_id, waiting_since, id) WHERE queue_state = 'queued'`);
    await q.query(`CREATE INDEX tickets_assignee_open ON tickets (assignee_id) WHERE queue_state = 'assigned'`);
    await q.query(`CREATE INDEX tickets_offered ON tickets (offered_to_id) WHERE queue_state = 'offered'`);
    await q.query(`CREATE INDEX tickets_identity_open ON tickets (citizen_identity_id, comune_id)
      WHERE status IN ('new','open','waiting_citizen')`);
    await q.query(`CREATE INDEX tickets_citizen ON tickets (citizen_id)`);
    await q.query(`CREATE INDEX tickets_location ON tickets USING gist (location) WHERE location IS NOT NULL`);

    await q.query(`
      CREATE TABLE messages (
        id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        ticket_id           bigint NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        comune_id           integer NOT NULL,
        direction           text NOT NULL CHECK (direction IN ('inbound','outbound')),
        author_type         text NOT NULL CHECK (author_type IN ('citizen','operator','bot','system')),
        author_operator_id  integer REFERENCES operators(id),
        internal            boolean NOT NULL DEFAULT false,
        text                text,
        channel             text NOT NULL,
        external_id         text,
        delivery_status     text NOT NULL
                              CHECK (delivery_status IN ('received','queued','sent','delivered','read','failed','not_sent')),
        delivery_error      text,
        created_at          timestamptz NOT NULL DEFAULT now(),
        CHECK (NOT internal OR direction = 'outbound')
      )`);
    // Idempotency: a provider's message id is stored once per channel.
    await q.query(`CREATE UNIQUE INDEX messages_external ON messages (channel, external_id) WHERE external_id IS NOT NULL`);
    await q.query(`CREATE INDEX messages_ticket ON messages (ticket_id, id)`);

    await q.query(`
      CREATE TABLE attachments (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        message_id    bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        comune_id     integer NOT NULL,
        storage_key   text NOT NULL,
        filename      text NOT NULL,
        content_type  text NOT NULL,
        size_bytes    integer NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX attachments_message ON attachments (message_id)`);

    await q.query(`
      CREATE TABLE ticket_events (
        id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        ticket_id          bigint NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        comune_id          integer NOT NULL,
        type               text NOT NULL,
        actor_type         text NOT NULL CHECK (actor_type IN ('citizen','operator','system')),
        actor_operator_id  integer REFERENCES operators(id),
        data               jsonb NOT NULL DEFAULT '{}',
        created_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id)`);
    await q.query(`CREATE INDEX ticket_events_comune_time ON ticket_events (comune_id, created_at)`);
    // The event log is append-only: the database itself refuses edits.
    await q.query(`
      CREATE FUNCTION ticket_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- Rows go only with their ticket (erasure of a whole ticket cascades here).
        IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM tickets WHERE id = OLD.ticket_id) THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'ticket_events is append-only (% refused)', TG_OP;
      END $$`);
    await q.query(`CREATE TRIGGER ticket_events_append_only BEFORE UPDATE OR DELETE ON ticket_events
      FOR EACH ROW EXECUTE FUNCTION ticket_events_append_only()`);

    await q.query(`
      CREATE TABLE outbox (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        topic         text NOT NULL,
        payload       jsonb NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        published_at  timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_pending ON outbox (id) WHERE published_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'outbox',
      'ticket_events',
      'attachments',
      'messages',
      'tickets',
      'citizen_identities',
      'citizens',
      'channel_accounts',
      'operator_groups',
      'operators',
      'competence_groups',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t} CASCADE`);
    }
    await q.query(`DROP FUNCTION IF EXISTS ticket_events_append_only`);
    await q.query(`DROP FUNCTION IF EXISTS next_ticket_number`);
    await q.query(`DROP TABLE IF EXISTS comuni CASCADE`);
    await q.query(`DROP FUNCTION IF EXISTS comuni_create_ticket_sequence`);
  }
}
