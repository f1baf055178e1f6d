import type { EntityManager } from 'typeorm';
import { appendOutbox } from '../outbox/outbox.js';
import { appendEvents } from '../tickets/event-log.js';
import { insertMessage } from '../conversations/messages.js';

/**
 * CSAT answered by text, on any channel that goes through the ingest pipeline (WhatsApp, Telegram,
 * e-mail, the web chat typed rather than clicked): the citizen answers the survey with a message
 * starting with a digit from 1 to 5 ("5", "4 molto gentili", "Voto: 3"), optionally followed by a
 * comment. Recorded like the web chat's `csat` event (csat_surveys + a `csat.received` line in the
 * event log, from which the rollups move), the message kept on the resolved ticket without
 * reopening it, and a short thank-you queued on the same channel.
 */

/**
 * How long a survey can be answered by text. Shorter than the web chat's explicit answer (14 days):
 * a bare number is a rating only as an answer to a recent question; later it is more likely
 * the start of something new ("3 lampioni spenti…"), which must open a ticket.
 */
export const TEXT_ANSWER_WITHIN_DAYS = 7;

const MAX_COMMENT = 1000;

// An optional "voto:"/"valutazione" label, the digit, an optional "/5", "su 5", "stelle".
const RATING =
  /^(?:(?:il\s+mio\s+)?(?:voto|valutazione|punteggio|rating)\s*[:=\-–]?\s*)?([1-5])(?:\s*(?:\/|su|out\s+of)\s*5)?(?:\s*stell[ae])?/iu;

/**
 * The rating and comment a text gives, or null when it does not read as an answer to the survey:
 * a number that goes on ("3.5", "2-3 giorni", "10", "4,50 €") or a comment longer than a survey
 * comment can be is a message, not a rating.
 */
export function parseCsatReply(text: string | null | undefined): { rating: number; comment: string | null } | null {
  if (!text) return null;
  // An e-mail signature ("-- " line) is not part of the comment.
  const body = text
    .replace(/\r\n/g, '\n')
    .split(/\n-- ?\n/)[0]
    .trim();
  const m = RATING.exec(body);
  if (!m) return null;
  const rest = body.slice(m[0].length);
  if (rest && !/^[\s.,;:!?)\-–—]/u.test(rest)) return null; // "4x", "5km", "3°"
  if (/^\s*[.,:/\-–]\s*\d/u.test(rest) || /^\s*(?:%|€|euro\b)/iu.test(rest)) return null;
  const comment = rest.replace(/^[\s.,;:!?)\-–—]+/u, '').trim();
  if (comment.length > MAX_COMMENT) return null;
  return { rating: Number(m[1]), comment: comment || null };
}

export function thanksText(reference: string, rating: number): string {
  return (
    `Grazie per la sua valutazione (${rating} su 5) della richiesta ${reference}. ` +
    `Se ha ancora bisogno di aiuto ci scriva pure: apriremo una nuova richiesta.\n` +
    `Thank you for rating request ${reference} (${rating} out of 5). If you still need help, just write to us: we will open a new request.`
  );
}

export interface CsatReplyInput {
  channel: string;
  comuneId: number;
  externalId: string;
  identityId: string;
  citizenId: string;
  text: string | null | undefined;
  /** The ticket the message is threaded into (an e-mail reply): the survey must be that ticket's. */
  reference: string | null;
  /**
   * The sender's open ticket, if any (locked by the caller): the text answers the survey only when
   * the survey was asked after that ticket's last message, i.e. it is the last question the
   * citizen was asked; otherwise "3" answers the open conversation ("quanti lampioni?").
   */
  openTicketId: string | null;
  correlationId?: string;
}

export interface CsatReplyResult {
  rating: number;
  ticket: {
    id: string;
    reference: string;
    comune_id: number;
    group_id: number | null;
    assignee_id: number | null;
    offered_to_id: number | null;
    status: string;
  };
  /** The citizen's message as inserted (the shape ingest announces). */
  message: Record<string, unknown>;
}

/**
 * Inside the ingest transaction (the sender's advisory lock held, the open ticket if any locked): when the
 * text reads as a rating and the sender's identity has a survey asked, unanswered and recent,
 * records the answer, stores the message on the surveyed ticket and queues the thank-you.
 * Returns null, having written nothing, otherwise. A second delivery of the same provider message
 * never gets here (ingest finds it as a duplicate first), so it is recorded once.
 */
export async function recordCsatReply(m: EntityManager, input: CsatReplyInput): Promise<CsatReplyResult | null> {
  const answer = parseCsatReply(input.text);
  if (!answer) return null;
  // The ticket row first and then the survey, as CsatService does: the same lock order, no deadlock.
  const [t] = await m.query(
    `SELECT t.id, t.reference, t.comune_id, t.group_id, t.assignee_id, t.offered_to_id, t.status
       FROM tickets t JOIN csat_surveys s ON s.ticket_id = t.id
      WHERE t.citizen_id = $1 AND t.citizen_identity_id = $2 AND t.comune_id = $3 AND t.status IN ('resolved', 'closed')
        AND ($4::text IS NULL OR t.reference = $4::text)
        AND s.answered_at IS NULL AND s.requested_at > now() - make_interval(days => $5)
        AND ($6::bigint IS NULL OR s.requested_at > (SELECT max(o.created_at) FROM messages o WHERE o.ticket_id = $6::bigint AND NOT o.internal))
      ORDER BY s.requested_at DESC LIMIT 1
      FOR NO KEY UPDATE OF t`,
    [input.citizenId, input.identityId, input.comuneId, input.reference, TEXT_ANSWER_WITHIN_DAYS, input.openTicketId],
  );
  if (!t) return null;
  const ticketId = String(t.id);
  // Guarded: an answer from the web chat's `csat` event may have come first.
  const answered = await m.query(
    `UPDATE csat_surveys SET answered_at = now(), rating = $2, comment = $3 WHERE ticket_id = $1 AND answered_at IS NULL RETURNING ticket_id`,
    [ticketId, answer.rating, answer.comment],
  );
  if (!answered.length) return null;

  // The citizen's message on the resolved ticket (the operator reads it there), and the thank-you.
  const message: Record<string, unknown> = {
    ...(await insertMessage(m, {
      ticketId,
      comuneId: t.comune_id,
      direction: 'inbound',
      authorType: 'citizen',
      text: input.text ?? null,
      channel: input.channel,
      externalId: input.externalId,
      deliveryStatus: 'received',
    })),
    attachments: [],
  };
  const thanks = await insertMessage(m, {
    ticketId,
    comuneId: t.comune_id,
    direction: 'outbound',
    authorType: 'system',
    text: thanksText(t.reference, answer.rating),
    channel: input.channel,
    deliveryStatus: 'queued',
  });
  await appendOutbox(m, 'message.deliver', {
    messageId: String(thanks.id),
    comuneId: t.comune_id,
    channel: input.channel,
    correlationId: input.correlationId,
  });
  await appendEvents(m, [
    {
      ticketId,
      comuneId: t.comune_id,
      type: 'message.received',
      actorType: 'citizen',
      data: { messageId: String(message.id), channel: input.channel, attachments: 0, csat: true },
    },
    {
      ticketId,
      comuneId: t.comune_id,
      type: 'csat.received',
      actorType: 'citizen',
      data: { rating: answer.rating, channel: input.channel, messageId: String(message.id), replyMessageId: String(thanks.id) },
    },
  ]);
  return { rating: answer.rating, ticket: { ...t, id: ticketId }, message };
}
