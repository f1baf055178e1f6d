import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { invalidField, notFoundField } from '../common/errors.js';
import { assertRefsInScope } from '../common/scope-refs.js';
import { seesWholeComune, TenantScope, type Principal } from '../common/tenant-scope.js';
import { isIsoDate, localDate } from '../comuni/business-calendar.js';
import { HistogramSum } from './histogram.js';
import { emptyCell, type Dim, type RollupCell } from './rollups.js';
import type { MetricName } from './ticket-metrics.js';
import { OPEN_STATUS_SQL } from '../cases/phases.js';

export const BREAKDOWNS = ['none', 'comune', 'day', 'group', 'operator', 'channel', 'type', 'category', 'priority'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];
const FILTER_DIMS = ['group', 'operator', 'channel', 'type', 'category', 'priority'] as const;
const MAX_SPAN_DAYS = 731;
/** Open-data cells with fewer tickets than this are merged into "altro" (or dropped): no one is identifiable. */
export const OPEN_DATA_MIN_COUNT = 3;

export interface AnalyticsFilter {
  from?: string;
  to?: string;
  comuneId?: number;
  breakdown?: Breakdown;
  groupId?: number;
  operatorId?: number;
  channel?: string;
  type?: string;
  category?: string;
  priority?: string;
}

interface Resolved {
  comuneIds: number[];
  from: string;
  to: string;
  breakdown: Breakdown;
  filter: { dim: Dim; key: string } | null;
}

export interface MetricSummary {
  count: number;
  breached: number;
  avgWallSeconds: number | null;
  avgBusinessSeconds: number | null;
  p50WallSeconds: number | null;
  p90WallSeconds: number | null;
  p50BusinessSeconds: number | null;
  p90BusinessSeconds: number | null;
}

const BASE_COLS = `period, comune_id, key, to_char(period_start, 'YYYY-MM-DD') AS day, created, created_by_hour, messages_in, reopened, csat_n, csat_sum, csat_by_rating,
  frt_n, frt_wall_sum, frt_bus_sum, frt_breached, nrt_n, nrt_wall_sum, nrt_bus_sum, nrt_breached, res_n, res_wall_sum, res_bus_sum, res_breached`;
/** Histograms are the heavy part of a row: only response-time tables read them, as array text (HistogramSum parses it). */
const HIST_COLS = ['frt', 'nrt', 'res']
  .flatMap((p) => [`, ${p}_hist_wall::text AS ${p}_hist_wall`, `, ${p}_hist_bus::text AS ${p}_hist_bus`])
  .join('');

/** Figures of a period: rollup rows added up, histograms summed densely. */
type PeriodCell = RollupCell<HistogramSum>;
const emptyPeriodCell = (): PeriodCell => emptyCell(() => new HistogramSum());
/** Nothing in it (every counted thing is zero: histograms sum to their metric's count). */
const isEmpty = (c: PeriodCell) =>
  c.created === 0 && c.messagesIn === 0 && c.reopened === 0 && c.csatN === 0 && c.frt.n === 0 && c.nrt.n === 0 && c.res.n === 0;

/**
 * Dashboard queries. Every figure over a period is read from the rollups (months wholly inside
 * the period from monthly rows, the rest from daily rows), never from tickets or messages; live
 * tiles read partial indexes of open tickets and running SLA clocks. Scoped by TenantScope:
 * managers and supervisors see their comune, the metropolitan admin every comune.
 */
@Injectable()
export class AnalyticsService {
  private comuniCache: { at: number; rows: Array<{ id: number; name: string; istat_code: string; slug: string }> } | null = null;

  constructor(private readonly ds: DataSource) {}

  async comuni(): Promise<Array<{ id: number; name: string; istat_code: string; slug: string }>> {
    if (this.comuniCache && Date.now() - this.comuniCache.at < 60_000) return this.comuniCache.rows;
    const rows = await this.ds.query(`SELECT id, name, istat_code, slug FROM comuni ORDER BY name`);
    this.comuniCache = { at: Date.now(), rows };
    return rows;
  }

