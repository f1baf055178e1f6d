import { Injectable } from '@nestjs/common';
import { RejectedInputError } from '../common/errors.js';
import type { CaseStage, CaseTypeManifest, Label } from './case-type.js';
import { parsePayload } from './payload-schema.js';
import { STANDARD_TRANSITIONS, type TicketStatus } from './phases.js';

/** A registered case type: its manifest, and what the core asks of it. */
export class CaseType {
  constructor(readonly manifest: CaseTypeManifest) {}

  get name(): string {
    return this.manifest.name;
  }
  get label(): Label {
    return this.manifest.label;
  }
  get requiresLocation(): boolean {
    return this.manifest.requiresLocation;
  }
  get needsOperator(): boolean {
    return this.manifest.needsOperator;
  }
  get hasStages(): boolean {
    return this.manifest.stages !== undefined;
  }

  /** Checks and normalizes the payload; throws RejectedInputError naming the field. */
  parsePayload(payload: unknown): Record<string, unknown> {
    return parsePayload(this.manifest.payload, payload);
  }

  /** The case's current stage (NULL in the row: the initial one); null for a type without stages. */
  currentStage(stored: string | null): string | null {
    return this.manifest.stages ? (stored ?? this.manifest.stages.initial) : null;
  }

  stage(name: string): CaseStage | undefined {
    return this.manifest.stages?.stages[name];
  }

  stageNames(): string[] {
    return Object.keys(this.manifest.stages?.stages ?? {});
  }

  /** Whether a status change is allowed, for a type without stages (one with stages moves by stage). */
  canChangeStatus(from: string, to: string): boolean {
    return (STANDARD_TRANSITIONS[from as TicketStatus] ?? []).includes(to as TicketStatus);
  }

  canChangeStage(from: string, to: string): boolean {
    return this.stage(from)?.next.includes(to) ?? false;
  }
}

/**
 * The case types of this process, filled at boot by the modules that own them
 * (`CasesModule.forFeature`). The core knows cases only through it.
 */
@Injectable()
export class CaseTypeRegistry {
  private readonly types = new Map<string, CaseType>();

  register(manifest: CaseTypeManifest): void {
    if (this.types.has(manifest.name)) throw new Error(`case type ${manifest.name} registered twice`);
    this.types.set(manifest.name, new CaseType(manifest));
  }

  /** The type; an unknown name is the caller's input error, naming the field `type`. */
  get(name: string): CaseType {
    const type = this.types.get(name);
    if (!type) throw new RejectedInputError('type', `unknown ticket type "${name}" (known: ${this.names().join(', ')})`);
    return type;
  }

  find(name: string): CaseType | undefined {
    return this.types.get(name);
  }

  names(): string[] {
    return [...this.types.keys()];
  }

  all(): CaseType[] {
    return [...this.types.values()];
  }

  /** Whether a case of this type needs an operator (an unknown type, left from an older version, is treated as needing one). */
  needsOperator(name: string): boolean {
    return this.types.get(name)?.needsOperator ?? true;
  }
}
