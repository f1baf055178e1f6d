/**
 * The one writer of `messages` in TypeScript (the other is `ingest_message`, for the citizen's own
 * inbound message: src/conversations/sql/ingest_message.sql). Every other row of a conversation —
 * an operator's reply or internal note, a system notice, a survey, a survey's answer and its
 * thank-you — is inserted here, so the row's shape and defaults are decided in one place.
 */
export interface NewMessage {
  ticketId: string | number;
  comuneId: number;
  direction: 'inbound' | 'outbound';
  authorType: 'citizen' | 'operator' | 'system';
  authorOperatorId?: number | null;
  internal?: boolean;
  text: string | null;
  channel: string;
  /** The provider's id (inbound): the idempotency key. */
  externalId?: string | null;
  deliveryStatus: string;
  deliveryError?: string | null;
  recipientAddress?: string | null;
}

/** The inserted row, in the shape the ingest announces (`toMessageView`). */
export interface MessageRow {
  id: string;
  ticket_id: string;
  direction: string;
  author_type: string;
  author_operator_id: number | null;
  internal: boolean;
  text: string | null;
  channel: string | null;
  delivery_status: string;
  delivery_error: string | null;
  created_at: Date;
}

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<any>;
}

export async function insertMessage(m: Queryable, msg: NewMessage): Promise<MessageRow> {
  const [row] = await m.query(
    `INSERT INTO messages (ticket_id, comune_id, direction, author_type, author_operator_id, internal, text, channel, external_id,
                           delivery_status, delivery_error, recipient_address)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     RETURNING id, ticket_id, direction, author_type, author_operator_id, internal, text, channel, delivery_status, delivery_error, created_at`,
    [
      msg.ticketId,
      msg.comuneId,
      msg.direction,
      msg.authorType,
      msg.authorOperatorId ?? null,
      msg.internal ?? false,
      msg.text,
      msg.channel,
      msg.externalId ?? null,
      msg.deliveryStatus,
      msg.deliveryError ?? null,
      msg.recipientAddress ?? null,
    ],
  );
  return row as MessageRow;
}
