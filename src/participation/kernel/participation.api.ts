/**
 * What the participation kernel's routes answer (type-only: the portal and the console import it
 * with `import type`). Each service (debates, proposals, petitions, consultations, planning) adds
 * its own fields under `data`, typed in its own `*.api.ts`.
 */
import type { PortalLang } from '../../portal/portal.api.js';

export interface LocalText {
  it: string;
  en: string;
}

/** Who may do an action: anyone, any logged-in citizen (e-mail code), a verified person (SPID/CIE), level 3. */
export type ActionAssurance = 'anyone' | 'email' | 'spid' | 'cie';

export type SpaceState = 'draft' | 'published' | 'closed' | 'archived';
export type Visibility = 'pending' | 'published' | 'hidden' | 'withdrawn';
export type ItemSort = 'recent' | 'top' | 'oldest' | 'commented';
export type FlagReason = 'spam' | 'offensive' | 'off_topic';

export interface SpacePhase {
  key: string;
  title: LocalText;
  startsAt: string | null;
  endsAt: string | null;
}

/** The Metropolitan City's spaces appear under this slug, and on every comune's page. */
export type MetropolitanSlug = 'citta-metropolitana';

export interface SpaceSummary {
  id: string;
  service: string;
  serviceTitle: LocalText;
  slug: string;
  owner: { kind: 'comune' | 'metropolitan'; slug: string; name: string };
  title: string;
  summary: string;
  state: SpaceState;
  opensAt: string | null;
  closesAt: string | null;
  /** Open now: published and within its dates. */
  open: boolean;
  items: number;
  currentPhase: SpacePhase | null;
}

export interface SpaceDetail extends SpaceSummary {
  body: string;
  phases: SpacePhase[];
  /** Public settings of the space the service reads (limits, thresholds, what is shown when). */
  settings: Record<string, unknown>;
  /** What a citizen may do here and at what level (from the service's manifest and the space's settings). */
  actions: SpaceAction[];
  categories: string[];
  following: boolean;
}

export interface SpaceAction {
  /** `create:<itemKind>` or `contribute:<contributionKind>`. */
  action: string;
  label: LocalText;
  assurance: ActionAssurance;
  residentsOnly: boolean;
}

export interface SpacesResponse {
  spaces: SpaceSummary[];
}

export interface ItemAnswer {
  status: string;
  statusLabel: LocalText | null;
  text: string;
  answeredAt: string;
}

export interface ItemSummary {
  id: string;
  spaceId: string;
  service: string;
  kind: string;
  title: string;
  /** The first 280 characters of the text. */
  excerpt: string;
  category: string | null;
  stage: string;
  stageLabel: LocalText;
  authorName: string | null;
  score: number;
  commentCount: number;
  location: { lat: number; lon: number } | null;
  answer: ItemAnswer | null;
  createdAt: string;
  data: Record<string, unknown>;
}

export interface ItemDetail extends ItemSummary {
  body: string;
  /** GeoJSON geometry (a planning hypothesis draws areas and lines). */
  geometry: unknown;
  visibility: Visibility;
  space: { id: string; slug: string; title: string; service: string; ownerSlug: string };
  /** What the logged-in citizen did here: their contributions by kind (e.g. `{ support: true }`). */
  mine: Record<string, boolean>;
  following: boolean;
  /** Whether contributing is open now, by kind, with the reason when it is not. */
  open: Record<string, { open: boolean; reason: string | null }>;
}

export interface ItemsResponse {
  items: ItemSummary[];
  page: number;
  pageSize: number;
  total: number;
}

export interface ItemsQuery {
  sort?: ItemSort;
  category?: string;
  stage?: string;
  q?: string;
  page?: number;
  lang?: PortalLang;
}

export interface NewItemRequest {
  kind: string;
  title: string;
  body: string;
  category?: string;
  location?: { lat: number; lon: number };
  /** The service's own fields (validated by its manifest). */
  data?: Record<string, unknown>;
  /** Declared by the citizen where the space admits residents only. */
  declaredResident?: boolean;
}

export interface NewItemResponse {
  item: ItemDetail;
  /** `pending`: the space requires approval before publication. */
  visibility: Visibility;
}

export interface ContributionRequest {
  kind: string;
  body?: string;
  parentId?: string;
  data?: Record<string, unknown>;
  location?: { lat: number; lon: number };
  declaredResident?: boolean;
}

export interface ContributionView {
  id: string;
  kind: string;
  parentId: string | null;
  authorName: string | null;
  body: string | null;
  data: Record<string, unknown>;
  location: { lat: number; lon: number } | null;
  official: boolean;
  score: number;
  createdAt: string;
  replies: number;
  /** The logged-in citizen's own. */
  mine: boolean;
  /** The logged-in citizen's vote on it (comments): 1, -1 or 0. */
  myVote: number;
}

export interface ContributionResponse {
  contribution: ContributionView;
  /** False: the same person's contribution was already there (a replay): nothing new was stored. */
  created: boolean;
  itemScore: number;
}

export interface CommentsResponse {
  /** The comune's official answers first, then the page. */
  pinned: ContributionView[];
  comments: ContributionView[];
  page: number;
  pageSize: number;
  total: number;
}

export interface FlagRequest {
  itemId: string;
  contributionId?: string;
  reason: FlagReason;
  note?: string;
}

export interface FlagResponse {
  created: boolean;
}

export interface FollowRequest {
  spaceId?: string;
  itemId?: string;
}

export interface FollowResponse {
  following: boolean;
}

/** Staff side (console). */
export interface SpaceInput {
  service: string;
  slug: string;
  titleIt: string;
  titleEn?: string | null;
  summaryIt?: string;
  summaryEn?: string | null;
  bodyIt?: string;
  bodyEn?: string | null;
  phases?: SpacePhase[];
  settings?: Record<string, unknown>;
  opensAt?: string | null;
  closesAt?: string | null;
  state?: SpaceState;
  /** Metropolitan administrator only: a space of the Metropolitan City. */
  metropolitan?: boolean;
}

export interface StaffSpace extends SpaceDetail {
  titleIt: string;
  titleEn: string | null;
  summaryIt: string;
  summaryEn: string | null;
  bodyIt: string;
  bodyEn: string | null;
}

export interface StaffSpacesResponse {
  spaces: StaffSpace[];
  services: Array<{ name: string; title: LocalText }>;
}

export interface AnswerRequest {
  status: string;
  textIt: string;
  textEn?: string | null;
}
