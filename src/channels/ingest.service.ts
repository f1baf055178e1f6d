import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { RejectedInputError } from '../common/errors.js';
import { currentCorrelationId } from '../common/correlation.js';
import { ComuniService } from '../comuni/comuni.service.js';
import { OutboxRelay } from '../outbox/outbox.js';
import { appendEvents, type TicketEventInput } from '../tickets/event-log.js';
import { TicketTypeRegistry } from '../tickets/ticket-types.js';
import { toMessageView } from '../tickets/ticket-views.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { TicketNotifier } from '../tickets/ticket-notifier.js';
import { roomsForTicket } from '../realtime/rooms.js';
import { Metrics, type Lap } from '../ops/metrics.js';
import { recordCsatReply } from '../analytics/csat-replies.js';
import type { InboundMessage, IngestResult } from './inbound-message.js';

interface DupRow extends TicketRow { message_id: number }

interface TicketRow {
  id: string;
  reference: string;
  comune_id: number;
  group_id: number | null;
  assignee_id: number | null;
  offered_to_id: number | null;
  status: string;
}

/**
 * The one way a citizen's message enters Sportello. In a single transaction it stores the
 * citizen (by channel identity), the ticket (the citizen's open one, or a new one) and the
 * message, plus the routing job in the outbox; only after the commit does the caller
 * acknowledge to the provider. The provider's message id makes it idempotent.
 */
@Injectable()
export class IngestService {
  private readonly logger = new Logger(IngestService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly comuni: ComuniService,
    private readonly types: TicketTypeRegistry,
    private readonly relay: OutboxRelay,
    private readonly realtime: RealtimeService,
    private readonly notifier: TicketNotifier,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async ingest(input: InboundMessage): Promise<IngestResult> {
    const lap = this.metrics.laps(this.config.stageTiming);
    const msg = withoutNul(input);
    try {
      this.validate(msg);
    } catch (err) {
      this.metrics.ingested.inc({ channel: msg.channel, outcome: 'rejected' });
      throw err;
    }
    const type = this.types.get(msg.ticket?.type ?? 'request');
    const payload = type.parsePayload(msg.ticket?.payload);
    if (type.requiresLocation && !msg.location) {
      this.metrics.ingested.inc({ channel: msg.channel, outcome: 'rejected' });
      throw new RejectedInputError('location', `a ${type.name} needs a position`);
    }
    // A geolocated report belongs to the comune where it happened, whichever comune's channel carried it.
    let comuneId = msg.comuneId;
    if (msg.location && type.requiresLocation) {
      comuneId = (await this.comuni.locate(msg.location.lat, msg.location.lng)) ?? msg.comuneId;
    }
    const correlationId = msg.correlationId ?? currentCorrelationId();
    lap('ingest.validate');

    let result: IngestResult & { ticket: TicketRow; message?: Record<string, unknown>; outboxAdded?: boolean };
    try {
      result = await this.ds.transaction((m) => { lap('ingest.begin'); return this.store(m, msg, comuneId, type.name, payload, correlationId, lap); });
      lap('ingest.commit');
    } catch (err) {
      if ((err as { code?: string }).code === '23505') {
        // Same provider message stored by a concurrent delivery: answer as a duplicate.
        const dup = await this.findDuplicate(this.ds.manager, msg);
        if (dup) return this.countDuplicate(msg, dup);
      }
      throw err;
    }
    if (result.duplicate) return this.countDuplicate(msg, result);

    this.metrics.ingested.inc({ channel: msg.channel, outcome: 'stored' });
    // A new ticket has an outbox entry (its routing job), a CSAT answer one (the thank-you); a message on an open ticket has none.
    if (result.ticketCreated || result.outboxAdded) this.relay.kick();
    this.announce(result.message!, result.ticket, correlationId);
    if (!result.ticketCreated && msg.location) void this.notifier.notify([result.ticketId], 'ticket.updated', 'location');
    const { ticket: _t, message: _m, outboxAdded: _o, ...out } = result;
    return out;
  }

  private countDuplicate(msg: InboundMessage, r: IngestResult): IngestResult {
    this.metrics.ingested.inc({ channel: msg.channel, outcome: 'duplicate' });
    return { duplicate: true, ticketId: r.ticketId, ticketReference: r.ticketReference, ticketCreated: false, messageId: r.messageId, comuneId: r.comuneId };
  }

  private validate(msg: InboundMessage): void {
    if (!msg.externalId || msg.externalId.length > 300) throw new RejectedInputError('externalId', 'is missing or longer than 300 characters');
    if (!msg.sender.address || msg.sender.address.length > 300) throw new RejectedInputError('sender', 'is missing or longer than 300 characters');
    const text = msg.text ?? '';
    if (text.length > this.config.maxMessageLength) {
      throw new RejectedInputError('text', `is longer than ${this.config.maxMessageLength} characters`, 413);
    }
    if (!text.trim() && !(msg.attachments?.length) && !msg.location) {
      throw new RejectedInputError('text', 'a message needs a text, an attachment or a position');
    }
    if (msg.location) {
      const { lat, lng } = msg.location;
      if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90) throw new RejectedInputError('location.lat', 'must be a latitude between -90 and 90');
      if (typeof lng !== 'number' || !Number.isFinite(lng) || lng < -180 || lng > 180) throw new RejectedInputError('location.lng', 'must be a longitude between -180 and 180');
    }
    if (msg.ticket?.category && msg.ticket.category.length > 100) throw new RejectedInputError('category', 'is longer than 100 characters');
    if (msg.ticket?.subject && msg.ticket.subject.length > 300) throw new RejectedInputError('subject', 'is longer than 300 characters');
  }

