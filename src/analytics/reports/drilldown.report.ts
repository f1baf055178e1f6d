import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../../common/tenant-scope.js';
import { shiftDays } from '../period.js';
import type { MetricName } from '../ticket-metrics.js';
import type { AnalyticsFilter } from './report-filter.js';
import { ReportScope } from './report-scope.js';
import type { Drilldown } from '../analytics.api.js';

@Injectable()
export class DrilldownReport {
  constructor(
    private readonly ds: DataSource,
    private readonly scope: ReportScope,
  ) {}

  /** The tickets behind a number: samples of a metric (or tickets created) in the period, newest first. */
  async build(
    p: Principal,
    f: AnalyticsFilter & { metric: MetricName | 'created'; breached?: boolean; limit?: number; offset?: number },
  ): Promise<Drilldown> {
    const r = await this.scope.resolve(p, { ...f, breakdown: 'none' });
    const limit = Math.min(f.limit ?? 50, 500);
    const offset = f.offset ?? 0;
    const params: unknown[] = [r.comuneIds];
    const where: string[] = [];
    const col: Record<string, string> = {
      group: 'group_id',
      operator: 'operator_id',
      channel: 'channel',
      type: 'type',
      category: 'category',
      priority: 'priority',
    };
    if (f.metric === 'created') {
      params.push(r.from, shiftDays(r.to, 1));
      where.push(
        r.comuneIds.length === 1 ? `t.comune_id = ($1::int[])[1]` : `t.comune_id = ANY($1::int[])`,
        `t.created_at >= ($2::date::timestamp AT TIME ZONE 'Europe/Rome')`,
        `t.created_at < ($3::date::timestamp AT TIME ZONE 'Europe/Rome')`,
      );
      if (r.filter) {
        const c = r.filter.dim === 'operator' ? 'assignee_id' : col[r.filter.dim];
        params.push(r.filter.key === '-' ? null : r.filter.key);
        where.push(`t.${c} IS NOT DISTINCT FROM $${params.length}::${c.endsWith('_id') ? 'int' : 'text'}`);
      }
      params.push(limit, offset);
      const rows = await this.ds.query(
        `SELECT t.id, t.reference, t.comune_id, t.created_at, t.status, t.channel, t.type, t.category, t.priority, t.group_id, t.assignee_id
           FROM tickets t WHERE ${where.join(' AND ')} ORDER BY t.created_at DESC, t.id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
        params,
      );
      return {
        period: { from: r.from, to: r.to },
        metric: f.metric,
        filter: r.filter,
        rows: rows.map((x: any) => ({
          ticketId: String(x.id),
          reference: x.reference,
          comuneId: x.comune_id,
          createdAt: new Date(x.created_at).toISOString(),
          status: x.status,
          channel: x.channel,
          type: x.type,
          category: x.category,
          priority: x.priority,
          groupId: x.group_id,
          operatorId: x.assignee_id,
        })),
      };
    }
    params.push(f.metric, r.from, r.to);
    where.push(
      r.comuneIds.length === 1 ? `s.comune_id = ($1::int[])[1]` : `s.comune_id = ANY($1::int[])`,
      `s.metric = $2`,
      `s.day BETWEEN $3::date AND $4::date`,
    );
    if (r.filter) {
      const c = col[r.filter.dim];
      params.push(r.filter.key === '-' ? null : r.filter.key);
      where.push(`s.${c} IS NOT DISTINCT FROM $${params.length}::${c.endsWith('_id') ? 'int' : 'text'}`);
    }
    if (f.breached !== undefined) {
      params.push(f.breached);
      where.push(`s.breached = $${params.length}`);
    }
    params.push(limit, offset);
    const rows = await this.ds.query(
      `SELECT s.ticket_id, t.reference, s.comune_id, to_char(s.day, 'YYYY-MM-DD') AS day, s.started_at, s.ended_at, s.wall_s, s.business_s,
              s.breached, s.operator_id, s.group_id, s.channel, s.type, s.category, s.priority
         FROM analytics_samples s JOIN tickets t ON t.id = s.ticket_id
        WHERE ${where.join(' AND ')} ORDER BY s.day DESC, s.ticket_id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return {
      period: { from: r.from, to: r.to },
      metric: f.metric,
      filter: r.filter,
      rows: rows.map((x: any) => ({
        ticketId: String(x.ticket_id),
        reference: x.reference,
        comuneId: x.comune_id,
        day: x.day,
        startedAt: new Date(x.started_at).toISOString(),
        endedAt: new Date(x.ended_at).toISOString(),
        wallSeconds: x.wall_s,
        businessSeconds: x.business_s,
        breached: x.breached,
        operatorId: x.operator_id,
        groupId: x.group_id,
        channel: x.channel,
        type: x.type,
        category: x.category,
        priority: x.priority,
      })),
    };
  }
}
