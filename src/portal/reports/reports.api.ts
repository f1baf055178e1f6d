/**
 * The citizen portal's reports and requests API (`/api/portal/v1`), as the front-end (`portal/`)
 * imports it: types only, no runtime import, never re-declared by hand.
 *
 * Errors: `{ statusCode, message, fields?: [{ field, message }] }`, messages in Italian naming the
 * field (400 invalid, 404 unknown, 409 refused by the state, 413 too large, 415 wrong file type,
 * 422 a pin outside the comune, 429 throttled with Retry-After).
 */

export type Lang = 'it' | 'en';

/** A category of report (or topic of request) a comune's forms offer. */
export interface PortalCategory {
  /** The code routing knows (e.g. `illuminazione`). */
  code: string;
  label: Record<Lang, string>;
  /** Reports only: open reports of this category within this many metres are shown as possible duplicates; 0 = off. */
  duplicateRadiusM: number;
}

/** GET /comuni/:slug/report-categories */
export interface PortalCategoriesResponse {
  comune: { slug: string; name: string };
  reportCategories: PortalCategory[];
  requestTopics: PortalCategory[];
}

/**
 * What the public sees of a case's state: received (nobody took it yet), in_progress (taken in
 * charge, or waiting for the citizen), resolved, closed (e.g. merged into another report).
 */
export type PublicState = 'received' | 'in_progress' | 'resolved' | 'closed';

/**
 * A report as anyone may see it: no personal data, never the citizen's text. The address is the
 * one the citizen typed for the place (it describes the place, not the person).
 */
export interface PublicReport {
  reference: string;
  category: string | null;
  state: PublicState;
  createdAt: string;
  /** The last change of the case (a state, a reply): when the public last saw it move. */
  updatedAt: string;
  resolvedAt: string | null;
  address: string | null;
  lat: number;
  lon: number;
  /** Photos an operator marked publishable. */
  photos: Array<{ url: string }>;
}

/** GET /comuni/:slug/reports/nearby?lat=&lon=&category= : at most 5, nearest first. */
export interface NearbyReport extends Omit<PublicReport, 'photos' | 'resolvedAt' | 'updatedAt'> {
  distanceM: number;
}
export interface NearbyResponse {
  radiusM: number;
  reports: NearbyReport[];
}

/** `state` filter of the map and the list: open = received or in progress; all = every state but closed (default open). */
export type StateFilter = 'open' | 'received' | 'in_progress' | 'resolved' | 'all';

/**
 * GET /comuni/:slug/reports/map?bbox=minLon,minLat,maxLon,maxLat&category=&state=&since=
 * (`since`: a date, YYYY-MM-DD: reports sent that day or later).
 */
export interface MapResponse {
  reports: PublicReport[];
  /** More reports matched than the map shows: zoom in. */
  truncated: boolean;
}

/** GET /comuni/:slug/reports?bbox=&category=&state=&since=&page=&pageSize= : the accessible list form of the map. */
export interface ReportListResponse {
  reports: PublicReport[];
  page: number;
  pageSize: number;
  hasMore: boolean;
}

/**
 * POST /comuni/:slug/reports and POST /comuni/:slug/requests: multipart/form-data (what a phone
 * browser's FormData sends: no base64 inflation), text fields below plus files `photos` (up to 3,
 * JPEG/PNG/WebP) and `documents` (up to 3, PDF), each checked by its bytes. A JSON body with the
 * same fields is accepted for a submission without files.
 */
export interface SubmissionFields {
  /** The browser's id of this submission (8–100 letters, digits, - or _): sending it again creates nothing new. */
  submissionId: string;
  /** Required for a report; a topic for a request. */
  category?: string;
  /** The pin (both or neither); a report needs the pin or an address. */
  lat?: number | string;
  lon?: number | string;
  address?: string;
  description: string;
  name?: string;
  email: string;
  phone?: string;
  /** Must be true. */
  privacyConsent: boolean | 'true';
  /** Updates on the case by e-mail (default true). */
  updatesConsent?: boolean | 'true' | 'false';
}

/** 201 (created) or 200 (the same submissionId again). */
export interface SubmissionResponse {
  /** The tracking code, e.g. BA-2026-000123. */
  reference: string;
  /** With the reference, opens the case without the e-mail address (keep it: it is shown once per submission). */
  accessKey: string;
  type: 'report' | 'request';
  duplicate: boolean;
}

/** POST /cases/lookup, and the credentials of reply and rating: the reference with the e-mail address or the access key. */
export interface CaseCredentials {
  reference: string;
  email?: string;
  accessKey?: string;
}

export interface PublicMessage {
  id: string;
  from: 'citizen' | 'operator' | 'system';
  text: string | null;
  at: string;
  attachments: Array<{ filename: string; contentType: string; url: string }>;
}

/** The case as its citizen sees it (internal notes never). */
export interface CaseView {
  reference: string;
  type: string;
  category: string | null;
  state: PublicState;
  createdAt: string;
  takenInChargeAt: string | null;
  resolvedAt: string | null;
  address: string | null;
  /** A duplicate an operator merged into another report: that report's reference (follow it there). */
  mergedInto: string | null;
  messages: PublicMessage[];
  /** A resolved case not rated yet. */
  canRate: boolean;
  rating: { rating: number; comment: string | null } | null;
}

/** POST /cases/reply */
export interface ReplyRequest extends CaseCredentials {
  text: string;
  clientMessageId?: string;
}
export interface ReplyResponse {
  messageId: string;
  duplicate: boolean;
}

/**
 * POST /cases/rating, once per subject: `case` (default), how the office handled a resolved case;
 * `service`, how the online form worked (the confirmation page, right after sending).
 */
export interface RatingRequest extends CaseCredentials {
  rating: 1 | 2 | 3 | 4 | 5;
  comment?: string;
  subject?: 'case' | 'service';
}

/** POST /reports/:reference/follow */
export interface FollowRequest {
  email: string;
  consent: boolean;
}
export interface FollowResponse {
  reference: string;
  /** false: this address already followed the report (nothing changed). */
  created: boolean;
}

/** POST /followers/unfollow (the link in every follower's e-mail carries the token) */
export interface UnfollowRequest {
  token: string;
}
