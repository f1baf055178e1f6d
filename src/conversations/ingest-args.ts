import type { InboundMessage } from './inbound-message.js';

/** The one argument of `ingest_message(jsonb)` and `ingest_lookup(jsonb)` (src/conversations/sql/ingest_message.sql). */
export interface IngestArgs {
  channel: string;
  externalId: string;
  address: string;
  displayName: string | null;
  comuneId: number;
  forceNew: boolean;
  reference: string | null;
  year: string;
  type: string;
  category: string | null;
  subject: string | null;
  payload: Record<string, unknown>;
  location: { lat: number; lng: number } | null;
  text: string | null;
  attachments: Array<{ storageKey: string; filename: string; contentType: string; sizeBytes: number }>;
  correlationId: string | null;
  consents: NonNullable<InboundMessage['consents']>;
  events: NonNullable<InboundMessage['events']>;
}

/** Built here only, from the validated message and what the ingest decided (comune, type, payload). */
export function ingestArgs(
  msg: InboundMessage,
  comuneId: number,
  typeName: string,
  payload: Record<string, unknown>,
  correlationId: string | undefined,
): IngestArgs {
  return {
    channel: msg.channel,
    externalId: msg.externalId,
    address: msg.sender.address,
    displayName: msg.sender.displayName ?? null,
    comuneId,
    forceNew: Boolean(msg.ticket?.forceNew),
    reference: msg.ticket?.reference ? msg.ticket.reference.toUpperCase() : null,
    year: String(new Date().getFullYear()),
    type: typeName,
    category: msg.ticket?.category ?? null,
    subject: msg.ticket?.subject ?? deriveSubject(msg.text),
    payload,
    location: msg.location ? { lat: msg.location.lat, lng: msg.location.lng } : null,
    text: msg.text ?? null,
    attachments: (msg.attachments ?? []).map((a) => ({
      storageKey: a.storageKey,
      filename: a.filename,
      contentType: a.contentType,
      sizeBytes: a.sizeBytes,
    })),
    correlationId: correlationId ?? null,
    consents: msg.consents ?? [],
    events: msg.events ?? [],
  };
}

function deriveSubject(text: string | null | undefined): string | null {
  if (!text) return null;
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 80 ? `${oneLine.slice(0, 77)}…` : oneLine || null;
}