  /** The comuni a request covers: a manager's own, or for the metropolitan admin every one or the one named. */
  async scopeComuni(p: Principal, comuneId?: number): Promise<number[]> {
    const scope = TenantScope.ofPrincipal(p);
    if (comuneId !== undefined) {
      // Another comune does not exist for this caller: the same 404 as an unknown id.
      if (!scope.allows(comuneId)) throw notFoundField('comuneId', `comune ${comuneId} not found`);
      if (!(await this.comuni()).some((c) => c.id === comuneId)) throw invalidField('comuneId', `unknown comune ${comuneId}`);
      return [comuneId];
    }
    return scope.isMetropolitan ? (await this.comuni()).map((c) => c.id) : [...scope.comuneIds!];
  }

  async resolve(p: Principal, f: AnalyticsFilter): Promise<Resolved> {
    const comuneIds = await this.scopeComuni(p, f.comuneId);
    const today = localDate(Date.now(), 'Europe/Rome');
    const to = f.to ?? today;
    const from = f.from ?? shiftDays(to, -29);
    if (!isIsoDate(from)) throw invalidField('from', 'must be a date YYYY-MM-DD');
    if (!isIsoDate(to)) throw invalidField('to', 'must be a date YYYY-MM-DD');
    if (from > to) throw invalidField('from', 'must not be after "to"');
    if (daysBetween(from, to) + 1 > MAX_SPAN_DAYS) throw invalidField('from', `the period is limited to ${MAX_SPAN_DAYS} days`);
    const given = FILTER_DIMS.filter((d) => filterValue(f, d) !== undefined);
    if (given.length > 1)
      throw invalidField(fieldOf(given[1]), `filter on one dimension at a time (already filtering on ${fieldOf(given[0])})`);
    const filter = given.length ? { dim: given[0] as Dim, key: String(filterValue(f, given[0])) } : null;
    const breakdown = f.breakdown ?? 'none';
    if (filter && (FILTER_DIMS as readonly string[]).includes(breakdown) && breakdown !== filter.dim) {
      throw invalidField(
        'breakdown',
        `cannot break down by ${breakdown} while filtering on ${fieldOf(filter.dim as (typeof FILTER_DIMS)[number])}; the figures are pre-aggregated per single dimension`,
      );
    }
    await assertRefsInScope(this.ds, p, { groupId: f.groupId, operatorId: f.operatorId });
    return { comuneIds, from, to, breakdown, filter };
  }

  /** Rollup rows of the period for one dimension, merged per group key. */
  private async cells(
    r: Resolved,
    dim: Dim,
    key: string | null,
    groupBy: (row: any) => string,
    dailyOnly = false,
    histograms = false,
  ): Promise<Map<string, PeriodCell>> {
    const { months, days, minusDays } = periodParts(r, dailyOnly);
    const parts: string[] = [];
    const single = r.comuneIds.length === 1;
    const params: unknown[] = [single ? r.comuneIds[0] : r.comuneIds, dim];
    let keyCond = '';
    if (key !== null) {
      params.push(key);
      keyCond = ` AND key = $${params.length}`;
    }
    if (months.length) {
      params.push(months);
      parts.push(`(period = 'month' AND period_start = ANY($${params.length}::date[]))`);
    }
    for (const [a, b] of [...days, ...minusDays]) {
      params.push(a, b);
      parts.push(`(period = 'day' AND period_start BETWEEN $${params.length - 1}::date AND $${params.length}::date)`);
    }
    const out = new Map<string, PeriodCell>();
    if (!parts.length) return out;
    const taken = (x: any): 1 | -1 => (x.period === 'day' && minusDays.some(([a, b]) => x.day >= a && x.day <= b) ? -1 : 1);
    const rows = await this.ds.query(
      `SELECT ${BASE_COLS + (histograms ? HIST_COLS : '')} FROM analytics_rollups
        WHERE ${single ? 'comune_id = $1::int' : 'comune_id = ANY($1::int[])'} AND dim = $2${keyCond} AND (${parts.join(' OR ')})`,
      params,
    );
    for (const row of rows) {
      const g = groupBy(row);
      let c = out.get(g);
      if (!c) {
        c = emptyPeriodCell();
        out.set(g, c);
      }
      addRow(c, row, taken(row));
    }
    // A key whose figures were all on the days taken back (an operator active only then) is not in the period.
    for (const [g, c] of out) if (isEmpty(c)) out.delete(g);
    return out;
  }

