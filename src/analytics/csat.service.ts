import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RejectedInputError } from '../common/errors.js';
import { currentCorrelationId } from '../common/correlation.js';
import { appendOutbox, OutboxRelay } from '../outbox/outbox.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { appendEvents } from '../tickets/event-log.js';
import type { RecomputedTicket } from './metrics-recomputer.js';
import { insertMessage } from '../conversations/messages.js';

/** Only tickets resolved this recently are surveyed (a recompute of an old ticket asks nobody). */
const ASK_WITHIN_MS = 24 * 3600_000;
/** A survey can be answered for this long. */
const ANSWER_WITHIN_MS = 14 * 24 * 3600_000;

export function surveyText(reference: string): string {
  return (
    `La sua richiesta ${reference} è stata risolta. Come valuta l'assistenza ricevuta? ` +
    `Risponda a questo messaggio con un numero da 1 (per niente soddisfatto) a 5 (molto soddisfatto), ` +
    `seguito se vuole da un commento, per esempio: «5 molto gentili».\n` +
    `Your request ${reference} has been resolved. How satisfied are you? Reply with a number from 1 (not at all) to 5 (very), ` +
    `optionally followed by a comment, e.g. "5 very kind".`
  );
}

/**
 * Customer satisfaction: after resolution the citizen is asked, on the ticket's own channel and
 * through the outbound queue like any reply, for a 1–5 rating; the answer is recorded once,
 * joins the event log (`csat.received`) and from there the rollups per group and operator.
 */
@Injectable()
export class CsatService {
  private readonly logger = new Logger(CsatService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly relay: OutboxRelay,
    private readonly realtime: RealtimeService,
  ) {}

  async requestAfterResolution(tickets: RecomputedTicket[]): Promise<void> {
    const now = Date.now();
    const candidates = tickets.filter((t) => t.status === 'resolved' && t.resolvedAt && now - t.resolvedAt.getTime() < ASK_WITHIN_MS);
    if (!candidates.length) return;
    // Already asked (the usual case: the survey's own event brings the ticket back here): no locks taken.
    const asked: Array<{ ticket_id: string }> = await this.ds.query(
      `SELECT ticket_id FROM csat_surveys WHERE ticket_id = ANY($1::bigint[])`,
      [candidates.map((t) => t.ticketId)],
    );
    const done = new Set(asked.map((r) => String(r.ticket_id)));
    for (const t of candidates.filter((c) => !done.has(c.ticketId))) {
      try {
        const asked = await this.ds.transaction(async (m) => {
          const [row] = await m.query(
            `SELECT t.id, t.reference, t.channel, t.group_id, t.assignee_id, t.status, i.channel AS identity_channel, i.address
               FROM tickets t JOIN citizen_identities i ON i.id = t.citizen_identity_id
              WHERE t.id = $1 AND t.comune_id = $2 FOR UPDATE OF t`,
            [t.ticketId, t.comuneId],
          );
          if (!row || row.status !== 'resolved') return null;
          // A conversation the citizen started and an operator answered: otherwise there is nothing to rate.
          const [talk] = await m.query(
            `SELECT bool_or(type = 'message.received') AS citizen, bool_or(type = 'message.sent') AS operator
               FROM ticket_events WHERE ticket_id = $1`,
            [t.ticketId],
          );
          if (!talk?.citizen || !talk?.operator) return null;
          const inserted = await m.query(
            `INSERT INTO csat_surveys (ticket_id, comune_id, group_id, operator_id) VALUES ($1, $2, $3, $4)
             ON CONFLICT (ticket_id) DO NOTHING RETURNING ticket_id`,
            [t.ticketId, t.comuneId, row.group_id, row.assignee_id],
          );
          if (!inserted.length) return null;
          const msg = await insertMessage(m, {
            ticketId: t.ticketId,
            comuneId: t.comuneId,
            direction: 'outbound',
            authorType: 'system',
            text: surveyText(row.reference),
            channel: row.channel,
            deliveryStatus: 'queued',
          });
          await m.query(`UPDATE csat_surveys SET message_id = $2 WHERE ticket_id = $1`, [t.ticketId, msg.id]);
          await appendOutbox(m, 'message.deliver', {
            messageId: String(msg.id),
            comuneId: t.comuneId,
            channel: row.channel,
            correlationId: currentCorrelationId(),
          });
          await appendEvents(m, [
            {
              ticketId: t.ticketId,
              comuneId: t.comuneId,
              type: 'csat.requested',
              actorType: 'system',
              data: { messageId: String(msg.id) },
            },
          ]);
          return row;
        });
        if (!asked) continue;
        this.relay.kick();
        if (asked.identity_channel === 'webchat')
          this.realtime.toWebchat(asked.address, 'csat.request', { ticketReference: asked.reference });
      } catch (err) {
        this.logger.warn(`CSAT survey for ticket ${t.ticketId} not sent: ${(err as Error).message}`);
      }
    }
  }

