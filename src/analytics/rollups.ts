import type { EntityManager } from 'typeorm';
import { addTo, toPgArray, type Histogram } from './histogram.js';
import type { MetricName, TicketFacts } from './ticket-metrics.js';

/** Breakdown dimensions of the rollups; `all` is the comune total. */
export const DIMS = ['all', 'group', 'operator', 'channel', 'type', 'category', 'priority', 'area', 'category_channel'] as const;
export type Dim = (typeof DIMS)[number];
/** Dimensions that only count new tickets: kept as key → count maps in `analytics_counts`, not in `analytics_rollups`. */
export const COUNT_DIMS: ReadonlySet<Dim> = new Set<Dim>(['area', 'category_channel']);

export const METRIC_PREFIX: Record<MetricName, 'frt' | 'nrt' | 'res'> = { first_response: 'frt', next_response: 'nrt', resolution: 'res' };

/** Counters and histograms of one metric; H is the worker's sparse delta, or the API's sum of stored rows. */
export interface MetricCell<H = Histogram> {
  n: number;
  wallSum: number;
  busSum: number;
  breached: number;
  histWall: H;
  histBus: H;
}
export interface RollupCell<H = Histogram> {
  created: number;
  createdByHour: number[];
  messagesIn: number;
  reopened: number;
  csatN: number;
  csatSum: number;
  csatByRating: number[];
  frt: MetricCell<H>;
  nrt: MetricCell<H>;
  res: MetricCell<H>;
}

export function emptyCell(): RollupCell;
export function emptyCell<H>(hist: () => H): RollupCell<H>;
export function emptyCell(hist: () => unknown = () => ({})): RollupCell<unknown> {
  const metric = () => ({ n: 0, wallSum: 0, busSum: 0, breached: 0, histWall: hist(), histBus: hist() });
  return {
    created: 0,
    createdByHour: Array(24).fill(0),
    messagesIn: 0,
    reopened: 0,
    csatN: 0,
    csatSum: 0,
    csatByRating: Array(5).fill(0),
    frt: metric(),
    nrt: metric(),
    res: metric(),
  };
}

/** What a ticket stored besides its samples, enough to take its contribution back later. */
export type StoredContrib = Pick<TicketFacts, 'dims' | 'created' | 'messagesIn' | 'reopened' | 'csat'>;

export interface StoredSample {
  metric: MetricName;
  day: string;
  wallS: number;
  businessS: number;
  breached: boolean;
  operatorId: number | null;
  groupId: number | null;
  channel: string;
  type: string;
  category: string | null;
  priority: string;
}

export function contribOf(f: TicketFacts): StoredContrib {
  return { dims: f.dims, created: f.created, messagesIn: f.messagesIn, reopened: f.reopened, csat: f.csat };
}

const s = (v: unknown) => (v === null || v === undefined ? '-' : String(v));
const monthOf = (day: string) => `${day.slice(0, 7)}-01`;

/** Adds (sign +1) or takes back (sign −1) one ticket's contribution, keyed "period|start|dim|key". */
export function accumulate(into: Map<string, RollupCell>, c: StoredContrib, samples: StoredSample[], sign: 1 | -1): void {
  const cell = (day: string, dim: Dim, key: string, fn: (x: RollupCell) => void) => {
    for (const [period, start] of [
      ['day', day],
      ['month', monthOf(day)],
    ] as const) {
      const k = `${period}|${start}|${dim}|${key}`;
      let x = into.get(k);
      if (!x) {
        x = emptyCell();
        into.set(k, x);
      }
      fn(x);
    }
  };
  const ticketKeys = (withArea: boolean): Array<[Dim, string]> => {
    const d = c.dims;
    const list: Array<[Dim, string]> = [
      ['all', '*'],
      ['group', d.group],
      ['operator', d.operator],
      ['channel', d.channel],
      ['type', d.type],
      ['category', d.category],
      ['priority', d.priority],
    ];
    if (withArea) {
      if (d.area) list.push(['area', d.area]);
      // Category × channel of new tickets: the anonymized open-data export reads this one.
      list.push(['category_channel', `${d.category}|${d.channel}`]);
    }
    return list;
  };
  for (const [dim, key] of ticketKeys(true)) {
    cell(c.created.day, dim, key, (x) => {
      x.created += sign;
      x.createdByHour[c.created.hour] += sign;
    });
  }
  for (const [day, n] of Object.entries(c.messagesIn))
    for (const [dim, key] of ticketKeys(false))
      cell(day, dim, key, (x) => {
        x.messagesIn += sign * n;
      });
  for (const [day, n] of Object.entries(c.reopened))
    for (const [dim, key] of ticketKeys(false))
      cell(day, dim, key, (x) => {
        x.reopened += sign * n;
      });
  if (c.csat) {
    const { day, rating } = c.csat;
    for (const [dim, key] of ticketKeys(false))
      cell(day, dim, key, (x) => {
        x.csatN += sign;
        x.csatSum += sign * rating;
        x.csatByRating[rating - 1] += sign;
      });
  }
  for (const smp of samples) {
    const keys: Array<[Dim, string]> = [
      ['all', '*'],
      ['group', s(smp.groupId)],
      ['operator', s(smp.operatorId)],
      ['channel', smp.channel],
      ['type', smp.type],
      ['category', s(smp.category)],
      ['priority', smp.priority],
    ];
    const p = METRIC_PREFIX[smp.metric];
    for (const [dim, key] of keys) {
      cell(smp.day, dim, key, (x) => {
        const m = x[p];
        m.n += sign;
        m.wallSum += sign * smp.wallS;
        m.busSum += sign * smp.businessS;
        m.breached += sign * (smp.breached ? 1 : 0);
        addTo(m.histWall, smp.wallS, sign);
        addTo(m.histBus, smp.businessS, sign);
      });
    }
  }
}

