import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { conflictField, invalidField } from '../common/errors.js';
import type { CaseActor, CaseRow } from './case-type.js';
import { CaseTypeRegistry } from './case-type.registry.js';
import { appendEvents, type TicketEventInput } from './event-log.js';
import { isFinishedStatus, PHASE_STATUS, phaseOf, TICKET_STATUSES } from './phases.js';

/** The columns a status or stage change reads; the caller has locked the row in its transaction. */
export interface LockedCase {
  id: string;
  comune_id: number;
  reference: string;
  type: string;
  status: string;
  stage: string | null;
  payload: Record<string, unknown>;
  assignee_id: number | null;
  queue_state: string;
}

export const LOCKED_CASE_COLUMNS = 'id, comune_id, reference, type, status, stage, payload, assignee_id, queue_state';

export interface CaseChange {
  status?: string;
  stage?: string;
}

export interface AppliedChange {
  /** The status moved into or out of resolved/closed: routing's capacity or queues changed. */
  freed: boolean;
  changed: boolean;
}

/**
 * The one place a case's status or stage changes, by its type's rules: a type without stages
 * follows the standard status lifecycle; a type with stages moves stage by stage (each allowed
 * next stage listed in its manifest), and its status follows the phase of the stage. The routing
 * state follows the status (finished → done; reopened → back to its assignee or its queue, unless
 * the type needs no operator). The type's hook runs in the same transaction: if it throws, nothing
 * of the change stays. (The ingest SQL's reopening on a citizen's reply, waiting_citizen → open,
 * is the one change made elsewhere: it is phase-preserving for every type.)
 */
@Injectable()
export class CaseLifecycle {
  constructor(private readonly types: CaseTypeRegistry) {}

  async change(m: EntityManager, c: LockedCase, change: CaseChange, actor: CaseActor): Promise<AppliedChange> {
    const type = this.types.get(c.type);
    let toStatus = c.status;
    let fromStage: string | null = null;
    let toStage: string | null = null;
    if (type.hasStages) {
      fromStage = type.currentStage(c.stage)!;
      if (change.status !== undefined && change.status !== c.status && change.stage === undefined)
        throw conflictField(
          'status',
          `a ${type.name} changes status through its stages (${type.stageNames().join(', ')}): change its stage`,
        );
      if (change.stage !== undefined && change.stage !== fromStage) {
        const target = type.stage(change.stage);
        if (!target) throw invalidField('stage', `must be one of ${type.stageNames().join(', ')}`);
        if (!type.canChangeStage(fromStage, change.stage)) {
          const allowed = type.stage(fromStage)?.next ?? [];
          throw conflictField(
            'stage',
            `a ${type.name} cannot go from ${fromStage} to ${change.stage}` +
              (allowed.length ? ` (next: ${allowed.join(', ')})` : ' (it is final)'),
          );
        }
        toStage = change.stage;
        // Within the same phase the status stays (a `new` case is still unanswered).
        if (phaseOf(c.status) !== target.phase) toStatus = PHASE_STATUS[target.phase];
      }
    } else {
      if (change.stage !== undefined) throw invalidField('stage', `a ${type.name} has no stages`);
      if (change.status !== undefined && change.status !== c.status) {
        if (!(TICKET_STATUSES as readonly string[]).includes(change.status))
          throw invalidField('status', `must be one of ${TICKET_STATUSES.join(', ')}`);
        if (!type.canChangeStatus(c.status, change.status))
          throw conflictField('status', `a ticket cannot go from ${c.status} to ${change.status}`);
        toStatus = change.status;
      }
    }
    if (toStatus === c.status && toStage === null) return { freed: false, changed: false };

    const events: TicketEventInput[] = [];
    const ev = (kind: string, data: Record<string, unknown>) =>
      events.push({
        ticketId: String(c.id),
        comuneId: c.comune_id,
        type: kind,
        actorType: actor.type,
        actorOperatorId: actor.operatorId ?? null,
        data,
      });
    let freed = false;
    if (toStatus !== c.status) {
      const closing = isFinishedStatus(toStatus);
      const reopening = isFinishedStatus(c.status) && !closing;
      const queueState = closing
        ? 'done'
        : reopening
          ? type.needsOperator
            ? c.assignee_id !== null
              ? 'assigned'
              : 'queued'
            : 'done'
          : c.queue_state;
      await m.query(
        `UPDATE tickets SET status = $2, queue_state = $3,
                resolved_at = CASE WHEN $2 = 'resolved' THEN now() WHEN $4::boolean THEN NULL ELSE resolved_at END,
                offered_to_id = CASE WHEN $3 = 'done' THEN NULL ELSE offered_to_id END,
                waiting_since = CASE WHEN $4::boolean AND assignee_id IS NULL AND $3 = 'queued' THEN now() ELSE waiting_since END,
                updated_at = now() WHERE id = $1`,
        [c.id, toStatus, queueState, reopening],
      );
      ev(reopening ? 'ticket.reopened' : 'status.changed', { from: c.status, to: toStatus });
      freed = type.needsOperator && (closing || reopening);
    }
    if (toStage !== null) {
      await m.query(`UPDATE tickets SET stage = $2, updated_at = now() WHERE id = $1`, [c.id, toStage]);
      ev('stage.changed', { from: fromStage, to: toStage });
    }
    await appendEvents(m, events);
    if (toStage !== null && type.manifest.hooks?.onStageChange) {
      await type.manifest.hooks.onStageChange({
        manager: m,
        case: this.row(c, toStatus, toStage),
        actor,
        from: fromStage!,
        to: toStage,
      });
    }
    return { freed, changed: true };
  }

  /**
   * Runs the type's `onCreated` hook inside the transaction that stored the case (the ingest's).
   * The case is read back locked, so the hook sees it as stored.
   */
  async created(m: EntityManager, caseId: string, actor: CaseActor): Promise<void> {
    const [c]: LockedCase[] = await m.query(`SELECT ${LOCKED_CASE_COLUMNS} FROM tickets WHERE id = $1 FOR NO KEY UPDATE`, [caseId]);
    if (!c) throw new Error(`case ${caseId} not found in its own transaction`);
    const hooks = this.types.find(c.type)?.manifest.hooks;
    if (hooks?.onCreated) await hooks.onCreated({ manager: m, case: this.row(c, c.status, c.stage), actor });
  }

  /** Whether storing a case of this type must run a hook in its transaction (ingest then cannot use its one-call path). */
  hasCreationHook(typeName: string): boolean {
    return this.types.find(typeName)?.manifest.hooks?.onCreated !== undefined;
  }

  private row(c: LockedCase, status: string, stage: string | null): CaseRow {
    return {
      id: String(c.id),
      comuneId: c.comune_id,
      reference: c.reference,
      type: c.type,
      status,
      stage: this.types.get(c.type).currentStage(stage),
      payload: c.payload,
    };
  }
}
