import { OPEN_STATUS_SQL } from '../../cases/phases.js';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { assertRefsInScope } from '../../common/scope-refs.js';
import type { Principal } from '../../common/tenant-scope.js';
import { ReportScope } from './report-scope.js';
import type { LiveBoard } from '../analytics.api.js';

/** The live board's tiles: what is happening now, not over a period. */
@Injectable()
export class LiveBoardReport {
  constructor(
    private readonly ds: DataSource,
    private readonly scope: ReportScope,
  ) {}

  /**
   * Live tiles: what is happening now (not a period). Counts come from `analytics_live` (kept by
   * triggers in the transaction of every ticket change: a few rows per comune); what depends on
   * the clock is derived against now() in the same statement, so every figure is of one snapshot:
   * the oldest wait from the first queued and offered entries of each comune's open-ticket index,
   * SLA breaches as the running clocks minus those due after now, the ones at risk among those.
   */
  async build(p: Principal, f: { comuneId?: number; groupId?: number }): Promise<LiveBoard> {
    const comuneIds = await this.scope.scopeComuni(p, f.comuneId);
    await assertRefsInScope(this.ds, p, { groupId: f.groupId });
    const params: unknown[] = [comuneIds];
    let groupCond = '';
    if (f.groupId !== undefined) {
      params.push(f.groupId);
      groupCond = ` AND group_id = $2`;
    }
    const atRisk = `m.next_due_at <= now() + make_interval(secs => coalesce(p.warn_before_secs, 1800)) AND m.next_due_at <= now() + interval '1 day'`;
    // One group's clocks are few: counted directly through its tickets (clock rows carry no group).
    const sla =
      f.groupId === undefined
        ? `SELECT (SELECT coalesce(sum(sla_running), 0) FROM analytics_live WHERE comune_id = ANY($1::int[])) - count(*) AS breached,
                count(*) FILTER (WHERE ${atRisk}) AS at_risk
           FROM ticket_metrics m LEFT JOIN sla_policies p ON p.id = m.sla_policy_id
          WHERE m.comune_id = ANY($1::int[]) AND m.next_due_at > now()`
        : `SELECT count(*) FILTER (WHERE m.next_due_at <= now()) AS breached, count(*) FILTER (WHERE m.next_due_at > now() AND ${atRisk}) AS at_risk
           FROM ticket_metrics m LEFT JOIN sla_policies p ON p.id = m.sla_policy_id JOIN tickets t ON t.id = m.ticket_id AND t.group_id = $2
          WHERE m.comune_id = ANY($1::int[]) AND m.next_due_at IS NOT NULL AND m.next_due_at <= now() + interval '1 day'`;
    const firstWaiting = (state: string) => `(SELECT waiting_since FROM tickets
        WHERE comune_id = c.id AND status IN ${OPEN_STATUS_SQL} AND queue_state = '${state}' AND waiting_since IS NOT NULL${groupCond}
        ORDER BY waiting_since LIMIT 1)`;
    const [x] = await this.ds.query(
      `WITH counts AS (SELECT coalesce(sum(open), 0)::int AS open, coalesce(sum(waiting_citizen), 0)::int AS waiting_citizen,
                              coalesce(sum(unassigned), 0)::int AS unassigned
                         FROM analytics_live WHERE comune_id = ANY($1::int[])${groupCond}),
            oldest AS (SELECT min(least(${firstWaiting('queued')}, ${firstWaiting('offered')})) AS since FROM unnest($1::int[]) AS c(id)),
            sla AS (${sla})
       SELECT counts.*, extract(epoch FROM now() - oldest.since)::int AS oldest_wait_seconds, sla.breached::int, sla.at_risk::int,
              (SELECT count(*)::int FROM operators o WHERE o.comune_id = ANY($1::int[]) AND o.presence = 'online'
                 ${f.groupId !== undefined ? 'AND EXISTS (SELECT 1 FROM operator_groups og WHERE og.operator_id = o.id AND og.group_id = $2)' : ''}) AS online
         FROM counts, oldest, sla`,
      params,
    );
    return {
      at: new Date().toISOString(),
      open: x.open,
      waitingCitizen: x.waiting_citizen,
      unassigned: x.unassigned,
      oldestWaitSeconds: x.oldest_wait_seconds,
      onlineOperators: x.online,
      slaAtRisk: x.at_risk,
      slaBreached: x.breached,
    };
  }
}