  private async findDuplicate(m: EntityManager, msg: InboundMessage): Promise<(IngestResult & { ticket: TicketRow }) | null> {
    const rows = await m.query(
      `SELECT m.id AS message_id, t.id, t.reference, t.comune_id, t.group_id, t.assignee_id, t.offered_to_id, t.status
         FROM messages m JOIN tickets t ON t.id = m.ticket_id
        WHERE m.channel = $1 AND m.external_id = $2`,
      [msg.channel, msg.externalId],
    );
    if (rows.length === 0) return null;
    const r = rows[0];
    return {
      duplicate: true, ticketId: String(r.id), ticketReference: r.reference, ticketCreated: false,
      messageId: String(r.message_id), comuneId: r.comune_id, ticket: r,
    };
  }

  private async store(
    m: EntityManager,
    msg: InboundMessage,
    comuneId: number,
    typeName: string,
    payload: Record<string, unknown>,
    correlationId: string | undefined,
    lap: Lap,
  ): Promise<IngestResult & { ticket: TicketRow; message?: Record<string, unknown>; outboxAdded?: boolean }> {
    // One sender's messages are stored one at a time: no two "new" tickets for one conversation.
    // Its own statement: what follows must read with a snapshot taken after the lock is granted.
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`${msg.channel}|${msg.sender.address}`]);
    lap('ingest.lock');

    // Round trips are the cost of this transaction (it holds a pooled connection for all of them):
    // the duplicate check, the identity and the citizen's open ticket are read in one statement.
    // NO KEY UPDATE still excludes every other change of the ticket, but not the key-share locks
    // that rows referencing it take (analytics' ticket_metrics insert holds them for a whole batch).
    const forceNew = Boolean(msg.ticket?.forceNew);
    const [found]: Array<{ dup: DupRow | null; identity: { id: number; citizen_id: number } | null; ticket: TicketRow | null }> = await m.query(
      `WITH dup AS (
         SELECT m.id AS message_id, t.id, t.reference, t.comune_id, t.group_id, t.assignee_id, t.offered_to_id, t.status
           FROM messages m JOIN tickets t ON t.id = m.ticket_id
          WHERE m.channel = $1 AND m.external_id = $2
       ), ident AS (
         UPDATE citizen_identities SET display_name = COALESCE($4, display_name)
          WHERE channel = $1 AND address = $3 AND NOT EXISTS (SELECT 1 FROM dup)
          RETURNING id, citizen_id
       ), open AS (
         SELECT t.id, t.reference, t.comune_id, t.group_id, t.assignee_id, t.offered_to_id, t.status
           FROM tickets t JOIN ident i ON t.citizen_id = i.citizen_id
          WHERE NOT $5::boolean AND t.comune_id = $6 AND t.status IN ('new','open','waiting_citizen')
            AND CASE WHEN $7::text IS NULL THEN t.citizen_identity_id = i.id ELSE t.reference = $7::text END
          ORDER BY t.id DESC LIMIT 1 FOR NO KEY UPDATE OF t
       )
       SELECT (SELECT row_to_json(dup) FROM dup) AS dup, (SELECT row_to_json(ident) FROM ident) AS identity,
              (SELECT row_to_json(open) FROM open) AS ticket`,
      [msg.channel, msg.externalId, msg.sender.address, msg.sender.displayName ?? null, forceNew, comuneId,
        msg.ticket?.reference ? msg.ticket.reference.toUpperCase() : null],
    );
    lap('ingest.lookup');
    if (found.dup) {
      const d = found.dup;
      return {
        duplicate: true, ticketId: String(d.id), ticketReference: d.reference, ticketCreated: false,
        messageId: String(d.message_id), comuneId: d.comune_id, ticket: { ...d, id: String(d.id) },
      };
    }

    // A text answer to a satisfaction survey (src/analytics/csat-replies.ts): looked at only when no
    // open ticket took the message, and costs nothing unless the text reads as a 1–5 rating.
    if (!found.ticket && !forceNew && found.identity) {
      const csat = await recordCsatReply(m, {
        channel: msg.channel, comuneId, externalId: msg.externalId, text: msg.attachments?.length || msg.location ? null : msg.text,
        identityId: String(found.identity.id), citizenId: String(found.identity.citizen_id),
        reference: msg.ticket?.reference ? msg.ticket.reference.toUpperCase() : null, correlationId,
      });
      if (csat) {
        return { duplicate: false, ticketId: csat.ticket.id, ticketReference: csat.ticket.reference, ticketCreated: false,
          messageId: String(csat.message.id), comuneId: csat.ticket.comune_id, ticket: csat.ticket, message: csat.message, outboxAdded: true };
      }
    }

    const identity = found.identity
      ? { identityId: String(found.identity.id), citizenId: String(found.identity.citizen_id) }
      : await this.insertIdentity(m, msg);
    let ticket: TicketRow | null = found.ticket ? { ...found.ticket, id: String(found.ticket.id) } : null;
    let created = false;

    if (!ticket) {
      const year = new Date().getFullYear();
      // The ticket, its "created" event and its routing job (outbox) in one statement.
      const rows: TicketRow[] = await m.query(
        `WITH t AS (
           INSERT INTO tickets (comune_id, reference, type, category, subject, channel, citizen_id, citizen_identity_id,
                                location, payload)
           SELECT c.id, c.reference_prefix || '-' || $2::text || '-' || lpad(next_ticket_number(c.id)::text, 6, '0'),
                  $3, $4, $5, $6, $7, $8,
                  CASE WHEN $9::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($10::float8, $9::float8), 4326)::geography END,
                  $11::jsonb
             FROM comuni c WHERE c.id = $1
           RETURNING id, reference, comune_id, group_id, assignee_id, offered_to_id, status
         ), ev AS (
           INSERT INTO ticket_events (ticket_id, comune_id, type, actor_type, data)
           SELECT id, comune_id, 'ticket.created', 'citizen', jsonb_build_object('channel', $6::text, 'type', $3::text, 'reference', reference) FROM t
         ), ob AS (
           INSERT INTO outbox (topic, payload)
           SELECT 'ticket.route', jsonb_strip_nulls(jsonb_build_object('ticketId', id::text, 'comuneId', comune_id, 'correlationId', $12::text)) FROM t
         )
         SELECT * FROM t`,
        [
          comuneId, String(year), typeName, msg.ticket?.category ?? null,
          msg.ticket?.subject ?? deriveSubject(msg.text), msg.channel, identity.citizenId, identity.identityId,
          msg.location?.lat ?? null, msg.location?.lng ?? null, JSON.stringify(payload), correlationId ?? null,
        ],
      );
      if (rows.length === 0) throw new RejectedInputError('comune', `unknown comune ${comuneId}`, 404);
      ticket = rows[0];
      created = true;
      lap('ingest.ticket.insert');
    }

    // The message, the ticket's last activity (and a position shared later in the conversation, the
    // web chat's "share my position", which becomes the ticket's) and its event, in one statement.
    const attachmentCount = msg.attachments?.length ?? 0;
    const [message] = await m.query(
      `WITH msg AS (
         INSERT INTO messages (ticket_id, comune_id, direction, author_type, text, channel, external_id, delivery_status)
         VALUES ($1, $2, 'inbound', 'citizen', $3, $4, $5, 'received')
         RETURNING id, ticket_id, direction, author_type, author_operator_id, internal, text, channel, delivery_status, delivery_error, created_at
       ), upd AS (
         UPDATE tickets SET last_message_at = now(), updated_at = now(),
                status = CASE WHEN status = 'waiting_citizen' THEN 'open' ELSE status END,
                location = CASE WHEN $6::float8 IS NULL THEN location
                                ELSE ST_SetSRID(ST_MakePoint($7::float8, $6::float8), 4326)::geography END
          WHERE id = $1
       ), ev AS (
         INSERT INTO ticket_events (ticket_id, comune_id, type, actor_type, data)
         SELECT $1, $2, 'message.received', 'citizen', jsonb_build_object('messageId', id::text, 'channel', $4::text, 'attachments', $8::int) FROM msg
       )
       SELECT * FROM msg`,
      [ticket.id, ticket.comune_id, msg.text ?? null, msg.channel, msg.externalId,
        created ? null : msg.location?.lat ?? null, msg.location?.lng ?? null, attachmentCount],
    );
    lap('ingest.message.insert');
    message.attachments = [];
    if (attachmentCount) {
      const params: unknown[] = [];
      const values = msg.attachments!.map((a) => {
        params.push(message.id, ticket!.comune_id, a.storageKey, a.filename, a.contentType, a.sizeBytes);
        const b = params.length - 6;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6})`;
      });
      const stored: Array<{ id: string; filename: string; content_type: string; size_bytes: number }> = await m.query(
        `INSERT INTO attachments (message_id, comune_id, storage_key, filename, content_type, size_bytes) VALUES ${values.join(', ')}
         RETURNING id, filename, content_type, size_bytes`,
        params,
      );
      message.attachments = stored.map((a) => ({ id: String(a.id), filename: a.filename, contentType: a.content_type, sizeBytes: a.size_bytes }));
    }
    const events: TicketEventInput[] = [];
    if (!created && msg.location) {
      events.push({ ticketId: ticket.id, comuneId: ticket.comune_id, type: 'location.changed', actorType: 'citizen', data: { ...msg.location, channel: msg.channel } });
    }
    if (!created && ticket.status === 'waiting_citizen') {
      events.push({ ticketId: ticket.id, comuneId: ticket.comune_id, type: 'status.changed', actorType: 'citizen', data: { from: 'waiting_citizen', to: 'open' } });
    }
    await appendEvents(m, events);

    return {
      duplicate: false, ticketId: String(ticket.id), ticketReference: ticket.reference, ticketCreated: created,
      messageId: String(message.id), comuneId: ticket.comune_id, ticket, message,
    };
  }

  private async insertIdentity(m: EntityManager, msg: InboundMessage): Promise<{ identityId: string; citizenId: string }> {
    const [identity] = await m.query(
      `WITH c AS (INSERT INTO citizens (display_name) VALUES ($3) RETURNING id)
       INSERT INTO citizen_identities (citizen_id, channel, address, display_name) SELECT id, $1, $2, $3 FROM c
       RETURNING id, citizen_id`,
      [msg.channel, msg.sender.address, msg.sender.displayName ?? null],
    );
    return { identityId: String(identity.id), citizenId: String(identity.citizen_id) };
  }

  /** Tells the operators who can see the ticket; best effort, after the commit, from the row the insert returned. */
  private announce(message: Record<string, unknown>, ticket: TicketRow, correlationId?: string): void {
    try {
      const lap = this.metrics.laps(this.config.stageTiming);
      this.realtime.toAgents(
        roomsForTicket({ comuneId: ticket.comune_id, groupId: ticket.group_id, assigneeId: ticket.assignee_id, offeredToId: ticket.offered_to_id }),
        'message.created',
        { ticketId: String(ticket.id), message: toMessageView(message), correlationId },
      );
      lap('announce.emit');
    } catch (err) {
      this.logger.warn(`could not announce message ${String(message.id)}: ${(err as Error).message}`);
    }
  }
}

const NUL = /\u0000/g;
/** PostgreSQL text cannot hold NUL characters; they carry no meaning in a message, so they are dropped. */
function withoutNul(msg: InboundMessage): InboundMessage {
  const clean = (v: string | null | undefined) => (typeof v === 'string' ? v.replace(NUL, '') : v);
  return {
    ...msg,
    externalId: msg.externalId.replace(NUL, ''),
    sender: { address: msg.sender.address.replace(NUL, ''), displayName: clean(msg.sender.displayName) },
    text: clean(msg.text),
    ticket: msg.ticket ? { ...msg.ticket, category: clean(msg.ticket.category), subject: clean(msg.ticket.subject), reference: clean(msg.ticket.reference) } : undefined,
  };
}

function deriveSubject(text: string | null | undefined): string | null {
  if (!text) return null;
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 80 ? `${oneLine.slice(0, 77)}…` : oneLine || null;
}
