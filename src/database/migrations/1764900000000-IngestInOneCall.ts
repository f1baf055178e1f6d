import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ingest of a citizen's message in one call (one round trip, one implicit transaction), and a
 * cheaper way to wake the analytics worker.
 *
 * `ingest_message(...)` does what IngestService did in five to seven statements: the sender's
 * advisory lock first (its own statement: every read below takes its snapshot after the lock is
 * granted), the duplicate check on (channel, external id), the identity, the citizen's open ticket
 * (FOR NO KEY UPDATE) or a new one with its `ticket.created` event and its routing job in the
 * outbox, the message with its `message.received` event and the ticket's last activity. The unique
 * index on (channel, external id) stays the last word: a concurrent delivery of the same message
 * fails the whole call with 23505 and nothing of it is stored. Called outside a transaction it
 * commits before it answers, so the caller acknowledges only what is committed.
 *
 * With `probe`, it stops before writing anything when the message would open a new ticket for a
 * known identity, and answers `probe` with the identity: the caller (inside its own transaction,
 * the lock held) first checks whether the message answers a satisfaction survey.
 *
 * Analytics: the event-log trigger called pg_notify for every transaction writing an event. A
 * notifying transaction holds PostgreSQL's notification-queue lock from its pre-commit until its
 * commit is flushed, so notifying commits are serialised one behind the other (44 % of the
 * samples under ingest load were COMMIT waiting for that lock). A writer that wakes the analytics
 * worker itself after its commit (the ingest: in-process, or one NOTIFY per interval from an API
 * process) sets `sportello.analytics_wake = 'caller'` for its transaction and the trigger skips
 * the notification; every other writer still notifies as before.
 */
export class IngestInOneCall1764900000000 implements MigrationInterface {
  name = 'IngestInOneCall1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION ticket_events_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO analytics_dirty (ticket_id, comune_id) VALUES (NEW.ticket_id, NEW.comune_id);
        IF current_setting('sportello.analytics_wake', true) IS DISTINCT FROM 'caller' THEN
          PERFORM pg_notify('analytics_dirty', '');
        END IF;
        RETURN NULL;
      END $$`);

    await q.query(`
      CREATE FUNCTION ingest_message(
        p_channel text, p_external_id text, p_address text, p_display_name text, p_comune integer,
        p_force_new boolean, p_reference text, p_year text, p_type text, p_category text, p_subject text,
        p_payload jsonb, p_location jsonb, p_text text, p_attachments jsonb, p_correlation_id text, p_probe boolean)
      RETURNS TABLE (
        outcome text, ticket_id bigint, reference text, comune_id integer, group_id integer, assignee_id integer,
        offered_to_id integer, status text, message_id bigint, direction text, author_type text,
        author_operator_id integer, internal boolean, text text, channel text, delivery_status text,
        delivery_error text, created_at timestamptz, attachments jsonb, identity_id bigint, citizen_id bigint)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        t record;
        m record;
        v_identity bigint;
        v_citizen bigint;
        v_name text;
        v_created boolean := false;
        v_lat float8 := (p_location->>'lat')::float8;
        v_lng float8 := (p_location->>'lng')::float8;
        v_attachments jsonb := '[]';
      BEGIN
        -- One sender's messages are stored one at a time: no two "new" tickets for one conversation.
        PERFORM pg_advisory_xact_lock(hashtextextended(p_channel || '|' || p_address, 0));
        -- The caller wakes the analytics worker after the commit (see ticket_events_mark_dirty).
        PERFORM set_config('sportello.analytics_wake', 'caller', true);

