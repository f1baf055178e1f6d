import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface ParticipationEventInput {
  comuneId: number | null;
  spaceId: string | null;
  itemId?: string | null;
  contributionId?: string | null;
  /** `item.published`, `item.answered`, `moderation.hidden`, `petition.milestone`, … */
  type: string;
  actor: { type: 'citizen' | 'operator' | 'system'; accountId?: string | null; operatorId?: number | null };
  data?: Record<string, unknown>;
}

/**
 * The participation log (`participation_events`): moderation, answers, stage changes, milestones.
 * Written in the transaction of the change it records; followers' digests are made from it.
 */
@Injectable()
export class ParticipationEvents {
  async record(m: EntityManager, e: ParticipationEventInput): Promise<void> {
    await m.query(
      `INSERT INTO participation_events (comune_id, space_id, item_id, contribution_id, type, actor_type, actor_account_id, actor_operator_id, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)`,
      [
        e.comuneId,
        e.spaceId,
        e.itemId ?? null,
        e.contributionId ?? null,
        e.type,
        e.actor.type,
        e.actor.accountId ?? null,
        e.actor.operatorId ?? null,
        JSON.stringify(e.data ?? {}),
      ],
    );
  }
}
