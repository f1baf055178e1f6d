-- The ingest of one citizen's message: the live definition of `ingest_message` and its lookup.
-- Applied after the migrations by the repeatable, hash-checked step (src/database/sql-definitions.ts):
-- edit this file, and the next `npm run migrate` (or test template build, or `npm run demo`)
-- re-applies it. Runs as the schema's owner; both functions are SECURITY INVOKER, so the caller's
-- row-level security applies (the identity registry is reached through the definer functions
-- sportello_identity_lookup / sportello_identity_link, migration CitizenRegistryRowLevelSecurity).
--
-- Argument: one jsonb object built in one place (src/conversations/ingest-args.ts, `IngestArgs`):
--   channel, externalId, address, displayName, comuneId, forceNew, reference, year, type, category,
--   subject, payload, location {lat,lng}, text, attachments [{storageKey,filename,contentType,sizeBytes}],
--   correlationId, consents [{purpose,granted,source,contact,recordedBy}],
--   events [{type,actorType,actorOperatorId,data}] (extra events on the ticket, e.g. entered at the counter).

-- The positional signature of migrations IngestInOneCall … CitizenRegistryRowLevelSecurity.
DROP FUNCTION IF EXISTS ingest_message(text, text, text, text, integer, boolean, text, text, text, text, text, jsonb, jsonb, text, jsonb, text, boolean);
DROP FUNCTION IF EXISTS ingest_message(jsonb);
DROP FUNCTION IF EXISTS ingest_lookup(jsonb);

-- What an inbound interceptor sees before anything is written, in the transaction that will store the
-- message: the sender's advisory lock taken (the same key as ingest_message: re-entrant), whether the
-- provider message is already stored, the sender's identity, and the open ticket the message would go
-- to, locked (FOR NO KEY UPDATE), with whether it was named by the message's reference.
CREATE FUNCTION ingest_lookup(p jsonb)
RETURNS TABLE (duplicate boolean, identity_id bigint, citizen_id bigint, open_ticket_id bigint, open_ticket_referenced boolean)
LANGUAGE plpgsql AS $fn$
DECLARE
  p_channel text := p->>'channel';
  p_address text := p->>'address';
  p_comune integer := (p->>'comuneId')::integer;
  p_reference text := p->>'reference';
  v_identity bigint;
  v_citizen bigint;
  v_ticket bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_channel || '|' || p_address, 0));
  IF EXISTS (SELECT 1 FROM messages ms WHERE ms.channel = p_channel AND ms.external_id = p->>'externalId') THEN
    RETURN QUERY SELECT true, NULL::bigint, NULL::bigint, NULL::bigint, false;
    RETURN;
  END IF;
  SELECT f.identity_id, f.citizen_id INTO v_identity, v_citizen FROM sportello_identity_lookup(p_channel, p_address, p_comune) f;
  IF v_identity IS NOT NULL AND NOT coalesce((p->>'forceNew')::boolean, false) THEN
    IF p_reference IS NULL THEN
      SELECT tk.id INTO v_ticket FROM tickets tk
       WHERE tk.citizen_identity_id = v_identity AND tk.comune_id = p_comune AND tk.status IN ('new','open','waiting_citizen')
       ORDER BY tk.id DESC LIMIT 1 FOR NO KEY UPDATE;
    ELSE
      SELECT tk.id INTO v_ticket FROM tickets tk
       WHERE tk.citizen_id = v_citizen AND tk.reference = p_reference AND tk.comune_id = p_comune
         AND tk.status IN ('new','open','waiting_citizen')
       FOR NO KEY UPDATE;
    END IF;
  END IF;
  RETURN QUERY SELECT false, v_identity, v_citizen, v_ticket, (p_reference IS NOT NULL AND v_ticket IS NOT NULL);
END $fn$;

