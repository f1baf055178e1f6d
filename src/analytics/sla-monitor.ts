import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { updateReturning } from '../database/sql.js';
import type { SlaAlert } from '../realtime/events.api.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { rooms } from '../realtime/rooms.js';
import { InSystemScope } from '../tenancy/db-scope.js';

/**
 * Watches the due times of running SLA clocks (ticket_metrics.next_due_at, indexed) and pushes
 * `sla.warning` when one is near and `sla.breached` when it has passed, once per due time, to the
 * assigned operator and the supervisors of the ticket's group. Marking and pushing are guarded by
 * the due time itself, so several instances never push the same alert twice.
 */
@Injectable()
export class SlaMonitor {
  constructor(
    private readonly ds: DataSource,
    private readonly realtime: RealtimeService,
  ) {}

  @InSystemScope('sla-sweep')
  async check(now = new Date()): Promise<{ warned: number; breached: number }> {
    const due: any[] = await this.ds.query(
      `SELECT m.ticket_id, m.comune_id, m.next_due_at, m.next_due_kind, m.warned_due_at, m.breached_due_at,
              coalesce(p.warn_before_secs, 1800) AS warn_before_secs
         FROM ticket_metrics m LEFT JOIN sla_policies p ON p.id = m.sla_policy_id
        WHERE m.next_due_at IS NOT NULL AND m.next_due_at <= $1::timestamptz + interval '2 days'
          AND m.breached_due_at IS DISTINCT FROM m.next_due_at
        ORDER BY m.next_due_at LIMIT 1000`,
      [now],
    );
    let warned = 0,
      breached = 0;
    for (const r of due) {
      const dueAt = new Date(r.next_due_at);
      const isBreach = dueAt.getTime() <= now.getTime();
      const isWarning =
        !isBreach &&
        dueAt.getTime() - r.warn_before_secs * 1000 <= now.getTime() &&
        (r.warned_due_at === null || new Date(r.warned_due_at).getTime() !== dueAt.getTime());
      if (!isBreach && !isWarning) continue;
      const column = isBreach ? 'breached_due_at' : 'warned_due_at';
      const rows = await updateReturning(
        this.ds,
        `UPDATE ticket_metrics SET ${column} = next_due_at
          WHERE ticket_id = $1 AND next_due_at = $2 AND ${column} IS DISTINCT FROM next_due_at RETURNING ticket_id`,
        [r.ticket_id, r.next_due_at],
      );
      if (!rows.length) continue;
      const [t] = await this.ds.query(`SELECT reference, group_id, assignee_id FROM tickets WHERE id = $1 AND comune_id = $2`, [
        r.ticket_id,
        r.comune_id,
      ]);
      if (!t) continue;
      const alert: SlaAlert = {
        ticketId: String(r.ticket_id),
        reference: t.reference,
        comuneId: r.comune_id,
        groupId: t.group_id,
        assigneeId: t.assignee_id,
        kind: r.next_due_kind,
        dueAt: dueAt.toISOString(),
      };
      this.realtime.toAgents(
        await this.recipients(r.comune_id, t.group_id, t.assignee_id),
        isBreach ? 'sla.breached' : 'sla.warning',
        alert,
      );
      if (isBreach) breached++;
      else warned++;
    }
    return { warned, breached };
  }

  private async recipients(comuneId: number, groupId: number | null, assigneeId: number | null): Promise<string[]> {
    const list = assigneeId !== null ? [rooms.operator(assigneeId)] : [];
    if (groupId !== null) {
      const sups: Array<{ id: number }> = await this.ds.query(
        `SELECT o.id FROM operators o JOIN operator_groups og ON og.operator_id = o.id
          WHERE og.group_id = $1 AND o.comune_id = $2 AND o.role = 'supervisor'`,
        [groupId, comuneId],
      );
      for (const s of sups) if (s.id !== assigneeId) list.push(rooms.operator(s.id));
    }
    return list;
  }
}