        SELECT tk.id, tk.reference, tk.comune_id, tk.group_id, tk.assignee_id, tk.offered_to_id, tk.status, ms.id AS message_id
          INTO t FROM messages ms JOIN tickets tk ON tk.id = ms.ticket_id
         WHERE ms.channel = p_channel AND ms.external_id = p_external_id;
        IF FOUND THEN
          RETURN QUERY SELECT 'duplicate'::text, t.id, t.reference, t.comune_id, t.group_id, t.assignee_id, t.offered_to_id,
            t.status, t.message_id, NULL::text, NULL::text, NULL::integer, NULL::boolean, NULL::text, NULL::text, NULL::text,
            NULL::text, NULL::timestamptz, NULL::jsonb, NULL::bigint, NULL::bigint;
          RETURN;
        END IF;

        SELECT ci.id, ci.citizen_id, ci.display_name INTO v_identity, v_citizen, v_name
          FROM citizen_identities ci WHERE ci.channel = p_channel AND ci.address = p_address;
        IF v_identity IS NOT NULL AND p_display_name IS NOT NULL AND v_name IS DISTINCT FROM p_display_name THEN
          UPDATE citizen_identities SET display_name = p_display_name WHERE id = v_identity;
        END IF;

        IF v_identity IS NOT NULL AND NOT p_force_new THEN
          IF p_reference IS NULL THEN
            SELECT tk.id, tk.reference, tk.comune_id, tk.group_id, tk.assignee_id, tk.offered_to_id, tk.status INTO t
              FROM tickets tk
             WHERE tk.citizen_identity_id = v_identity AND tk.comune_id = p_comune AND tk.status IN ('new','open','waiting_citizen')
             ORDER BY tk.id DESC LIMIT 1 FOR NO KEY UPDATE;
          ELSE
            SELECT tk.id, tk.reference, tk.comune_id, tk.group_id, tk.assignee_id, tk.offered_to_id, tk.status INTO t
              FROM tickets tk
             WHERE tk.citizen_id = v_citizen AND tk.reference = p_reference AND tk.comune_id = p_comune
               AND tk.status IN ('new','open','waiting_citizen')
             FOR NO KEY UPDATE;
          END IF;
          IF NOT FOUND THEN
            IF p_probe THEN
              RETURN QUERY SELECT 'probe'::text, NULL::bigint, NULL::text, NULL::integer, NULL::integer, NULL::integer, NULL::integer,
                NULL::text, NULL::bigint, NULL::text, NULL::text, NULL::integer, NULL::boolean, NULL::text, NULL::text, NULL::text,
                NULL::text, NULL::timestamptz, NULL::jsonb, v_identity, v_citizen;
              RETURN;
            END IF;
          END IF;
        END IF;

        IF v_identity IS NULL THEN
          WITH c AS (INSERT INTO citizens (display_name) VALUES (p_display_name) RETURNING id)
          INSERT INTO citizen_identities (citizen_id, channel, address, display_name)
          SELECT c.id, p_channel, p_address, p_display_name FROM c
          RETURNING id, citizen_identities.citizen_id INTO v_identity, v_citizen;
        END IF;

