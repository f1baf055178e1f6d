import type { CitizenMessageView, MessageView, TicketSummary } from '../realtime/events.api.js';

/** Columns that make a TicketSummary, for `SELECT ${TICKET_SUMMARY_COLUMNS} FROM tickets t`. */
export const TICKET_SUMMARY_COLUMNS = `t.id, t.reference, t.comune_id, t.type, t.category, t.priority, t.status,
  t.queue_state, t.subject, t.channel, t.group_id, t.assignee_id, t.offered_to_id, t.offer_expires_at,
  t.waiting_since, t.created_at, t.last_message_at,
  ST_Y(t.location::geometry) AS lat, ST_X(t.location::geometry) AS lng`;

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

export function toTicketSummary(r: Record<string, any>): TicketSummary {
  return {
    id: String(r.id),
    reference: r.reference,
    comuneId: r.comune_id,
    type: r.type,
    category: r.category,
    priority: r.priority,
    status: r.status,
    queueState: r.queue_state,
    subject: r.subject,
    channel: r.channel,
    groupId: r.group_id,
    assigneeId: r.assignee_id,
    offeredToId: r.offered_to_id,
    offerExpiresAt: iso(r.offer_expires_at),
    waitingSince: iso(r.waiting_since),
    createdAt: iso(r.created_at) as string,
    lastMessageAt: iso(r.last_message_at) as string,
    location: r.lat === null || r.lat === undefined ? null : { lat: Number(r.lat), lng: Number(r.lng) },
  };
}

export const MESSAGE_COLUMNS = `m.id, m.ticket_id, m.direction, m.author_type, m.author_operator_id, m.internal,
  m.text, m.channel, m.delivery_status, m.delivery_error, m.recipient_address, m.created_at,
  COALESCE((SELECT json_agg(json_build_object('id', a.id::text, 'filename', a.filename,
    'contentType', a.content_type, 'sizeBytes', a.size_bytes) ORDER BY a.id)
    FROM attachments a WHERE a.message_id = m.id), '[]') AS attachments,
  (SELECT e.pec_signature FROM email_messages e WHERE e.message_id = m.id AND e.kind = 'pec' LIMIT 1) AS pec_signature`;

export function toMessageView(r: Record<string, any>): MessageView {
  return {
    id: String(r.id),
    ticketId: String(r.ticket_id),
    direction: r.direction,
    authorType: r.author_type,
    authorOperatorId: r.author_operator_id,
    internal: r.internal,
    text: r.text,
    channel: r.channel,
    deliveryStatus: r.delivery_status,
    deliveryError: r.delivery_error,
    recipient: r.recipient_address ? displayRecipient(r.recipient_address) : null,
    createdAt: iso(r.created_at) as string,
    attachments: (r.attachments ?? []).map((a: any) => ({ ...a, url: `/api/attachments/${a.id}` })),
    ...(r.pec_signature ? { pecSignature: r.pec_signature } : {}),
  };
}

/** A message's own recipient as an operator reads it: WhatsApp's `<account id>:<wa_id>` is the number. */
function displayRecipient(address: string): string {
  const wa = /^\d+:(\d{6,20})$/.exec(address);
  return wa ? `+${wa[1]}` : address;
}

export function toCitizenMessageView(m: MessageView, ticketReference: string, authorName?: string): CitizenMessageView {
  return {
    id: m.id,
    direction: m.direction,
    author: m.authorType as CitizenMessageView['author'],
    ...(authorName ? { authorName } : {}),
    text: m.text,
    createdAt: m.createdAt,
    ticketReference,
    attachments: m.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType })),
  };
}
