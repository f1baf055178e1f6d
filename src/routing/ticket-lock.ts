import type { EntityManager } from 'typeorm';
import type { TenantScope } from '../common/tenant-scope.js';

/** The columns every routing step reads from the ticket it locks. */
export interface LockedTicket {
  id: string;
  comune_id: number;
  type: string;
  channel: string;
  category: string | null;
  subject: string | null;
  status: string;
  queue_state: string;
  group_id: number | null;
  assignee_id: number | null;
  offered_to_id: number | null;
  offer_seq: number;
  declined_by: number[];
  first_response_at: Date | null;
}

const LOCKED_COLUMNS = `id, comune_id, type, channel, category, subject, status, queue_state, group_id, assignee_id,
  offered_to_id, offer_seq, declined_by, first_response_at`;

/**
 * Locks the ticket for a routing step, within `scope`; null if it is not there (or not a ticket id).
 * NO KEY UPDATE: excludes every other change of the ticket (the key is never changed here), but
 * not the key-share locks that rows referencing it take; analytics' recompute holds those for a
 * whole batch, and a FOR UPDATE here waited for it (route jobs held their worker slots meanwhile).
 */
export async function lockTicket(m: EntityManager, ticketId: string, scope: TenantScope): Promise<LockedTicket | null> {
  if (!/^\d{1,18}$/.test(ticketId)) return null;
  const params: unknown[] = [ticketId];
  const rows: LockedTicket[] = await m.query(
    `SELECT ${LOCKED_COLUMNS} FROM tickets WHERE id = $1 AND ${scope.sql('comune_id', params)} FOR NO KEY UPDATE`,
    params,
  );
  return rows[0] ?? null;
}