  private async breakdownCells(r: Resolved, histograms = false): Promise<Map<string, PeriodCell>> {
    const base = r.filter ?? { dim: 'all' as Dim, key: '*' };
    switch (r.breakdown) {
      case 'none':
        return this.cells(r, base.dim, base.key, () => 'total', false, histograms);
      case 'comune':
        return this.cells(r, base.dim, base.key, (x) => String(x.comune_id), false, histograms);
      case 'day':
        return this.cells(r, base.dim, base.key, (x) => x.day, true, histograms);
      default:
        return this.cells(r, r.breakdown as Dim, r.filter?.key ?? null, (x) => x.key, false, histograms);
    }
  }

  async responseTimes(p: Principal, f: AnalyticsFilter) {
    const r = await this.resolve(p, f);
    const cells = await this.breakdownCells(r, true);
    const labels = await this.labels(r.breakdown, [...cells.keys()]);
    return {
      period: { from: r.from, to: r.to },
      breakdown: r.breakdown,
      filter: r.filter,
      rows: [...cells.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, c]) => ({
          key,
          label: labels.get(key) ?? key,
          firstResponse: summary(c.frt),
          nextResponse: summary(c.nrt),
          resolution: summary(c.res),
        })),
    };
  }

  async volumes(p: Principal, f: AnalyticsFilter) {
    const r = await this.resolve(p, f);
    const cells = await this.breakdownCells(r);
    const labels = await this.labels(r.breakdown, [...cells.keys()]);
    const total = emptyPeriodCell();
    for (const c of cells.values()) addCell(total, c);
    return {
      period: { from: r.from, to: r.to },
      breakdown: r.breakdown,
      filter: r.filter,
      rows: [...cells.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, c]) => ({
          key,
          label: labels.get(key) ?? key,
          created: c.created,
          messagesIn: c.messagesIn,
          reopened: c.reopened,
          resolved: c.res.n,
        })),
      byHourOfDay: total.createdByHour.map((created, hour) => ({ hour, created })),
    };
  }

  async sla(p: Principal, f: AnalyticsFilter) {
    const r = await this.resolve(p, f);
    const cells = await this.breakdownCells(r);
    const labels = await this.labels(r.breakdown, [...cells.keys()]);
    const pct = (m: PeriodCell['frt']) => (m.n ? Math.round((1000 * (m.n - m.breached)) / m.n) / 10 : null);
    return {
      period: { from: r.from, to: r.to },
      breakdown: r.breakdown,
      filter: r.filter,
      rows: [...cells.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, c]) => ({
          key,
          label: labels.get(key) ?? key,
          firstResponseBreaches: c.frt.breached,
          nextResponseBreaches: c.nrt.breached,
          resolutionBreaches: c.res.breached,
          firstResponseMetPct: pct(c.frt),
          nextResponseMetPct: pct(c.nrt),
          resolutionMetPct: pct(c.res),
        })),
    };
  }

  async csat(p: Principal, f: AnalyticsFilter) {
    const r = await this.resolve(p, f);
    const cells = await this.breakdownCells(r);
    const labels = await this.labels(r.breakdown, [...cells.keys()]);
    return {
      period: { from: r.from, to: r.to },
      breakdown: r.breakdown,
      filter: r.filter,
      rows: [...cells.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .filter(([, c]) => c.csatN > 0)
        .map(([key, c]) => ({
          key,
          label: labels.get(key) ?? key,
          responses: c.csatN,
          average: Math.round((100 * c.csatSum) / c.csatN) / 100,
          rating1: c.csatByRating[0],
          rating2: c.csatByRating[1],
          rating3: c.csatByRating[2],
          rating4: c.csatByRating[3],
          rating5: c.csatByRating[4],
        })),
    };
  }

  /** Where requests come from: counts per ~1 km cell and category (only tickets with a position). */
  async map(p: Principal, f: AnalyticsFilter) {
    const r = await this.resolve(p, { ...f, breakdown: 'none', category: undefined });
    const sums = new Map<string, { comuneId: number; key: string; count: number }>();
    for (const row of await this.countMaps(r, 'area', false)) {
      for (const [key, count] of Object.entries(row.counts)) {
        const n = row.sign * count;
        const k = `${row.comune_id}|${key}`;
        const x = sums.get(k);
        if (x) x.count += n;
        else sums.set(k, { comuneId: row.comune_id, key, count: n });
      }
    }
    const rows = [...sums.values()]
      .filter((c) => c.count > 0)
      .map((c) => {
        const [la, ln, ...cat] = c.key.split(':');
        return {
          comuneId: c.comuneId,
          lat: (Number(la) + 0.5) / 100,
          lng: (Number(ln) + 0.5) / 100,
          category: cat.join(':'),
          count: c.count,
        };
      })
      .filter((x) => f.category === undefined || x.category === f.category);
    return { period: { from: r.from, to: r.to }, cellSizeDegrees: 0.01, rows: rows.sort((a, b) => b.count - a.count) };
  }

  /**
   * Counts per day, comune, category and channel; no personal data, small cells merged: per day
   * and comune, a category × channel cell under the minimum goes to "altro", and what is still
   * under the minimum after merging is left out. Sorted by date, comune, category and channel.
   */
  async openData(p: Principal, f: AnalyticsFilter) {
    const r = await this.resolve(p, { ...f, breakdown: 'none' });
    const comuni = new Map((await this.comuni()).map((c) => [c.id, c]));
    const maps = await this.countMaps(r, 'category_channel', true);
    const name = (id: number) => comuni.get(id)?.name ?? '';
    maps.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : cmp(name(a.comune_id), name(b.comune_id))));
    const rows: Array<{ date: string; comuneIstat: string; comune: string; category: string; channel: string; tickets: number }> = [];
    for (const m of maps) {
      const c = comuni.get(m.comune_id);
      const day: typeof rows = [];
      let small = 0;
      for (const [key, n] of Object.entries(m.counts)) {
        if (n >= OPEN_DATA_MIN_COUNT) {
          // "category|channel": a channel never contains "|", a category might.
          const bar = key.lastIndexOf('|');
          const category = key.slice(0, bar);
          day.push({
            date: m.day,
            comuneIstat: c?.istat_code ?? '',
            comune: c?.name ?? '',
            category: category === '-' ? 'non classificata' : category,
            channel: key.slice(bar + 1),
            tickets: n,
          });
        } else if (n > 0) small += n;
      }
      if (small >= OPEN_DATA_MIN_COUNT)
        day.push({
          date: m.day,
          comuneIstat: c?.istat_code ?? '',
          comune: c?.name ?? '',
          category: 'altro',
          channel: 'altro',
          tickets: small,
        });
      day.sort((a, b) => cmp(a.category, b.category) || cmp(a.channel, b.channel));
      for (const x of day) rows.push(x);
    }
    return { period: { from: r.from, to: r.to }, minimumCount: OPEN_DATA_MIN_COUNT, licence: 'CC-BY 4.0', rows };
  }

  /**
   * The key → new tickets maps of a count-only dimension over the period (`analytics_counts`):
   * one row per comune and whole month or day, one index range per comune for each part.
   */
  private async countMaps(
    r: Resolved,
    dim: Dim,
    dailyOnly: boolean,
  ): Promise<Array<{ comune_id: number; day: string; sign: 1 | -1; counts: Record<string, number> }>> {
    const { months, days, minusDays } = periodParts(r, dailyOnly);
    const params: unknown[] = [r.comuneIds, dim];
    const parts: string[] = [];
    const base = (sign: 1 | -1) =>
      `SELECT comune_id, to_char(period_start, 'YYYY-MM-DD') AS day, ${sign} AS sign, counts FROM analytics_counts WHERE dim = $2 AND comune_id = ANY($1::int[])`;
    if (months.length) {
      params.push(months);
      parts.push(`${base(1)} AND period = 'month' AND period_start = ANY($${params.length}::date[])`);
    }
    for (const [range, sign] of [...days.map((d) => [d, 1] as const), ...minusDays.map((d) => [d, -1] as const)]) {
      params.push(range[0], range[1]);
      parts.push(`${base(sign)} AND period = 'day' AND period_start BETWEEN $${params.length - 1}::date AND $${params.length}::date`);
    }
    if (!parts.length) return [];
    return this.ds.query(parts.join(' UNION ALL '), params);
  }

  /**
   * Live tiles: what is happening now (not a period). Counts come from `analytics_live` (kept by
   * triggers in the transaction of every ticket change: a few rows per comune); what depends on
   * the clock is derived against now() in the same statement, so every figure is of one snapshot:
   * the oldest wait from the first queued and offered entries of each comune's open-ticket index,
   * SLA breaches as the running clocks minus those due after now, the ones at risk among those.
   */
  async live(p: Principal, f: { comuneId?: number; groupId?: number }) {
    const comuneIds = await this.scopeComuni(p, f.comuneId);
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

  /** Open tickets per group now: the backlog table (counts from `analytics_live`, oldest wait per group from the open-ticket index). */
  async backlog(p: Principal, f: { comuneId?: number; groupId?: number }) {
    const comuneIds = await this.scopeComuni(p, f.comuneId);
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

  /** The tickets behind a number: samples of a metric (or tickets created) in the period, newest first. */
  async drilldown(
    p: Principal,
    f: AnalyticsFilter & { metric: MetricName | 'created'; breached?: boolean; limit?: number; offset?: number },
  ) {
    const r = await this.resolve(p, { ...f, breakdown: 'none' });
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

  /** A ticket's SLA policy and due times; anyone who can see the ticket can see them. */
  async ticketSla(p: Principal, ticketId: string) {
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

  private async labels(breakdown: Breakdown, keys: string[]): Promise<Map<string, string>> {
    const ids = keys.filter((k) => /^\d+$/.test(k)).map(Number);
    const out = new Map<string, string>([
      ['-', 'non assegnato'],
      ['total', 'Totale'],
    ]);
    if (breakdown === 'comune') for (const c of await this.comuni()) out.set(String(c.id), c.name);
    if (breakdown === 'group' && ids.length) {
      for (const g of await this.ds.query(`SELECT id, name FROM competence_groups WHERE id = ANY($1::int[])`, [ids]))
        out.set(String(g.id), g.name);
    }
    if (breakdown === 'operator' && ids.length) {
      for (const o of await this.ds.query(`SELECT id, name FROM operators WHERE id = ANY($1::int[])`, [ids])) out.set(String(o.id), o.name);
    }
    return out;
  }
}

/** Code-unit order, the same on every machine (no locale). */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function filterValue(f: AnalyticsFilter, d: (typeof FILTER_DIMS)[number]): unknown {
  return d === 'group' ? f.groupId : d === 'operator' ? f.operatorId : f[d];
}
function fieldOf(d: (typeof FILTER_DIMS)[number]): string {
  return d === 'group' ? 'groupId' : d === 'operator' ? 'operatorId' : d;
}

function summary(m: PeriodCell['frt']): MetricSummary {
  return {
    count: m.n,
    breached: m.breached,
    avgWallSeconds: m.n ? Math.round(m.wallSum / m.n) : null,
    avgBusinessSeconds: m.n ? Math.round(m.busSum / m.n) : null,
    p50WallSeconds: m.histWall.percentile(0.5),
    p90WallSeconds: m.histWall.percentile(0.9),
    p50BusinessSeconds: m.histBus.percentile(0.5),
    p90BusinessSeconds: m.histBus.percentile(0.9),
  };
}

/** Adds a rollup row to a cell, or takes it back (sign −1: a day outside the period, in a month read whole). */
function addRow(c: PeriodCell, x: any, sign: 1 | -1): void {
  c.created += sign * x.created;
  if (x.messages_in === undefined) return;
  c.messagesIn += sign * x.messages_in;
  c.reopened += sign * x.reopened;
  c.csatN += sign * x.csat_n;
  c.csatSum += sign * x.csat_sum;
  (x.created_by_hour as number[]).forEach((v, i) => {
    c.createdByHour[i] += sign * v;
  });
  (x.csat_by_rating as number[]).forEach((v, i) => {
    c.csatByRating[i] += sign * v;
  });
  for (const p of ['frt', 'nrt', 'res'] as const) {
    const m = c[p];
    m.n += sign * x[`${p}_n`];
    m.wallSum += sign * Number(x[`${p}_wall_sum`]);
    m.busSum += sign * Number(x[`${p}_bus_sum`]);
    m.breached += sign * x[`${p}_breached`];
    if (x[`${p}_hist_wall`] !== undefined) {
      m.histWall.addPgArray(x[`${p}_hist_wall`], sign);
      m.histBus.addPgArray(x[`${p}_hist_bus`], sign);
    }
  }
}

function addCell(into: PeriodCell, c: PeriodCell): void {
  into.created += c.created;
  into.messagesIn += c.messagesIn;
  into.reopened += c.reopened;
  into.csatN += c.csatN;
  into.csatSum += c.csatSum;
  c.createdByHour.forEach((v, i) => {
    into.createdByHour[i] += v;
  });
  c.csatByRating.forEach((v, i) => {
    into.csatByRating[i] += v;
  });
  for (const p of ['frt', 'nrt', 'res'] as const) {
    into[p].n += c[p].n;
    into[p].wallSum += c[p].wallSum;
    into[p].busSum += c[p].busSum;
    into[p].breached += c[p].breached;
    into[p].histWall.addSum(c[p].histWall);
    into[p].histBus.addSum(c[p].histBus);
  }
}

interface PeriodPlan {
  /** Monthly rows to add. */
  months: string[];
  /** Daily rows to add. */
  days: Array<[string, string]>;
  /** Daily rows to take back: days outside the period in a month read from its monthly row. */
  minusDays: Array<[string, string]>;
}

/** Whole months from monthly rows and the rest from daily rows, or every day from daily rows. */
function periodParts(r: Resolved, dailyOnly: boolean): PeriodPlan {
  if (dailyOnly) return { months: [], days: [[r.from, r.to]], minusDays: [] };
  // Nothing is recorded after today: a month that ends after today is whole up to "to" when "to" is today or later.
  const today = localDate(Date.now(), 'Europe/Rome');
  return planPeriod(r.from, r.to >= today ? endOfMonth(r.to) : r.to);
}

/**
 * The fewest rollup rows that make up [from, to]: whole months from their monthly row, and a month
 * partly inside either from the daily rows of its days inside, or from its monthly row minus the
 * daily rows of its days outside, whichever reads fewer rows (2 December to 1 December: 13 monthly
 * rows and 1 daily row to take back, instead of 11 monthly and 30 daily). Exact, not estimated:
 * every figure of a rollup row (counters, sums, histogram buckets) is a sum of what each ticket
 * contributed, and a monthly row is the sum of its daily rows (both are written by the same delta).
 */
export function planPeriod(from: string, to: string): PeriodPlan {
  const { months, days: edges } = splitPeriod(from, to);
  const plan: PeriodPlan = { months, days: [], minusDays: [] };
  for (const [a, b] of edges) {
    const monthStart = `${a.slice(0, 7)}-01`;
    const monthEnd = endOfMonth(a);
    const outside: Array<[string, string]> = [];
    if (a > monthStart) outside.push([monthStart, shiftDays(a, -1)]);
    if (b < monthEnd) outside.push([shiftDays(b, 1), monthEnd]);
    const outsideDays = outside.reduce((n, [x, y]) => n + daysBetween(x, y) + 1, 0);
    if (1 + outsideDays < daysBetween(a, b) + 1) {
      plan.months.push(monthStart);
      plan.minusDays.push(...outside);
    } else {
      plan.days.push([a, b]);
    }
  }
  plan.months.sort();
  return plan;
}

function endOfMonth(day: string): string {
  return shiftDays(`${shiftDays(`${day.slice(0, 7)}-28`, 4).slice(0, 7)}-01`, -1);
}

export function shiftDays(day: string, n: number): string {
  const t = Date.parse(`${day}T00:00:00Z`) + n * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}
function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** Whole calendar months inside [from, to], and the leftover day ranges. */
export function splitPeriod(from: string, to: string): { months: string[]; days: Array<[string, string]> } {
  const months: string[] = [];
  const days: Array<[string, string]> = [];
  let cursor = from;
  while (cursor <= to) {
    const monthStart = `${cursor.slice(0, 7)}-01`;
    const next = shiftDays(`${cursor.slice(0, 7)}-28`, 4).slice(0, 7) + '-01';
    const monthEnd = shiftDays(next, -1);
    if (cursor === monthStart && monthEnd <= to) {
      months.push(monthStart);
    } else {
      days.push([cursor, monthEnd < to ? monthEnd : to]);
    }
    cursor = next;
  }
  return { months, days };
}
