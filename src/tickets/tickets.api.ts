import type { MessageView, TicketSummary } from '../realtime/events.api.js';

/**
 * What the tickets API answers (a type-only module: docs/architecture.md, "API types"). The list
 * (`GET /api/tickets`), a change (`PATCH`) and the console's other lists answer `TicketSummary`s, a
 * reply (`POST …/messages`) a `MessageView` (both in src/realtime/events.api.ts: the sockets carry them too).
 */
export type { AttachmentView, MessageView, TicketSummary } from '../realtime/events.api.js';

/** `GET /api/tickets/:id`: the ticket, its citizen as this comune knows them, the whole thread. */
export interface TicketDetail extends TicketSummary {
  citizen: { id: string; displayName: string | null; identities: Array<{ channel: string; address: string; displayName: string | null }> };
  payload: Record<string, unknown>;
  /** The case's stage, for a type with its own stages; null otherwise. */
  stage: string | null;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  messages: MessageView[];
}

/** `GET /api/tickets/:id/events`: one line of the ticket's event log. */
export interface TicketEvent {
  id: string;
  type: string;
  actorType: string;
  actorOperatorId: number | null;
  data: Record<string, unknown>;
  createdAt: string;
}
