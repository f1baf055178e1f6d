import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { RejectedInputError } from '../common/errors.js';
import { TenantScope } from '../common/tenant-scope.js';
import { runInScope } from '../tenancy/db-scope.js';
import { currentCorrelationId } from '../common/correlation.js';
import { ComuniService } from '../comuni/comuni.service.js';
import { OutboxRelay } from '../outbox/outbox.js';
import { AnalyticsWake } from '../analytics/analytics-wake.js';
import { TicketTypeRegistry } from '../tickets/ticket-types.js';
import { toMessageView } from '../tickets/ticket-views.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { TicketNotifier } from '../tickets/ticket-notifier.js';
import { roomsForTicket } from '../realtime/rooms.js';
import { Metrics, type Lap } from '../ops/metrics.js';
import { parseCsatReply, recordCsatReply } from '../analytics/csat-replies.js';
import type { InboundMessage, IngestResult } from './inbound-message.js';
import { IngestBatcher, INGEST_SQL } from './ingest-batcher.js';

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
 * acknowledge to the provider. The provider's message id makes it idempotent. The transaction is
 * one call of the database function `ingest_message` (one round trip: under load each round trip
 * held a pooled connection and cost both processes CPU).
 */
@Injectable()
export class IngestService {
  private readonly logger = new Logger(IngestService.name);
  /** Group commit of the single-call stores (public for its figures in tests). */
  readonly batcher: IngestBatcher<IngestRow>;

  constructor(
    private readonly ds: DataSource,
    private readonly comuni: ComuniService,
    private readonly types: TicketTypeRegistry,
    private readonly relay: OutboxRelay,
    private readonly realtime: RealtimeService,
    private readonly notifier: TicketNotifier,
    private readonly metrics: Metrics,
    private readonly analyticsWake: AnalyticsWake,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.batcher = new IngestBatcher<IngestRow>(
      (sql, params, comuni) => runInScope(TenantScope.ofComuni(comuni), () => this.ds.query(sql, params)),
      config.ingestStatements,
    );
  }

