/**
 * The contract a channel implements to send an operator's reply to a citizen. The inbound side
 * of a channel (a webhook controller, a socket gateway, a mailbox poller) turns what arrives into
 * an InboundMessage and hands it to IngestService; the outbound side is this interface, called
 * by the channel's own BullMQ queue (with that provider's rate limit).
 */
export interface OutboundMessage {
  messageId: string;
  ticketId: string;
  ticketReference: string;
  comuneId: number;
  text: string;
  /**
   * Where the citizen is reached: the identity the ticket came from, or the address the message
   * itself names (a contact the citizen left with consent to updates), in the channel's own form.
   */
  recipient: { channel: string; address: string; displayName: string | null };
  operatorName: string | null;
  attachments: Array<{ storageKey: string; filename: string; contentType: string }>;
  createdAt: Date;
}

export interface DeliveryResult {
  /** The provider's id of the sent message, when it gives one (for delivery receipts). */
  externalId?: string;
  status: 'sent' | 'delivered';
}

export interface ChannelAdapter {
  readonly channel: string;
  deliver(message: OutboundMessage): Promise<DeliveryResult>;
}

/** A failure worth retrying (timeouts, 429, 5xx). */
export class TransientDeliveryError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'TransientDeliveryError';
  }
}

/** A failure that retrying cannot fix (unknown recipient, message refused by policy). */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}
