import type { Type } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CorePhase } from './phases.js';

/** Text shown to citizens and operators: Italian first, English available. */
export interface Label {
  it: string;
  en: string;
}

/** One of a case type's own stages: the core phase it stands in, and the stages it may move to. */
export interface CaseStage {
  phase: CorePhase;
  label: Label;
  next: readonly string[];
}

/** A type's own lifecycle (a booking: requested → confirmed → attended | no_show | cancelled). */
export interface CaseStages {
  /** The stage a new case is in (stored as NULL until the case first moves). */
  initial: string;
  stages: Readonly<Record<string, CaseStage>>;
}

/** The case as a hook sees it, read inside the transaction that changes it (the row is locked). */
export interface CaseRow {
  id: string;
  comuneId: number;
  reference: string;
  type: string;
  status: string;
  stage: string | null;
  payload: Record<string, unknown>;
}

export interface CaseActor {
  type: 'operator' | 'citizen' | 'system';
  operatorId?: number | null;
}

/**
 * What a hook gets: the transaction's EntityManager (a booking takes its slot, a signature its
 * uniqueness, in the same transaction as the case), the case, who acts. A hook that throws rolls
 * the whole change back; an HttpException it throws is what the client gets.
 */
export interface CaseHookContext {
  manager: EntityManager;
  case: CaseRow;
  actor: CaseActor;
}

export interface StageChangeContext extends CaseHookContext {
  from: string;
  to: string;
}

export interface CaseHooks {
  /** After the case is stored, before its transaction commits. */
  onCreated?(ctx: CaseHookContext): Promise<void>;
  /** After the stage (and the status it maps to) is written, before the transaction commits. */
  onStageChange?(ctx: StageChangeContext): Promise<void>;
}

/**
 * A case type, contributed by the module that owns it with `CasesModule.forFeature([manifest])`:
 * nothing in the core is edited to add one.
 */
export interface CaseTypeManifest {
  /** Stored in `tickets.type`; lowercase, stable. */
  name: string;
  label: Label;
  /**
   * The type's payload: a class with class-validator rules and @nestjs/swagger properties (like
   * every DTO of the API). The same class validates what arrives and describes it in the OpenAPI
   * document (`components.schemas`, listed under `x-case-types`). Absent: no payload fields.
   */
  payload?: Type<object>;
  /** A position is required (a report of a disservice on a street). */
  requiresLocation: boolean;
  /** False: routing does not queue it for an operator and no first-response clock runs for it. */
  needsOperator: boolean;
  /** Its own stages; absent: the standard status lifecycle (src/cases/phases.ts). */
  stages?: CaseStages;
  hooks?: CaseHooks;
}

/** Identity function that checks a manifest's shape at compile time and its stages at load. */
export function defineCaseType(manifest: CaseTypeManifest): CaseTypeManifest {
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(manifest.name))
    throw new Error(`case type name "${manifest.name}" must be lowercase letters, digits, _`);
  if (manifest.stages) {
    const { initial, stages } = manifest.stages;
    if (!stages[initial]) throw new Error(`case type ${manifest.name}: initial stage ${initial} is not one of its stages`);
    for (const [name, s] of Object.entries(stages)) {
      if (!/^[a-z][a-z0-9_]{0,39}$/.test(name)) throw new Error(`case type ${manifest.name}: stage name "${name}" is not valid`);
      for (const n of s.next) if (!stages[n]) throw new Error(`case type ${manifest.name}: stage ${name} leads to unknown stage ${n}`);
    }
  }
  return manifest;
}