  async ingest(input: InboundMessage): Promise<IngestResult> {
    const lap = this.metrics.laps(this.config.stageTiming);
    let msg = withoutNul(input);
    try {
      this.validate(msg);
    } catch (err) {
      this.metrics.ingested.inc({ channel: msg.channel, outcome: 'rejected' });
      throw err;
    }
    let type = this.types.get(msg.ticket?.type ?? 'request');
    const payload = type.parsePayload(msg.ticket?.payload);
    if (type.requiresLocation && !msg.location) {
      this.metrics.ingested.inc({ channel: msg.channel, outcome: 'rejected' });
      throw new RejectedInputError('location', `a ${type.name} needs a position`);
    }
    let comuneId = msg.comuneId;
    if (msg.location) {
      const found = await this.comuni.locate(msg.location.lat, msg.location.lng);
      if (found === null) {
        if ((msg.locationOutside ?? 'reject') === 'reject') {
          this.metrics.ingested.inc({ channel: msg.channel, outcome: 'rejected' });
          throw new RejectedInputError('location', 'is outside every comune of the Metropolitan City of Bari', 422);
        }
        // A chat message cannot be refused with an error: kept for the channel's comune, the point only noted.
        msg = withOutsideLocationNoted(msg);
        if (type.requiresLocation) type = this.types.get('request');
      } else if (type.requiresLocation) {
        // A geolocated report belongs to the comune where it happened, whichever comune's channel carried it.
        comuneId = found;
      }
    }
    const correlationId = msg.correlationId ?? currentCorrelationId();
    lap('ingest.validate');

    // Stored in the scope of the comune it belongs to: the database shows the function that comune's rows only.
    return runInScope(TenantScope.ofComune(comuneId), async () => {
      const params = ingestParams(msg, comuneId, type.name, payload, correlationId);
      let result: Stored;
      try {
        result = mayAnswerSurvey(msg)
          ? await this.ds.transaction((m) => {
              lap('ingest.begin');
              return this.storeAfterSurveyCheck(m, msg, comuneId, params, correlationId);
            })
          : await this.storeInOneCall(params, lap);
        lap('ingest.commit');
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === '23505') {
          // Same provider message stored by a concurrent delivery: answer as a duplicate.
          const dup = await this.findDuplicate(this.ds.manager, msg);
          if (dup) return this.countDuplicate(msg, dup);
        }
        if (code === 'P0002') throw new RejectedInputError('comune', `unknown comune ${comuneId}`, 404);
        throw err;
      }
      if (result.duplicate) return this.countDuplicate(msg, result);

      this.metrics.ingested.inc({ channel: msg.channel, outcome: 'stored' });
      // Its events left the analytics wake-up to us (no notification serialising the commits).
      this.analyticsWake.afterCommit();
      // A new ticket has an outbox entry (its routing job), a CSAT answer one (the thank-you); a message on an open ticket has none.
      if (result.ticketCreated || result.outboxAdded) this.relay.kick();
      this.announce(result.message!, result.ticket, correlationId);
      if (!result.ticketCreated && msg.location) void this.notifier.notify([result.ticketId], 'ticket.updated', 'location');
      const { ticket: _t, message: _m, outboxAdded: _o, ...out } = result;
      return out;
    });
  }

  private countDuplicate(msg: InboundMessage, r: IngestResult): IngestResult {
    this.metrics.ingested.inc({ channel: msg.channel, outcome: 'duplicate' });
    return {
      duplicate: true,
      ticketId: r.ticketId,
      ticketReference: r.ticketReference,
      ticketCreated: false,
      messageId: r.messageId,
      comuneId: r.comuneId,
    };
  }

  private validate(msg: InboundMessage): void {
    if (!msg.externalId || msg.externalId.length > 300)
      throw new RejectedInputError('externalId', 'is missing or longer than 300 characters');
    if (!msg.sender.address || msg.sender.address.length > 300)
      throw new RejectedInputError('sender', 'is missing or longer than 300 characters');
    const text = msg.text ?? '';
    if (text.length > this.config.maxMessageLength) {
      throw new RejectedInputError('text', `is longer than ${this.config.maxMessageLength} characters`, 413);
    }
    if (!text.trim() && !msg.attachments?.length && !msg.location) {
      throw new RejectedInputError('text', 'a message needs a text, an attachment or a position');
    }
    if (msg.location) {
      const { lat, lng } = msg.location;
      if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90)
        throw new RejectedInputError('location.lat', 'must be a latitude between -90 and 90');
      if (typeof lng !== 'number' || !Number.isFinite(lng) || lng < -180 || lng > 180)
        throw new RejectedInputError('location.lng', 'must be a longitude between -180 and 180');
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
      duplicate: true,
      ticketId: String(r.id),
      ticketReference: r.reference,
      ticketCreated: false,
      messageId: String(r.message_id),
      comuneId: r.comune_id,
      ticket: r,
    };
  }

  /**
   * The whole store in one call of `ingest_message` (migration IngestInOneCall): it takes the
   * sender's lock, checks for a duplicate, finds or creates identity and ticket, and stores the
   * message, its events and the ticket's routing job; committed when it answers. Under load the
   * calls waiting for a connection go together in one statement (IngestBatcher: group commit).
   */
  private async storeInOneCall(params: unknown[], lap: Lap): Promise<Stored> {
    const row = await this.batcher.store(params);
    lap('ingest.store');
    return fromRow(row);
  }

  /**
   * A text that reads as a 1–5 rating may answer a satisfaction survey: in one transaction, the
   * same call in probe mode (the sender's lock taken, nothing written, `probe` for a known identity
   * with the open ticket it would go to, locked, if any), the survey check, and only then the store.
   */
  private async storeAfterSurveyCheck(
    m: EntityManager,
    msg: InboundMessage,
    comuneId: number,
    params: unknown[],
    correlationId: string | undefined,
  ): Promise<Stored> {
    const [probe]: IngestRow[] = await m.query(INGEST_SQL, [...params, true]);
    if (probe.outcome !== 'probe') return fromRow(probe);

    // A text answer to a satisfaction survey (src/analytics/csat-replies.ts): only when the survey is
    // the last thing the citizen was asked (after the open ticket's last message, if there is one).
    const csat = await recordCsatReply(m, {
      channel: msg.channel,
      comuneId,
      externalId: msg.externalId,
      text: msg.attachments?.length || msg.location ? null : msg.text,
      identityId: String(probe.identity_id),
      citizenId: String(probe.citizen_id),
      reference: msg.ticket?.reference ? msg.ticket.reference.toUpperCase() : null,
      openTicketId: probe.ticket_id === null ? null : String(probe.ticket_id),
      correlationId,
    });
    if (csat) {
      return {
        duplicate: false,
        ticketId: csat.ticket.id,
        ticketReference: csat.ticket.reference,
        ticketCreated: false,
        messageId: String(csat.message.id),
        comuneId: csat.ticket.comune_id,
        ticket: csat.ticket,
        message: csat.message,
        outboxAdded: true,
      };
    }

    const [row]: IngestRow[] = await m.query(INGEST_SQL, [...params, false]);
    return fromRow(row);
  }

  /** Tells the operators who can see the ticket; best effort, after the commit, from the row the insert returned. */
  private announce(message: Record<string, unknown>, ticket: TicketRow, correlationId?: string): void {
    try {
      const lap = this.metrics.laps(this.config.stageTiming);
      this.realtime.toAgents(
        roomsForTicket({
          comuneId: ticket.comune_id,
          groupId: ticket.group_id,
          assigneeId: ticket.assignee_id,
          offeredToId: ticket.offered_to_id,
        }),
        'message.created',
        { ticketId: String(ticket.id), message: toMessageView(message), correlationId },
      );
      lap('announce.emit');
    } catch (err) {
      this.logger.warn(`could not announce message ${String(message.id)}: ${(err as Error).message}`);
    }
  }
}

