import { randomUUID } from 'node:crypto';
import type { InboundMessage } from '../../conversations/inbound-message.js';

/** Requests taken by phone or at the desk: an operator enters them in the console, nothing goes out on them. */
export const COUNTER_CHANNELS = ['phone', 'desk'] as const;
export type CounterChannel = (typeof COUNTER_CHANNELS)[number];

/** What the operator entered for the citizen, contacts already checked and normalized by the console. */
export interface CounterRequest {
  channel: CounterChannel;
  comuneId: number;
  /** The operator who took the call or stood at the desk. */
  operatorId: number;
  citizen: { name?: string; fiscalCode?: string; phone: string | null; email: string | null };
  text: string;
  location?: { lat: number; lng: number } | null;
  ticket: { type?: string; category?: string | null; subject?: string | null };
  /** Stored in the ticket's own transaction: who entered it, the consents the citizen gave. */
  events?: InboundMessage['events'];
  consents?: InboundMessage['consents'];
}

/**
 * The citizen is recognised by what identifies a person at the counter: fiscal code first, then
 * phone, then e-mail; someone who left none is a new anonymous identity each time.
 */
export function counterAddress(c: CounterRequest['citizen']): string {
  if (c.fiscalCode) return `cf:${c.fiscalCode.toUpperCase()}`;
  if (c.phone) return `tel:${c.phone}`;
  if (c.email) return `mailto:${c.email}`;
  return `anon:${randomUUID()}`;
}

/**
 * A counter request as the inbound contract every channel speaks. The provider id is made here
 * (there is no provider): each request is a new message and always opens a new ticket.
 */
export function normalizeCounterRequest(r: CounterRequest): InboundMessage {
  return {
    channel: r.channel,
    comuneId: r.comuneId,
    externalId: `console:${r.operatorId}:${randomUUID()}`,
    sender: { address: counterAddress(r.citizen), displayName: r.citizen.name || null },
    text: r.text,
    location: r.location ? { lat: r.location.lat, lng: r.location.lng } : null,
    // A counter request is a request unless the operator chose otherwise, position or not.
    ticket: { type: r.ticket.type ?? 'request', category: r.ticket.category || null, subject: r.ticket.subject || null, forceNew: true },
    events: r.events,
    consents: r.consents,
  };
}
