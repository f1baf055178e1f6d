import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { seesWholeComune, TenantScope, type Principal } from '../../common/tenant-scope.js';

@Injectable()
export class TicketSlaReport {
  constructor(private readonly ds: DataSource) {}

  /** A ticket's SLA policy and due times; anyone who can see the ticket can see them. */
  async build(p: Principal, ticketId: string) {
    if (!/^\d{1,18}$/.test(ticketId)) throw new NotFoundException(`ticket ${ticketId} not found`);
    const params: unknown[] = [ticketId];
    const scope = TenantScope.ofPrincipal(p).sql('t.comune_id', params);
    let vis = scope;
    if (!seesWholeComune(p)) {
      params.push(p.groupIds, p.operatorId);
      vis += ` AND (t.group_id = ANY($${params.length - 1}::int[]) OR t.assignee_id = $${params.length} OR t.offered_to_id = $${params.length})`;
    }
    const [row] = await this.ds.query(
      `SELECT t.id, t.reference, m.sla_policy_id, sp.name AS policy_name, m.first_response_due_at, m.next_response_due_at, m.resolution_due_at,
              m.paused, m.breaches, m.first_response_wall_s, m.first_response_business_s, m.resolution_wall_s, m.resolution_business_s, m.reopen_count
         FROM tickets t LEFT JOIN ticket_metrics m ON m.ticket_id = t.id LEFT JOIN sla_policies sp ON sp.id = m.sla_policy_id
        WHERE t.id = $1 AND ${vis}`,
      params,
    );
    if (!row) throw new NotFoundException(`ticket ${ticketId} not found`);
    const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
    return {
      ticketId: String(row.id),
      reference: row.reference,
      policy: row.sla_policy_id ? { id: row.sla_policy_id, name: row.policy_name } : null,
      firstResponseDueAt: iso(row.first_response_due_at),
      nextResponseDueAt: iso(row.next_response_due_at),
      resolutionDueAt: iso(row.resolution_due_at),
      paused: row.paused ?? false,
      breaches: row.breaches ?? 0,
      reopenCount: row.reopen_count ?? 0,
      firstResponse: { wallSeconds: row.first_response_wall_s, businessSeconds: row.first_response_business_s },
      resolution: { wallSeconds: row.resolution_wall_s, businessSeconds: row.resolution_business_s },
    };
  }
}
