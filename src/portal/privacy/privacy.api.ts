import type { Assurance } from '../portal.api.js';

/** An attachment of one of the citizen's messages, listed in the export (the bytes are fetched by `url`). */
export interface MyDataAttachment {
  id: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
  /** A signed portal link to the file, valid for an hour from the export; null when the file was removed. */
  url: string | null;
  removedAt: string | null;
}

export interface MyDataMessage {
  id: string;
  from: 'citizen' | 'operator' | 'bot' | 'system';
  /** The operator's display name on an operator's message (nothing else about staff). */
  operator: string | null;
  text: string | null;
  at: string;
  attachments: MyDataAttachment[];
}

export interface MyDataCase {
  reference: string;
  comune: { name: string; slug: string };
  type: string;
  category: string | null;
  status: string;
  channel: string;
  createdAt: string;
  resolvedAt: string | null;
  address: string | null;
  /** When its personal data were removed (erasure or the comune's retention period), else null. */
  anonymisedAt: string | null;
  /** The public conversation: no internal note. */
  messages: MyDataMessage[];
  /** Satisfaction survey and service ratings the citizen gave on this case. */
  ratings: Array<{ kind: string; rating: number; comment: string | null; at: string }>;
}

/** GET /api/portal/v1/me/data: everything Sportello holds about the logged-in citizen (GDPR arts. 15 and 20). */
export interface MyDataExport {
  format: 'sportello-dati-personali/1';
  generatedAt: string;
  account: {
    id: string;
    fiscalCode: string | null;
    givenName: string | null;
    familyName: string | null;
    email: string | null;
    assurance: Assurance;
    level: number;
    createdAt: string;
    lastLoginAt: string;
  };
  /** Channel identities linked to the account (WhatsApp, Telegram, e-mail, the portal's own). */
  linkedIdentities: Array<{ channel: string; address: string; linkedAt: string }>;
  /** Login sessions, dates only. */
  sessions: Array<{ assurance: Assurance; createdAt: string; lastSeenAt: string; expiresAt: string }>;
  /** Consents recorded for the linked citizens, each given (granted) or withdrawn at a date. */
  consents: Array<{
    comune: string;
    purpose: string;
    granted: boolean;
    source: string;
    contact: string | null;
    at: string;
    reference: string | null;
  }>;
  cases: MyDataCase[];
  /** Reports followed by e-mail with the account's address. */
  follows: Array<{ reference: string; comune: string; email: string; since: string }>;
}

/** POST /api/portal/v1/me/erasure */
export interface ErasureRequestBody {
  /** The citizen confirms (the checkbox of the page). */
  confirm: boolean;
}

/** 202: the request is recorded and queued; the account is logged out everywhere. */
export interface ErasureAccepted {
  requestId: string;
  /** False when this account had already asked: the same request and job. */
  created: boolean;
}

/** The privacy section of the console (GET /api/console/comuni/:id/privacy). */
export interface PrivacyEventView {
  id: string;
  kind: 'export' | 'erasure_requested' | 'erasure_completed' | 'retention_anonymised' | 'retention_set';
  /** `citizen` (account id), `operator` (operator id), `system`. */
  actorType: 'citizen' | 'operator' | 'system';
  actorId: string | null;
  comuneId: number | null;
  counts: Record<string, number | null>;
  at: string;
}

export interface ComunePrivacy {
  comuneId: number;
  /** Months a closed case is kept before its personal data are removed; null: kept. */
  retentionMonths: number | null;
  defaultMonths: number;
  updatedAt: string | null;
  events: PrivacyEventView[];
}

/** PUT /api/console/comuni/:id/privacy/retention */
export interface RetentionUpdate {
  retentionMonths: number | null;
}
