import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { RejectedInputError } from '../common/errors.js';
import { TenantScope } from '../common/tenant-scope.js';
import { runInScope } from '../tenancy/db-scope.js';
import { currentCorrelationId } from '../common/correlation.js';
import { ComuniService } from '../comuni/comuni.service.js';
import { OutboxRelay } from '../outbox/outbox.js';
import { AnalyticsWake } from '../outbox/analytics-wake.js';
import { CaseTypeRegistry as TicketTypeRegistry } from '../cases/case-type.registry.js';
import { toMessageView } from '../cases/ticket-views.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { TicketNotifier } from '../cases/ticket-notifier.js';
import { roomsForTicket } from '../realtime/rooms.js';
import { Metrics, type Lap } from '../ops/metrics.js';
import type { InboundMessage, IngestResult } from './inbound-message.js';
import { IngestBatcher, INGEST_SQL } from './ingest-batcher.js';
import { ingestArgs, type IngestArgs } from './ingest-args.js';
import { CaseLifecycle } from '../cases/case-lifecycle.js';
import { InboundInterceptors, isAbsorbed, type CaseRow, type InboundInterceptor } from './interceptors.js';

type TicketRow = CaseRow;

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
    private readonly interceptors: InboundInterceptors,
    private readonly lifecycle: CaseLifecycle,
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
    let type = this.types.get(caseTypeOf(msg));
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
      const args = ingestArgs(msg, comuneId, type.name, payload, correlationId);
      const candidates = this.interceptors.candidates(msg);
      // A type whose creation runs a hook (src/cases) is stored in a transaction of its own, where the hook runs.
      const hooked = this.lifecycle.hasCreationHook(type.name);
      let result: Stored;
      try {
        result =
          candidates.length || hooked
            ? await this.ds.transaction(async (m) => {
                lap('ingest.begin');
                const stored = await this.storeAfterInterceptors(m, msg, args, candidates);
                if (hooked && stored.ticketCreated) await this.lifecycle.created(m, stored.ticketId, { type: 'citizen' });
                return stored;
              })
            : await this.storeInOneCall(args, lap);
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
      if (result.absorbed) {
        this.metrics.ingested.inc({ channel: msg.channel, outcome: 'absorbed' });
        if (result.afterCommit)
          void result.afterCommit().catch((err: Error) => this.logger.warn(`after an absorbed message: ${err.message}`));
        const { ticket: _t, afterCommit: _a, ...out } = result;
        return out;
      }

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
   * The whole store in one call of `ingest_message` (src/conversations/sql/ingest_message.sql): it takes the
   * sender's lock, checks for a duplicate, finds or creates identity and ticket, and stores the
   * message, its events and the ticket's routing job; committed when it answers. Under load the
   * calls waiting for a connection go together in one statement (IngestBatcher: group commit).
   */
  private async storeInOneCall(args: IngestArgs, lap: Lap): Promise<Stored> {
    const row = await this.batcher.store(args);
    lap('ingest.store');
    return fromRow(row);
  }

  /**
   * A message an interceptor may claim (src/conversations/interceptors.ts), in one transaction:
   * `ingest_lookup` (the sender's lock taken, nothing written: a duplicate, or the identity with the
   * open ticket it would go to, locked), the interceptors in order, and only then, if none claimed it,
   * the store (the same lock again: re-entrant).
   */
  private async storeAfterInterceptors(
    m: EntityManager,
    msg: InboundMessage,
    args: IngestArgs,
    candidates: InboundInterceptor[],
  ): Promise<Stored> {
    const json = JSON.stringify(args);
    const [look]: LookupRow[] = await m.query(`SELECT * FROM ingest_lookup($1::jsonb)`, [json]);
    if (!look.duplicate) {
      const claimed = await this.interceptors.claim(candidates, msg, {
        m,
        comuneId: args.comuneId,
        identityId: look.identity_id === null ? null : String(look.identity_id),
        citizenId: look.citizen_id === null ? null : String(look.citizen_id),
        openTicketId: look.open_ticket_id === null ? null : String(look.open_ticket_id),
        openTicketReferenced: look.open_ticket_referenced,
        correlationId: args.correlationId ?? undefined,
      });
      if (claimed && isAbsorbed(claimed)) {
        return {
          duplicate: false,
          absorbed: true,
          ticketId: '',
          ticketReference: '',
          ticketCreated: false,
          messageId: '',
          comuneId: args.comuneId,
          ticket: { id: '', reference: '', comune_id: args.comuneId, group_id: null, assignee_id: null, offered_to_id: null, status: '' },
          afterCommit: claimed.afterCommit,
        };
      }
      if (claimed) {
        return {
          duplicate: false,
          ticketId: claimed.ticket.id,
          ticketReference: claimed.ticket.reference,
          ticketCreated: false,
          messageId: String(claimed.message.id),
          comuneId: claimed.ticket.comune_id,
          ticket: claimed.ticket,
          message: claimed.message,
          outboxAdded: claimed.outboxAdded,
        };
      }
    }
    const [row]: IngestRow[] = await m.query(INGEST_SQL, [json]);
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

type Stored = IngestResult & {
  ticket: TicketRow;
  message?: Record<string, unknown>;
  outboxAdded?: boolean;
  afterCommit?: () => Promise<void>;
};

/** What `ingest_message` answers: the outcome, the ticket, and the stored message (or the duplicate's id). */
interface IngestRow extends Omit<TicketRow, 'id'> {
  outcome: 'duplicate' | 'created' | 'continued';
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

/** What `ingest_lookup` answers. */
interface LookupRow {
  duplicate: boolean;
  identity_id: string | null;
  citizen_id: string | null;
  open_ticket_id: string | null;
  open_ticket_referenced: boolean;
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

/**
 * A position means a report: the case type a message asks for, decided here for every channel. A
 * message that names no type is a `report` when it shares a position, a `request` otherwise.
 */
export function caseTypeOf(msg: InboundMessage): string {
  return msg.ticket?.type ?? (msg.location ? 'report' : 'request');
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