type Stored = IngestResult & { ticket: TicketRow; message?: Record<string, unknown>; outboxAdded?: boolean };

/** What `ingest_message` answers: the outcome, the ticket, and the stored message (or the duplicate's id). */
interface IngestRow extends Omit<TicketRow, 'id'> {
  outcome: 'duplicate' | 'created' | 'continued' | 'probe';
  ticket_id: string;
  message_id: string;
  direction: string;
  author_type: string;
  author_operator_id: number | null;
  internal: boolean;
  text: string | null;
  channel: string;
  delivery_status: string;
  delivery_error: string | null;
  created_at: Date;
  attachments: Array<{ id: string; filename: string; contentType: string; sizeBytes: number }>;
  identity_id: string | null;
  citizen_id: string | null;
}

/** The parameters of `ingest_message`, but the last (probe). */
function ingestParams(
  msg: InboundMessage,
  comuneId: number,
  typeName: string,
  payload: Record<string, unknown>,
  correlationId: string | undefined,
): unknown[] {
  return [
    msg.channel,
    msg.externalId,
    msg.sender.address,
    msg.sender.displayName ?? null,
    comuneId,
    Boolean(msg.ticket?.forceNew),
    msg.ticket?.reference ? msg.ticket.reference.toUpperCase() : null,
    String(new Date().getFullYear()),
    typeName,
    msg.ticket?.category ?? null,
    msg.ticket?.subject ?? deriveSubject(msg.text),
    JSON.stringify(payload),
    msg.location ? JSON.stringify(msg.location) : null,
    msg.text ?? null,
    JSON.stringify(
      (msg.attachments ?? []).map((a) => ({
        storageKey: a.storageKey,
        filename: a.filename,
        contentType: a.contentType,
        sizeBytes: a.sizeBytes,
      })),
    ),
    correlationId ?? null,
  ];
}

function fromRow(r: IngestRow): Stored {
  const ticket: TicketRow = {
    id: String(r.ticket_id),
    reference: r.reference,
    comune_id: r.comune_id,
    group_id: r.group_id,
    assignee_id: r.assignee_id,
    offered_to_id: r.offered_to_id,
    status: r.status,
  };
  const base = { ticketId: ticket.id, ticketReference: r.reference, messageId: String(r.message_id), comuneId: r.comune_id, ticket };
  if (r.outcome === 'duplicate') return { ...base, duplicate: true, ticketCreated: false };
  const message = {
    id: String(r.message_id),
    ticket_id: ticket.id,
    direction: r.direction,
    author_type: r.author_type,
    author_operator_id: r.author_operator_id,
    internal: r.internal,
    text: r.text,
    channel: r.channel,
    delivery_status: r.delivery_status,
    delivery_error: r.delivery_error,
    created_at: r.created_at,
    attachments: r.attachments,
  };
  return { ...base, duplicate: false, ticketCreated: r.outcome === 'created', message };
}

/** Only such a message can answer a satisfaction survey (the rest skip the survey check: one round trip). */
function mayAnswerSurvey(msg: InboundMessage): boolean {
  return !msg.ticket?.forceNew && !msg.attachments?.length && !msg.location && parseCsatReply(msg.text) !== null;
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
    ticket: msg.ticket
      ? { ...msg.ticket, category: clean(msg.ticket.category), subject: clean(msg.ticket.subject), reference: clean(msg.ticket.reference) }
      : undefined,
  };
}

/** The message without its position, which is written at the end of the text for the operator. */
function withOutsideLocationNoted(msg: InboundMessage): InboundMessage {
  const { lat, lng } = msg.location!;
  const note =
    `[Posizione inviata fuori dal territorio dei comuni della Città metropolitana di Bari (${lat.toFixed(5)}, ${lng.toFixed(5)}): ` +
    'non registrata come luogo della pratica]';
  return { ...msg, location: null, text: msg.text?.trim() ? `${msg.text}\n\n${note}` : note };
}

function deriveSubject(text: string | null | undefined): string | null {
  if (!text) return null;
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 80 ? `${oneLine.slice(0, 77)}…` : oneLine || null;
}
