/**
 * What every channel adapter turns a provider's message into. The ingest pipeline knows nothing
 * else of WhatsApp, Telegram, e-mail or the web chat.
 */
export interface InboundAttachment {
  storageKey: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
}

export interface InboundMessage {
  channel: string;
  /** The comune owning the channel account the message arrived on. */
  comuneId: number;
  /** The provider's id of this message, unique within the channel: the idempotency key. */
  externalId: string;
  sender: { address: string; displayName?: string | null };
  text?: string | null;
  attachments?: InboundAttachment[];
  location?: { lat: number; lng: number } | null;
  /**
   * A position inside no comune of the Metropolitan City (the sea, another province): `reject`
   * (the default) refuses the message, 422 naming `location`; `note`, for chat channels whose
   * provider cannot be answered with an error, keeps the message with the channel's comune, does
   * not take the point as the ticket's place (a report becomes a request) and writes it in the text.
   */
  locationOutside?: 'reject' | 'note';
  ticket?: {
    /** The case type; when absent, a message that shares a position is a `report`, any other a `request` (caseTypeOf). */
    type?: string;
    category?: string | null;
    subject?: string | null;
    payload?: unknown;
    /** Thread into this ticket (a reply quoting its reference). */
    reference?: string | null;
    /** Always open a new ticket (a new report from the app). */
    forceNew?: boolean;
  };
  correlationId?: string;
  /**
   * Consent decisions that belong to the case (the privacy notice accepted at the counter or in the
   * widget): stored by the same transaction as the message and its case, or not at all.
   */
  consents?: Array<{
    purpose: 'privacy' | 'updates';
    granted: boolean;
    source: string;
    contact?: string | null;
    recordedBy?: number | null;
  }>;
  /** Extra events on the case, in the same transaction (e.g. `ticket.entered_for_citizen` at the counter). */
  events?: Array<{
    type: string;
    actorType: 'citizen' | 'operator' | 'system';
    actorOperatorId?: number | null;
    data?: Record<string, unknown>;
  }>;
}

export interface IngestResult {
  duplicate: boolean;
  /** An interceptor handled the message without any case (ticket fields are empty): nothing to thread or show. */
  absorbed?: boolean;
  ticketId: string;
  ticketReference: string;
  ticketCreated: boolean;
  messageId: string;
  comuneId: number;
}
