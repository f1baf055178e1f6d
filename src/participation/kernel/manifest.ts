import type { EntityManager } from 'typeorm';
import type { ActionAssurance, LocalText } from './participation.api.js';

/** One of an item kind's own stages (a petition: admissibility → collecting → threshold_reached → answered). */
export interface ItemStage {
  label: LocalText;
  next: readonly string[];
  /** Shown to the public (false: e.g. a petition awaiting its admissibility check is seen by its promoter and staff only). */
  public: boolean;
}

export interface ItemKindSpec {
  label: LocalText;
  /** Who creates it: citizens from the portal (at `assurance`), or the comune's staff from the console. */
  createdBy: 'citizen' | 'staff';
  assurance: ActionAssurance;
  initialStage: string;
  stages: Readonly<Record<string, ItemStage>>;
  /** A position is asked for (optional unless `requiresLocation`). */
  location?: 'none' | 'optional' | 'required';
  /** Official answer statuses the comune may give (accepted / rejected / under evaluation…). */
  answers?: Readonly<Record<string, LocalText>>;
}

/** The item as a hook sees it, inside the transaction that changes it. */
export interface ItemRow {
  id: string;
  comuneId: number | null;
  spaceId: string;
  kind: string;
  stage: string;
  visibility: string;
  score: number;
  data: Record<string, unknown>;
  createdAt: Date;
  publishedAt: Date | null;
  authorAccountId: string | null;
}

export interface SpaceRow {
  id: string;
  comuneId: number | null;
  service: string;
  slug: string;
  state: string;
  opensAt: Date | null;
  closesAt: Date | null;
  settings: Record<string, unknown>;
}

export interface ContributionKindSpec {
  label: LocalText;
  /** The least assurance the action needs; a space's settings may raise it (`settings.assurance[kind]`). */
  assurance: Exclude<ActionAssurance, 'anyone'>;
  /** One per person per item (a signature, a support, a questionnaire's answer, a preference). */
  once: boolean;
  /** The item counter it moves: `score` (supports, signatures, preferences) or `comments`. */
  counts?: 'score' | 'comments';
  /** A text is required (`required`), allowed (`optional`) or not taken (`none`), at most `max` characters. */
  body: { use: 'none' | 'optional' | 'required'; max: number };
  /** Replies to another contribution of a kind listed here (a reply to a comment, a vote on a comment). */
  parentKinds?: readonly string[];
  /** The contribution changes its parent's score by data.value (+1/-1): a vote on a comment. */
  votesParent?: boolean;
  /** The item stages it is allowed in (absent: any public stage). */
  whileStages?: readonly string[];
  /** How many the same person may make per space, read from the space's settings key (a per-citizen support limit). */
  perSpaceLimitSetting?: string;
  /** A pin on the map (a place-based remark). */
  location?: 'none' | 'optional' | 'required';
  /** The citizen may take it back (unsupport). */
  withdrawable?: boolean;
  /** Shown to the public as a text in the item's thread (comments); false for signatures and answers. */
  publicText?: boolean;
}

export interface ContributionHookContext {
  manager: EntityManager;
  space: SpaceRow;
  item: ItemRow;
  kind: string;
  contributionId: string;
  /** The item's score after this contribution. */
  score: number;
  actor: { type: 'citizen' | 'operator'; accountId: string | null; operatorId: number | null };
}

export interface ParticipationHooks {
  /**
   * Why contributing `kind` to `item` is refused now (a petition's signature period is over), or
   * null. Runs in the contribution's transaction, the item locked.
   */
  refuse?(item: ItemRow, space: SpaceRow, kind: string, now: Date): string | null;
  /** Checks and normalises a new item's service fields (`data`); throws an InvalidInputException naming the field. */
  itemData?(kind: string, data: Record<string, unknown>, space: SpaceRow): Record<string, unknown>;
  /** Checks a contribution's service fields (a questionnaire's answers); throws an InvalidInputException naming the field. */
  contributionData?(kind: string, data: Record<string, unknown>, item: ItemRow, space: SpaceRow): Record<string, unknown>;
  /** After a contribution is stored (not for a replay), before its transaction commits: thresholds, milestones. */
  onContribution?(ctx: ContributionHookContext): Promise<void>;
}

/**
 * A participation service, contributed by the folder that owns it with
 * `ParticipationModule.forFeature(manifest)`: the kernel gives it spaces, items, contributions,
 * moderation, follows and digests, open-data export and its catalogue entry; nothing in the kernel
 * is edited to add one (Decidim's component manifests are the precedent).
 */
export interface ParticipationServiceManifest {
  /** Stored in `participation_spaces.service`; lowercase, stable. */
  name: string;
  title: LocalText;
  description: LocalText;
  /** The portal path segment of the service's spaces (`/bari/partecipa/<space>`): shared by all services. */
  itemKinds: Readonly<Record<string, ItemKindSpec>>;
  contributionKinds: Readonly<Record<string, ContributionKindSpec>>;
  /** Citizens' items wait for a moderator's approval before publication (a space may override: `settings.approval`). */
  approvalBeforePublication: boolean;
  /** Default settings of a new space (the console's form starts from them). */
  defaultSettings: Readonly<Record<string, unknown>>;
  hooks?: ParticipationHooks;
}

const NAME = /^[a-z][a-z0-9_]{0,39}$/;

/** Identity function that checks a manifest's shape at load. */
export function defineParticipationService(m: ParticipationServiceManifest): ParticipationServiceManifest {
  if (!NAME.test(m.name)) throw new Error(`participation service name "${m.name}" must be lowercase letters, digits, _`);
  for (const [kind, spec] of Object.entries(m.itemKinds)) {
    if (!NAME.test(kind)) throw new Error(`${m.name}: item kind "${kind}" is not valid`);
    if (!spec.stages[spec.initialStage]) throw new Error(`${m.name}: item kind ${kind} starts in unknown stage ${spec.initialStage}`);
    for (const [stage, s] of Object.entries(spec.stages)) {
      if (!NAME.test(stage)) throw new Error(`${m.name}: stage "${stage}" is not valid`);
      for (const n of s.next) if (!spec.stages[n]) throw new Error(`${m.name}: stage ${stage} leads to unknown stage ${n}`);
    }
  }
  for (const [kind, spec] of Object.entries(m.contributionKinds)) {
    if (!NAME.test(kind)) throw new Error(`${m.name}: contribution kind "${kind}" is not valid`);
    for (const p of spec.parentKinds ?? [])
      if (!m.contributionKinds[p]) throw new Error(`${m.name}: contribution kind ${kind} replies to unknown kind ${p}`);
  }
  return m;
}

/** The stronger of two assurance levels. */
export function stronger(a: ActionAssurance, b: ActionAssurance): ActionAssurance {
  const rank: Record<ActionAssurance, number> = { anyone: 0, email: 1, spid: 2, cie: 3 };
  return rank[a] >= rank[b] ? a : b;
}
