import { randomUUID } from 'node:crypto';
import type { InboundAttachment, InboundMessage } from '../../conversations/inbound-message.js';

/** The citizen portal's channel: reports and requests sent from the web forms, and the citizen's replies there. */
export const PORTAL_CHANNEL = 'portal';

/** A web form as the portal's API checked it (src/portal/reports/submission.ts): the contact already normalized. */
export interface PortalSubmission {
  comuneId: number;
  /** The browser's id of this submission: a double tap or a retry stores nothing new. */
  submissionId: string;
  kind: 'report' | 'request';
  category: string | null;
  /** The pin, already checked to be inside the comune chosen. */
  location: { lat: number; lng: number } | null;
  address: string | null;
  description: string;
  name: string | null;
  /** Lower-case e-mail address: the anonymous citizen's identity on this channel and where notices go. */
  email: string;
  phone: string | null;
  updatesConsent: boolean;
  attachments: InboundAttachment[];
}

/** Without login the citizen is known on the portal by the e-mail address they left. */
export function portalAddress(email: string): string {
  return `mailto:${email.toLowerCase()}`;
}

/** The provider id of a submission: the idempotency key of the one ingest (channel, external id). */
export function submissionExternalId(submissionId: string): string {
  return `submission:${submissionId}`;
}

/**
 * A web form as the inbound contract. A report with a pin is a `report` (its comune is the one the
 * pin is in, checked before); a report with only a typed address has no position, so it is stored
 * as a `request` with the address in its text (it is not on the map nor among nearby duplicates).
 * Each submission opens a new case. The privacy consent, and the decision about updates on the
 * e-mail address, are stored in the case's own transaction.
 */
export function normalizePortalSubmission(s: PortalSubmission): InboundMessage {
  const lines = [s.description.trim()];
  if (s.address) lines.push(`Indirizzo indicato: ${s.address}`);
  if (s.phone) lines.push(`Telefono: ${s.phone}`);
  const isReport = s.kind === 'report' && s.location !== null;
  return {
    channel: PORTAL_CHANNEL,
    comuneId: s.comuneId,
    externalId: submissionExternalId(s.submissionId),
    sender: { address: portalAddress(s.email), displayName: s.name },
    text: lines.join('\n\n'),
    attachments: s.attachments,
    location: isReport ? s.location : null,
    ticket: {
      type: isReport ? 'report' : 'request',
      category: s.category,
      payload: isReport && s.address ? { address: s.address } : undefined,
      forceNew: true,
    },
    consents: [
      { purpose: 'privacy', granted: true, source: PORTAL_CHANNEL, contact: s.email },
      { purpose: 'updates', granted: s.updatesConsent, source: PORTAL_CHANNEL, contact: s.email },
    ],
    events: [{ type: 'portal.submitted', actorType: 'citizen', data: { kind: s.kind, pin: s.location !== null } }],
  };
}

/** The citizen's reply from the case page of the portal: joins that case. */
export function normalizePortalReply(r: {
  comuneId: number;
  reference: string;
  address: string;
  text: string;
  clientMessageId?: string | null;
}): InboundMessage {
  return {
    channel: PORTAL_CHANNEL,
    comuneId: r.comuneId,
    externalId: `reply:${r.reference}:${r.clientMessageId ?? randomUUID()}`,
    sender: { address: r.address },
    text: r.text,
    ticket: { reference: r.reference },
  };
}
