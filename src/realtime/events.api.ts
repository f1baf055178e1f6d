/**
 * The Socket.IO contract, typed both ways. Agent namespace `/agent`, citizen namespace `/webchat`.
 * A type-only module (docs/architecture.md, "API types"): the console and the widget import it with
 * `import type`; the ticket summary and the message view are also what the REST API answers.
 */
import type { Presence } from '../common/staff.api.js';

export interface TicketSummary {
  id: string;
  reference: string;
  comuneId: number;
  type: string;
  category: string | null;
  priority: string;
  status: string;
  queueState: string;
  subject: string | null;
  channel: string;
  groupId: number | null;
  assigneeId: number | null;
  offeredToId: number | null;
  offerExpiresAt: string | null;
  waitingSince: string | null;
  createdAt: string;
  lastMessageAt: string;
  location: { lat: number; lng: number } | null;
}

/** An attachment of a message, as the console lists it (`url` serves its bytes). */
export interface AttachmentView {
  id: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
  url: string;
}

export interface MessageView {
  id: string;
  ticketId: string;
  direction: 'inbound' | 'outbound';
  authorType: string;
  authorOperatorId: number | null;
  internal: boolean;
  text: string | null;
  channel: string;
  deliveryStatus: string;
  deliveryError: string | null;
  /** Where an outbound notice went when not to the ticket's own identity: the contact the citizen left. */
  recipient: string | null;
  createdAt: string;
  attachments: AttachmentView[];
  /** A PEC envelope: whether the provider's signature was verified (src/channels/email/pec-signature.ts). */
  pecSignature?: 'verified' | 'not_verified' | 'invalid';
}

export interface AgentServerEvents {
  'ticket.created': (p: { ticket: TicketSummary; correlationId?: string }) => void;
  'ticket.offered': (p: { ticket: TicketSummary; expiresAt: string }) => void;
  'ticket.assigned': (p: { ticket: TicketSummary }) => void;
  'ticket.updated': (p: { ticket: TicketSummary; change: string }) => void;
  'message.created': (p: { ticketId: string; message: MessageView; correlationId?: string }) => void;
  /** Delivery state of an outbound message changed (sent, delivered, read, failed). */
  'message.updated': (p: { ticketId: string; message: MessageView }) => void;
  'presence.updated': (p: { operatorId: number; presence: Presence; comuneId: number | null }) => void;
  /** An SLA clock of a ticket is close to its due time (to the assignee and the group's supervisors). */
  'sla.warning': (p: SlaAlert) => void;
  /** An SLA clock of a ticket passed its due time. */
  'sla.breached': (p: SlaAlert) => void;
  /** The citizen is (or stopped) typing in the web chat of this ticket. */
  'citizen.typing': (p: { ticketId: string; typing: boolean }) => void;
}

/** A running SLA clock that needs attention. */
export interface SlaAlert {
  ticketId: string;
  reference: string;
  comuneId: number;
  groupId: number | null;
  assigneeId: number | null;
  kind: 'first_response' | 'next_response' | 'resolution';
  dueAt: string;
}

export interface AgentClientEvents {
  /** The gateway always answers (the console waits for it, with a timeout). */
  'presence.set': (p: { presence: Presence }, ack: (r: { ok: boolean; error?: string }) => void) => void;
  /** The operator is (or stopped) typing a reply; reaches the citizen of a web-chat ticket. */
  typing: (p: { ticketId: string; typing: boolean }) => void;
  /** The operator has read the citizen's messages up to this one. */
  'ticket.read': (p: { ticketId: string; upToMessageId: string }, ack?: (r: { ok: boolean; error?: string }) => void) => void;
}

/** A message as the citizen sees it: no internal notes, no operator ids. */
export interface CitizenMessageView {
  id: string;
  direction: 'inbound' | 'outbound';
  author: 'citizen' | 'operator' | 'bot' | 'system';
  authorName?: string;
  text: string | null;
  createdAt: string;
  ticketReference: string;
  attachments: Array<{ filename: string; contentType: string }>;
}

export interface WebchatServerEvents {
  session: (p: { sessionToken: string; comune: { slug: string; name: string } }) => void;
  history: (p: { ticketReference: string | null; messages: CitizenMessageView[] }) => void;
  message: (p: CitizenMessageView) => void;
  /** After resolution: the citizen is asked for a 1–5 rating of this ticket (answer with `csat`). */
  'csat.request': (p: { ticketReference: string }) => void;
  /** An operator is (or stopped) typing an answer. */
  typing: (p: { typing: boolean }) => void;
  /** The operator has read the citizen's messages up to this one. */
  read: (p: { upToMessageId: string }) => void;
}

export type WebchatAck =
  | { ok: true; ticketReference: string; messageId: string; duplicate: boolean }
  | { ok: false; error: { status: number; field: string; message: string } };

export interface WebchatClientEvents {
  message: (p: { text?: string; clientMessageId?: string; location?: { lat: number; lng: number } }, ack?: (r: WebchatAck) => void) => void;
  /** The citizen's satisfaction rating (1–5) of a resolved ticket of this session, with an optional comment. */
  csat: (
    p: { ticketReference: string; rating: number; comment?: string },
    ack?: (r: { ok: true } | { ok: false; error: { status: number; field: string; message: string } }) => void,
  ) => void;
  typing: (p: { typing: boolean }) => void;
  /** The citizen has seen the operator's messages up to this one. */
  read: (p: { upToMessageId: string }) => void;
}
