import type { EntityManager } from 'typeorm';
import type { PrivacyEventView } from './privacy.api.js';

export interface PrivacyEventInput {
  kind: PrivacyEventView['kind'];
  actorType: PrivacyEventView['actorType'];
  actorId: string | null;
  comuneId: number | null;
  requestId?: string | null;
  counts?: Record<string, number | null>;
}

/**
 * One line of the privacy event log (table privacy_events, row-level security by comune; a line of no
 * comune is seen by the metropolitan administrator only). A line naming an erasure request is written
 * once per (request, kind, comune): a job run again after a crash does not record its completion twice.
 */
export async function recordPrivacyEvent(m: EntityManager, e: PrivacyEventInput): Promise<void> {
  await m.query(
    `INSERT INTO privacy_events (comune_id, kind, actor_type, actor_id, request_id, counts) VALUES ($1, $2, $3, $4, $5, $6::jsonb)
     ON CONFLICT DO NOTHING`,
    [e.comuneId, e.kind, e.actorType, e.actorId, e.requestId ?? null, JSON.stringify(e.counts ?? {})],
  );
}
