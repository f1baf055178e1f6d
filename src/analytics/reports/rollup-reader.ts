import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HistogramSum } from '../histogram.js';
import { readPlan } from '../period.js';
import { emptyCell, type Dim, type RollupCell } from '../rollups.js';
import { today } from './report-scope.js';
import type { ResolvedFilter } from './report-filter.js';

const BASE_COLS = `period, comune_id, key, to_char(period_start, 'YYYY-MM-DD') AS day, created, created_by_hour, messages_in, reopened, csat_n, csat_sum, csat_by_rating,
  frt_n, frt_wall_sum, frt_bus_sum, frt_breached, nrt_n, nrt_wall_sum, nrt_bus_sum, nrt_breached, res_n, res_wall_sum, res_bus_sum, res_breached`;
/** Histograms are the heavy part of a row: only response-time tables read them, as array text (HistogramSum parses it). */
const HIST_COLS = ['frt', 'nrt', 'res']
  .flatMap((p) => [`, ${p}_hist_wall::text AS ${p}_hist_wall`, `, ${p}_hist_bus::text AS ${p}_hist_bus`])
  .join('');

/** Figures of a period: rollup rows added up, histograms summed densely. */
export type PeriodCell = RollupCell<HistogramSum>;
export const emptyPeriodCell = (): PeriodCell => emptyCell(() => new HistogramSum());
/** Nothing in it (every counted thing is zero: histograms sum to their metric's count). */
const isEmpty = (c: PeriodCell) =>
  c.created === 0 && c.messagesIn === 0 && c.reopened === 0 && c.csatN === 0 && c.frt.n === 0 && c.nrt.n === 0 && c.res.n === 0;

/** One row of a count-only dimension (`analytics_counts`): a comune's key → new tickets map of a month or day. */
export interface CountMapRow {
  comune_id: number;
  day: string;
  sign: 1 | -1;
  counts: Record<string, number>;
}

/**
 * Reads the rollups of a period: months wholly inside it from monthly rows, the rest from daily
 * rows (the plan is src/analytics/period.ts), never tickets or messages.
 */
@Injectable()
export class RollupReader {
  constructor(private readonly ds: DataSource) {}

  /** The cells of a request's breakdown (one "total" cell without one), filtered on its filter. */
  async breakdownCells(r: ResolvedFilter, histograms = false): Promise<Map<string, PeriodCell>> {
    const base = r.filter ?? { dim: 'all' as Dim, key: '*' };
    switch (r.breakdown) {
      case 'none':
        return this.cells(r, base.dim, base.key, () => 'total', false, histograms);
      case 'comune':
        return this.cells(r, base.dim, base.key, (x) => String(x.comune_id), false, histograms);
      case 'day':
        return this.cells(r, base.dim, base.key, (x) => x.day, true, histograms);
      default:
        return this.cells(r, r.breakdown, r.filter?.key ?? null, (x) => x.key, false, histograms);
    }
  }

  /** Rollup rows of the period for one dimension, merged per group key. */
  private async cells(
    r: ResolvedFilter,
    dim: Dim,
    key: string | null,
    groupBy: (row: any) => string,
    dailyOnly = false,
    histograms = false,
  ): Promise<Map<string, PeriodCell>> {
    const { months, days, minusDays } = readPlan(r.from, r.to, dailyOnly, today());
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

  /**
   * The key → new tickets maps of a count-only dimension over the period (`analytics_counts`):
   * one row per comune and whole month or day, one index range per comune for each part.
   */
  async countMaps(r: ResolvedFilter, dim: Dim, dailyOnly: boolean): Promise<CountMapRow[]> {
    const { months, days, minusDays } = readPlan(r.from, r.to, dailyOnly, today());
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

/** Adds one period cell to another (the total of a breakdown). */
export function addCell(into: PeriodCell, c: PeriodCell): void {
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

/** The cells of a breakdown as table rows: sorted by key, each with its label. */
export function labelledRows(
  cells: Map<string, PeriodCell>,
  labels: Map<string, string>,
): Array<{ key: string; label: string; c: PeriodCell }> {
  return [...cells.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, c]) => ({ key, label: labels.get(key) ?? key, c }));
}
