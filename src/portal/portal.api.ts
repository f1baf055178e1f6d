/**
 * The citizen portal's HTTP API, as types only: the backend (src/portal/) answers these shapes and
 * the portal app (portal/) imports them with `import type` through its tsconfig path `@server/*`.
 * Nothing here may emit code: the portal's bundle must not pull anything from the server.
 */

import type { BoundaryGeometry } from '../comuni/comuni.api.js';

/** Text shown to people: Italian first, English optional (falls back to Italian). */
export type PortalLang = 'it' | 'en';

// ── Identity (GET /api/portal/v1/session, /auth/*) ──────────────────────────────────────────

export type Assurance = 'email' | 'spid' | 'cie';
export type AssuranceLevel = 1 | 2 | 3;
export type LoginMethod = 'spid' | 'cie';

/** Why a SPID/CIE login failed: the gateway's callback sends the browser to `/accedi?errore=<code>`. */
export type LoginErrorCode =
  | 'sessione_scaduta'
  | 'verifica_fallita'
  | 'livello_insufficiente'
  | 'dati_mancanti'
  | 'annullato'
  | 'gateway'
  | 'non_configurato'
  | 'gateway_non_raggiungibile'
  | 'errore_interno';

export interface PortalCitizen {
  id: string;
  displayName: string;
  /** null for an account that only proved an e-mail address. */
  givenName: string | null;
  familyName: string | null;
  fiscalCode: string | null;
  email: string | null;
  assurance: Assurance;
  level: AssuranceLevel;
}

export type PortalSession =
  { authenticated: false; csrfToken: string } | { authenticated: true; csrfToken: string; citizen: PortalCitizen };

/** POST /api/portal/v1/auth/email/start → 202. */
export interface EmailStartRequest {
  email: string;
}
/** POST /api/portal/v1/auth/email/verify → 200 with a PortalSession. */
export interface EmailVerifyRequest {
  email: string;
  code: string;
}
/** POST /api/portal/v1/auth/logout → 200. */
export interface LogoutResponse {
  redirectTo: string;
}

/** The header every POST/PUT/PATCH/DELETE under /api/portal/v1 carries (value from the session body). */
export type CsrfHeader = 'X-CSRF-Token';

// ── Errors ──────────────────────────────────────────────────────────────────────────────────

export interface FieldError {
  field: string;
  message: string;
}
/** 4xx body: `fields` names each bad input; `code` for errors the client acts on (`login_required`). */
export interface ApiError {
  statusCode: number;
  message: string;
  code?: string;
  fields?: FieldError[];
}

// ── Comuni (GET /api/portal/v1/comuni[/:slug]) ─────────────────────────────────────────────

export interface PortalComune {
  id: number;
  slug: string;
  name: string;
  istatCode: string;
  /** ISTAT code of the province: 072 for the Metropolitan City of Bari. */
  provinceCode: string;
  /** Where the portal's comune page sends citizens to talk to the URP. */
  contactPageUrl: string;
}

/**
 * `GET /api/portal/v1/comuni/:slug/map`: what a map of the comune needs — its boundary (GeoJSON,
 * © ISTAT) and the installation's tile server, if any (none by default: the boundary is drawn on a
 * plain background, so the map works offline and makes no third-party request).
 */
export interface PortalComuneMap {
  comune: string;
  boundary: BoundaryGeometry | null;
  /** A point inside the comune (PostGIS ST_PointOnSurface), to centre a map on. */
  center: { lat: number; lng: number } | null;
  tileUrl: string | null;
  attribution: string[];
}

// ── Service catalogue (GET /api/portal/v1/comuni/:slug/services) ───────────────────────────

/** The fixed thematic areas of the catalogue (labels: src/portal/catalogue/areas.ts). */
export type ThematicAreaId =
  | 'social'
  | 'building'
  | 'taxes'
  | 'environment'
  | 'public-works'
  | 'participation'
  | 'registry'
  | 'education'
  | 'mobility'
  | 'culture'
  | 'business';

export type Audience = 'citizens' | 'businesses' | 'all';

export interface ThematicArea {
  id: ThematicAreaId;
  label: string;
}

/** Who offers a service: the comune itself, the Metropolitan City, or Sportello (this platform). */
export type ServiceOwner = 'comune' | 'metropolitan';
export type ServiceKind = 'sportello' | 'external';

export interface CatalogueService {
  /** `sportello:<id>` for the platform's own services, `ext:<number>` for a manager's link. */
  id: string;
  kind: ServiceKind;
  owner: ServiceOwner;
  title: string;
  description: string;
  area: ThematicArea;
  url: string;
  audience: Audience;
  online: boolean;
}

export type CatalogueSort = 'name' | 'area';

export interface CatalogueResponse {
  comune: PortalComune;
  lang: PortalLang;
  areas: ThematicArea[];
  services: CatalogueService[];
}

// ── Staff API (/api/console/catalogue) ─────────────────────────────────────────────────────

export interface CatalogueEntryInput {
  titleIt: string;
  titleEn?: string | null;
  descriptionIt?: string | null;
  descriptionEn?: string | null;
  area: ThematicAreaId;
  url: string;
  audience?: Audience;
  online?: boolean;
  position?: number;
  /** Create only, metropolitan administrator only: an entry of the Metropolitan City (every comune shows it). */
  metropolitan?: boolean;
}

export interface CatalogueEntry {
  id: number;
  /** null: an entry of the Metropolitan City. */
  comuneId: number | null;
  titleIt: string;
  titleEn: string | null;
  descriptionIt: string | null;
  descriptionEn: string | null;
  area: ThematicAreaId;
  url: string;
  audience: Audience;
  online: boolean;
  position: number;
  updatedAt: string;
  /** May the caller change it (a manager cannot change the Metropolitan City's entries). */
  editable: boolean;
}