        IF t.id IS NULL THEN
          INSERT INTO tickets (comune_id, reference, type, category, subject, channel, citizen_id, citizen_identity_id, location, payload)
          SELECT c.id, c.reference_prefix || '-' || p_year || '-' || lpad(next_ticket_number(c.id)::text, 6, '0'),
                 p_type, p_category, p_subject, p_channel, v_citizen, v_identity,
                 CASE WHEN v_lat IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(v_lng, v_lat), 4326)::geography END, p_payload
            FROM comuni c WHERE c.id = p_comune
          RETURNING tickets.id, tickets.reference, tickets.comune_id, tickets.group_id, tickets.assignee_id, tickets.offered_to_id, tickets.status INTO t;
          IF t.id IS NULL THEN
            RAISE EXCEPTION 'unknown comune %', p_comune USING ERRCODE = 'no_data_found';
          END IF;
          v_created := true;
          INSERT INTO ticket_events (ticket_id, comune_id, type, actor_type, data)
          VALUES (t.id, t.comune_id, 'ticket.created', 'citizen', jsonb_build_object('channel', p_channel, 'type', p_type, 'reference', t.reference));
          INSERT INTO outbox (topic, payload)
          VALUES ('ticket.route', jsonb_strip_nulls(jsonb_build_object('ticketId', t.id::text, 'comuneId', t.comune_id, 'correlationId', p_correlation_id)));
        END IF;

        INSERT INTO messages (ticket_id, comune_id, direction, author_type, text, channel, external_id, delivery_status)
        VALUES (t.id, t.comune_id, 'inbound', 'citizen', p_text, p_channel, p_external_id, 'received')
        RETURNING messages.id, messages.direction, messages.author_type, messages.author_operator_id, messages.internal, messages.text,
                  messages.channel, messages.delivery_status, messages.delivery_error, messages.created_at INTO m;
        INSERT INTO ticket_events (ticket_id, comune_id, type, actor_type, data)
        VALUES (t.id, t.comune_id, 'message.received', 'citizen',
                jsonb_build_object('messageId', m.id::text, 'channel', p_channel, 'attachments', jsonb_array_length(p_attachments)));
        IF jsonb_array_length(p_attachments) > 0 THEN
          WITH a AS (
            INSERT INTO attachments (message_id, comune_id, storage_key, filename, content_type, size_bytes)
            SELECT m.id, t.comune_id, x.e->>'storageKey', x.e->>'filename', x.e->>'contentType', (x.e->>'sizeBytes')::integer
              FROM jsonb_array_elements(p_attachments) WITH ORDINALITY AS x(e, ord)
             ORDER BY x.ord
            RETURNING attachments.id, attachments.filename, attachments.content_type, attachments.size_bytes)
          SELECT jsonb_agg(jsonb_build_object('id', a.id::text, 'filename', a.filename, 'contentType', a.content_type, 'sizeBytes', a.size_bytes) ORDER BY a.id)
            INTO v_attachments FROM a;
        END IF;

        -- A message on an open ticket: its last activity, an answer from the citizen reopens it from
        -- "waiting for the citizen", and a position shared later in the conversation becomes the ticket's.
        -- (A new ticket already has all of that from its insert.)
        IF NOT v_created THEN
          UPDATE tickets SET last_message_at = now(), updated_at = now(),
                 status = CASE WHEN tickets.status = 'waiting_citizen' THEN 'open' ELSE tickets.status END,
                 location = CASE WHEN v_lat IS NULL THEN tickets.location
                                 ELSE ST_SetSRID(ST_MakePoint(v_lng, v_lat), 4326)::geography END
           WHERE tickets.id = t.id;
          IF p_location IS NOT NULL THEN
            INSERT INTO ticket_events (ticket_id, comune_id, type, actor_type, data)
            VALUES (t.id, t.comune_id, 'location.changed', 'citizen', p_location || jsonb_build_object('channel', p_channel));
          END IF;
          IF t.status = 'waiting_citizen' THEN
            INSERT INTO ticket_events (ticket_id, comune_id, type, actor_type, data)
            VALUES (t.id, t.comune_id, 'status.changed', 'citizen', jsonb_build_object('from', 'waiting_citizen', 'to', 'open'));
          END IF;
        END IF;

        RETURN QUERY SELECT CASE WHEN v_created THEN 'created' ELSE 'continued' END, t.id, t.reference, t.comune_id, t.group_id,
          t.assignee_id, t.offered_to_id, t.status, m.id, m.direction, m.author_type, m.author_operator_id, m.internal, m.text,
          m.channel, m.delivery_status, m.delivery_error, m.created_at, v_attachments, v_identity, v_citizen;
      END $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP FUNCTION IF EXISTS ingest_message(text, text, text, text, integer, boolean, text, text, text, text, text, jsonb, jsonb, text, jsonb, text, boolean)`,
    );
    await q.query(`
      CREATE OR REPLACE FUNCTION ticket_events_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO analytics_dirty (ticket_id, comune_id) VALUES (NEW.ticket_id, NEW.comune_id);
        PERFORM pg_notify('analytics_dirty', '');
        RETURN NULL;
      END $$`);
  }
}
