import type { EntityManager } from 'typeorm';

export interface TicketEventInput {
  ticketId: string;
  comuneId: number;
  type: string;
  actorType: 'citizen' | 'operator' | 'system';
  actorOperatorId?: number | null;
  data?: Record<string, unknown>;
}

/** Appends lines to tickets' history, inside the caller's transaction. */
export async function appendEvents(m: EntityManager, events: TicketEventInput[]): Promise<void> {
  if (events.length === 0) return;
  const values: string[] = [];
  const params: unknown[] = [];
  for (const e of events) {
    const base = params.length;
    params.push(e.ticketId, e.comuneId, e.type, e.actorType, e.actorOperatorId ?? null, JSON.stringify(e.data ?? {}));
    values.push(`($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6}::jsonb)`);
  }
  await m.query(
    `INSERT INTO ticket_events (ticket_id, comune_id, type, actor_type, actor_operator_id, data) VALUES ${values.join(', ')}`,
    params,
  );
}