function isZero(x: RollupCell): boolean {
  const m0 = (m: MetricCell) =>
    m.n === 0 && m.wallSum === 0 && m.busSum === 0 && m.breached === 0 && !Object.keys(m.histWall).length && !Object.keys(m.histBus).length;
  return (
    x.created === 0 &&
    x.createdByHour.every((v) => v === 0) &&
    x.messagesIn === 0 &&
    x.reopened === 0 &&
    x.csatN === 0 &&
    x.csatSum === 0 &&
    x.csatByRating.every((v) => v === 0) &&
    m0(x.frt) &&
    m0(x.nrt) &&
    m0(x.res)
  );
}

const COLUMNS = [
  'period',
  'comune_id',
  'dim',
  'key',
  'period_start',
  'created',
  'created_by_hour',
  'messages_in',
  'reopened',
  'csat_n',
  'csat_sum',
  'csat_by_rating',
  ...(['frt', 'nrt', 'res'] as const).flatMap((p) => [
    `${p}_n`,
    `${p}_wall_sum`,
    `${p}_bus_sum`,
    `${p}_breached`,
    `${p}_hist_wall`,
    `${p}_hist_bus`,
  ]),
];
const CASTS: Record<string, string> = { created_by_hour: '::int[]', csat_by_rating: '::int[]', period_start: '::date' };
const UPDATE = COLUMNS.slice(5)
  .map((c) =>
    // Most deltas carry no samples (a follow-up message moves messages_in only): their empty histograms skip the addition.
    c.endsWith('_hist_wall') || c.endsWith('_hist_bus')
      ? `${c} = CASE WHEN cardinality(EXCLUDED.${c}) = 0 THEN r.${c} ELSE hist_array_add(r.${c}, EXCLUDED.${c}) END`
      : // Likewise the per-hour and per-rating counters, which only new tickets and ratings move.
        c === 'created_by_hour' || c === 'csat_by_rating'
        ? `${c} = CASE WHEN EXCLUDED.${c} = array_fill(0, ARRAY[cardinality(EXCLUDED.${c})]) THEN r.${c} ELSE int_array_add(r.${c}, EXCLUDED.${c}) END`
        : `${c} = r.${c} + EXCLUDED.${c}`,
  )
  .join(', ');

/**
 * Applies the non-zero deltas of one comune: the rollups, then the new-ticket count maps of the
 * count-only dimensions. Rows are written in key order (and the two tables always in this order)
 * so that two workers updating overlapping rows cannot deadlock.
 */
export async function applyDeltas(m: EntityManager, comuneId: number, deltas: Map<string, RollupCell>): Promise<number> {
  const sorted = [...deltas.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const isCount = (k: string) => COUNT_DIMS.has(k.split('|', 3)[2] as Dim);
  const rows = sorted.filter(([k, x]) => !isCount(k) && !isZero(x));
  const counts = sorted.filter(([k, x]) => isCount(k) && x.created !== 0);
  for (let i = 0; i < rows.length; i += 150) {
    const params: unknown[] = [];
    const values: string[] = [];
    for (const [k, x] of rows.slice(i, i + 150)) {
      const [period, start, dim, ...rest] = k.split('|');
      const vals: unknown[] = [
        period,
        comuneId,
        dim,
        rest.join('|'),
        start,
        x.created,
        x.createdByHour,
        x.messagesIn,
        x.reopened,
        x.csatN,
        x.csatSum,
        x.csatByRating,
      ];
      for (const p of ['frt', 'nrt', 'res'] as const) {
        const mm = x[p];
        vals.push(mm.n, mm.wallSum, mm.busSum, mm.breached, toPgArray(mm.histWall), toPgArray(mm.histBus));
      }
      values.push(
        `(${vals
          .map((v, j) => {
            params.push(v);
            return `$${params.length}${CASTS[COLUMNS[j]] ?? (COLUMNS[j].includes('_hist_') ? '::int[]' : '')}`;
          })
          .join(', ')})`,
      );
    }
    await m.query(
      `INSERT INTO analytics_rollups AS r (${COLUMNS.join(', ')}) VALUES ${values.join(', ')}
       ON CONFLICT (period, comune_id, dim, period_start, key) DO UPDATE SET ${UPDATE}`,
      params,
    );
  }
  // One map of key → delta per dimension, period and day or month, added to the stored map.
  const maps = new Map<string, Record<string, number>>();
  for (const [k, x] of counts) {
    const [period, start, dim, ...rest] = k.split('|');
    const mk = `${dim}|${period}|${start}`;
    let map = maps.get(mk);
    if (!map) {
      map = {};
      maps.set(mk, map);
    }
    map[rest.join('|')] = x.created;
  }
  const mapRows = [...maps.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 0; i < mapRows.length; i += 200) {
    const params: unknown[] = [comuneId];
    const values: string[] = [];
    for (const [mk, map] of mapRows.slice(i, i + 200)) {
      const [dim, period, start] = mk.split('|');
      params.push(dim, period, start, JSON.stringify(map));
      const b = params.length - 4;
      values.push(`($${b + 1}, $${b + 2}, $1::int, $${b + 3}::date, $${b + 4}::jsonb)`);
    }
    await m.query(
      `INSERT INTO analytics_counts AS c (dim, period, comune_id, period_start, counts) VALUES ${values.join(', ')}
       ON CONFLICT (dim, period, comune_id, period_start) DO UPDATE SET counts = hist_add(c.counts, EXCLUDED.counts)`,
      params,
    );
  }
  return rows.length + mapRows.length;
}
