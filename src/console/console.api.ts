import type { TicketSummary } from '../realtime/events.api.js';

/** What the console's own API answers (a type-only module: docs/architecture.md, "API types"). */

/** `GET /api/console/canned-responses` (and what creating or changing one answers). */
export interface CannedResponse {
  id: number;
  comuneId: number;
  groupId: number;
  /** Typed after "/" in the reply box. */
  shortcut: string;
  title: string;
  body: string;
  updatedAt: string;
}

/** The citizen's latest decision on one purpose, in the ticket's comune. */
export interface ConsentView {
  granted: boolean;
  source: string;
  recordedAt: string;
}

/** `GET /api/console/tickets/:id/citizen`: the citizen of a ticket as its comune knows them. */
export interface CitizenPanel {
  id: string;
  displayName: string | null;
  since: string | null;
  identities: Array<{ channel: string; address: string; displayName: string | null; since: string }>;
  /** Contacts the citizen left for updates, latest first per contact. */
  contacts: Array<{ contact: string; givenAt: string }>;
  consent: { privacy: ConsentView | null; updates: ConsentView | null };
  /** The citizen's other tickets the operator may see. */
  tickets: TicketSummary[];
}

/** `POST /api/console/tickets`: the ticket a phone or desk request opened (or joined). */
export interface CounterTicketCreated {
  ticketId: string;
  ticketReference: string;
}

/** `GET /api/console/map`: the installation's tile server, if any. */
export interface MapConfig {
  tileUrl: string | null;
  attribution: string;
}

import type { BoundaryGeometry } from '../comuni/comuni.api.js';
export type { BoundaryGeometry };

/** `GET /api/console/comuni/boundaries`: the simplified boundaries of the comuni the caller sees (GeoJSON). */
export interface ComuneBoundaries {
  type: 'FeatureCollection';
  features: Array<{ type: 'Feature'; id: number; properties: { comuneId: number; name: string }; geometry: BoundaryGeometry }>;
  attribution: string;
}

/** `GET /api/console/comuni/:id/boundary`: one comune's boundary (GeoJSON). */
export interface ComuneBoundary {
  type: 'Feature';
  properties: { name: string; attribution: string };
  geometry: BoundaryGeometry;
}