  /** Records a rating given from one channel identity (the web-chat session) for one of its tickets. */
  async answer(channel: string, address: string, comuneId: number, input: unknown): Promise<void> {
    const { reference, rating, comment } = parseCsatAnswer(input);
    await this.ds.transaction(async (m) => {
      // The ticket row first, as every writer of a ticket does: the same lock order, no deadlock.
      await m.query(`SELECT id FROM tickets WHERE reference = $1 AND comune_id = $2 FOR UPDATE`, [reference, comuneId]);
      const [s] = await m.query(
        `SELECT s.ticket_id, s.answered_at, s.requested_at, t.comune_id FROM csat_surveys s
           JOIN tickets t ON t.id = s.ticket_id JOIN citizen_identities i ON i.id = t.citizen_identity_id
          WHERE t.reference = $1 AND t.comune_id = $2 AND i.channel = $3 AND i.address = $4 FOR UPDATE OF s`,
        [reference, comuneId, channel, address],
      );
      if (!s) throw new RejectedInputError('ticketReference', 'no satisfaction survey is open for this request', 404);
      if (s.answered_at) throw new RejectedInputError('rating', 'this request has already been rated', 409);
      if (Date.now() - new Date(s.requested_at).getTime() > ANSWER_WITHIN_MS)
        throw new RejectedInputError('rating', 'the survey for this request has expired', 410);
      await m.query(`UPDATE csat_surveys SET answered_at = now(), rating = $2, comment = $3 WHERE ticket_id = $1`, [
        s.ticket_id,
        rating,
        comment,
      ]);
      await appendEvents(m, [
        { ticketId: String(s.ticket_id), comuneId: s.comune_id, type: 'csat.received', actorType: 'citizen', data: { rating } },
      ]);
    });
  }
}

export function parseCsatAnswer(input: unknown): { reference: string; rating: number; comment: string | null } {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new RejectedInputError('csat', 'must be an object with "ticketReference" and "rating"');
  const b = input as Record<string, unknown>;
  if (typeof b.ticketReference !== 'string' || !/^[A-Za-z]{2,4}-\d{4}-\d{1,10}$/.test(b.ticketReference)) {
    throw new RejectedInputError('ticketReference', 'must be a request reference such as BA-2025-000123');
  }
  if (typeof b.rating !== 'number' || !Number.isInteger(b.rating) || b.rating < 1 || b.rating > 5) {
    throw new RejectedInputError('rating', 'must be a whole number from 1 to 5');
  }
  if (b.comment !== undefined && b.comment !== null && (typeof b.comment !== 'string' || b.comment.length > 1000)) {
    throw new RejectedInputError('comment', 'must be a text of at most 1000 characters');
  }
  const comment = typeof b.comment === 'string' && b.comment.trim() ? b.comment.trim().replace(/\u0000/g, '') : null;
  return { reference: b.ticketReference.toUpperCase(), rating: b.rating, comment };
}