-- Stores one message: the sender's lock, the duplicate check (idempotent on the provider's id), the
-- identity (found or created and linked to the comune), the ticket (the citizen's open one, the one
-- the reference names, or a new one with its routing job in the outbox), the message, its
-- attachments and events, and the consents and extra events the message carries; one row back.
CREATE FUNCTION ingest_message(p jsonb)
RETURNS TABLE (
  outcome text, ticket_id bigint, reference text, comune_id integer, group_id integer, assignee_id integer,
  offered_to_id integer, status text, message_id bigint, direction text, author_type text,
  author_operator_id integer, internal boolean, text text, channel text, delivery_status text,
  delivery_error text, created_at timestamptz, attachments jsonb, identity_id bigint, citizen_id bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_status_after text;
  p_channel text := p->>'channel';
  p_external_id text := p->>'externalId';
  p_address text := p->>'address';
  p_display_name text := p->>'displayName';
  p_comune integer := (p->>'comuneId')::integer;
  p_force_new boolean := coalesce((p->>'forceNew')::boolean, false);
  p_reference text := p->>'reference';
  p_type text := p->>'type';
  p_location jsonb := CASE WHEN jsonb_typeof(p->'location') = 'object' THEN p->'location' END;
  p_attachments jsonb := coalesce(p->'attachments', '[]');
  t record;
  m record;
  v_identity bigint;
  v_citizen bigint;
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

  SELECT f.identity_id, f.citizen_id INTO v_identity, v_citizen
    FROM sportello_identity_lookup(p_channel, p_address, p_comune) f;

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
  END IF;

  IF v_identity IS NULL THEN
    SELECT f.identity_id, f.citizen_id INTO v_identity, v_citizen
      FROM sportello_identity_link(p_channel, p_address, p_comune, p_display_name) f;
  END IF;

  IF t.id IS NULL THEN
    INSERT INTO tickets (comune_id, reference, type, category, subject, channel, citizen_id, citizen_identity_id, location, payload)
    SELECT c.id, c.reference_prefix || '-' || (p->>'year') || '-' || lpad(next_ticket_number(c.id)::text, 6, '0'),
           p_type, p->>'category', p->>'subject', p_channel, v_citizen, v_identity,
           CASE WHEN v_lat IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(v_lng, v_lat), 4326)::geography END,
           coalesce(p->'payload', '{}')
      FROM comuni c WHERE c.id = p_comune
    RETURNING tickets.id, tickets.reference, tickets.comune_id, tickets.group_id, tickets.assignee_id, tickets.offered_to_id, tickets.status INTO t;
    IF t.id IS NULL THEN
      RAISE EXCEPTION 'unknown comune %', p_comune USING ERRCODE = 'no_data_found';
    END IF;
    v_created := true;
    INSERT INTO ticket_events (ticket_id, comune_id, type, actor_type, data)
    VALUES (t.id, t.comune_id, 'ticket.created', 'citizen', jsonb_build_object('channel', p_channel, 'type', p_type, 'reference', t.reference));
    INSERT INTO outbox (topic, payload)
    VALUES ('ticket.route', jsonb_strip_nulls(jsonb_build_object('ticketId', t.id::text, 'comuneId', t.comune_id, 'correlationId', p->>'correlationId')));
  END IF;

  -- The ticket's comune now knows the identity, by the name given on its channel (another comune's is not touched).
  PERFORM sportello_identity_link(p_channel, p_address, t.comune_id, p_display_name);

  INSERT INTO messages (ticket_id, comune_id, direction, author_type, text, channel, external_id, delivery_status)
  VALUES (t.id, t.comune_id, 'inbound', 'citizen', p->>'text', p_channel, p_external_id, 'received')
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
  -- "waiting for the citizen" (a case type with its own stages moves only by its stages: src/cases), and a position shared later in the conversation becomes the ticket's.
  -- (A new ticket already has all of that from its insert.)
  IF NOT v_created THEN
    UPDATE tickets SET last_message_at = now(), updated_at = now(),
           status = CASE WHEN tickets.status = 'waiting_citizen' AND tickets.stage IS NULL THEN 'open' ELSE tickets.status END,
           location = CASE WHEN v_lat IS NULL THEN tickets.location
                           ELSE ST_SetSRID(ST_MakePoint(v_lng, v_lat), 4326)::geography END
     WHERE tickets.id = t.id
     RETURNING tickets.status INTO v_status_after;
    IF p_location IS NOT NULL THEN
      INSERT INTO ticket_events (ticket_id, comune_id, type, actor_type, data)
      VALUES (t.id, t.comune_id, 'location.changed', 'citizen', p_location || jsonb_build_object('channel', p_channel));
    END IF;
    IF t.status = 'waiting_citizen' AND v_status_after = 'open' THEN
      INSERT INTO ticket_events (ticket_id, comune_id, type, actor_type, data)
      VALUES (t.id, t.comune_id, 'status.changed', 'citizen', jsonb_build_object('from', 'waiting_citizen', 'to', 'open'));
    END IF;
  END IF;

  -- What the message carries for its case, in the same transaction: a failure leaves neither.
  IF jsonb_typeof(p->'events') = 'array' THEN
    INSERT INTO ticket_events (ticket_id, comune_id, type, actor_type, actor_operator_id, data)
    SELECT t.id, t.comune_id, e->>'type', e->>'actorType', (e->>'actorOperatorId')::integer, coalesce(e->'data', '{}')
      FROM jsonb_array_elements(p->'events') WITH ORDINALITY AS x(e, ord) ORDER BY x.ord;
  END IF;
  IF jsonb_typeof(p->'consents') = 'array' THEN
    INSERT INTO citizen_consents (citizen_id, comune_id, ticket_id, purpose, granted, source, contact, recorded_by)
    SELECT v_citizen, t.comune_id, t.id, c->>'purpose', (c->>'granted')::boolean, c->>'source', c->>'contact', (c->>'recordedBy')::integer
      FROM jsonb_array_elements(p->'consents') WITH ORDINALITY AS x(c, ord) ORDER BY x.ord;
  END IF;

  RETURN QUERY SELECT CASE WHEN v_created THEN 'created' ELSE 'continued' END, t.id, t.reference, t.comune_id, t.group_id,
    t.assignee_id, t.offered_to_id, t.status, m.id, m.direction, m.author_type, m.author_operator_id, m.internal, m.text,
    m.channel, m.delivery_status, m.delivery_error, m.created_at, v_attachments, v_identity, v_citizen;
END $fn$;
