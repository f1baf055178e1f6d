import { OPEN_STATUS_SQL } from '../../cases/phases.js';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { assertRefsInScope } from '../../common/scope-refs.js';
import type { Principal } from '../../common/tenant-scope.js';
import { ReportScope } from './report-scope.js';
import type { Backlog } from '../analytics.api.js';

@Injectable()
export class BacklogReport {
  constructor(
    private readonly ds: DataSource,
    private readonly scope: ReportScope,
  ) {}

  /** Open tickets per group now: the backlog table (counts from `analytics_live`, oldest wait per group from the open-ticket index). */
  async build(p: Principal, f: { comuneId?: number; groupId?: number }): Promise<Backlog> {
    const comuneIds = await this.scope.scopeComuni(p, f.comuneId);
    await assertRefsInScope(this.ds, p, { groupId: f.groupId });
    const firstWaiting = (state: string) => `(SELECT t.waiting_since FROM tickets t
        WHERE t.comune_id = l.comune_id AND t.status IN ${OPEN_STATUS_SQL} AND t.queue_state = '${state}'
          AND t.group_id IS NOT DISTINCT FROM l.group_id AND t.waiting_since IS NOT NULL ORDER BY t.waiting_since LIMIT 1)`;
    const rows = await this.ds.query(
      `SELECT l.comune_id, l.group_id, g.name AS group_name, l.open, l.unassigned, l.waiting_citizen,
              extract(epoch FROM now() - least(${firstWaiting('queued')}, ${firstWaiting('offered')}))::int AS oldest_wait_seconds
         FROM (SELECT comune_id, group_id, sum(open)::int AS open, sum(unassigned)::int AS unassigned, sum(waiting_citizen)::int AS waiting_citizen
                 FROM analytics_live WHERE comune_id = ANY($1::int[]) GROUP BY comune_id, group_id HAVING sum(open) > 0) l
         LEFT JOIN competence_groups g ON g.id = l.group_id
        ORDER BY l.comune_id, g.name NULLS FIRST`,
      [comuneIds],
    );
    return {
      rows: rows.map((x: any) => ({
        comuneId: x.comune_id,
        groupId: x.group_id,
        group: x.group_name ?? 'non instradati',
        open: x.open,
        unassigned: x.unassigned,
        waitingCitizen: x.waiting_citizen,
        oldestWaitSeconds: x.oldest_wait_seconds,
      })),
    };
  }
}
