import { invalidField } from '../../common/errors.js';
import type { Dim } from '../rollups.js';

/** What the period reports accept (the dashboard's query string) and the checks on it that need no database. */

export const BREAKDOWNS = ['none', 'comune', 'day', 'group', 'operator', 'channel', 'type', 'category', 'priority'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];
const FILTER_DIMS = ['group', 'operator', 'channel', 'type', 'category', 'priority'] as const;
type FilterDim = (typeof FILTER_DIMS)[number];

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

/** A request checked and completed: the comuni it covers, its period, one breakdown and at most one filter. */
export interface ResolvedFilter {
  comuneIds: number[];
  from: string;
  to: string;
  breakdown: Breakdown;
  filter: { dim: Dim; key: string } | null;
}

/** The breakdown and the (single) filter of a request; 400 when they cannot be read from the pre-aggregated rows. */
export function breakdownAndFilter(f: AnalyticsFilter): Pick<ResolvedFilter, 'breakdown' | 'filter'> {
  const given = FILTER_DIMS.filter((d) => filterValue(f, d) !== undefined);
  if (given.length > 1)
    throw invalidField(fieldOf(given[1]), `filter on one dimension at a time (already filtering on ${fieldOf(given[0])})`);
  const filter = given.length ? { dim: given[0] as Dim, key: String(filterValue(f, given[0])) } : null;
  const breakdown = f.breakdown ?? 'none';
  if (filter && (FILTER_DIMS as readonly string[]).includes(breakdown) && breakdown !== filter.dim) {
    throw invalidField(
      'breakdown',
      `cannot break down by ${breakdown} while filtering on ${fieldOf(filter.dim as FilterDim)}; the figures are pre-aggregated per single dimension`,
    );
  }
  return { breakdown, filter };
}

function filterValue(f: AnalyticsFilter, d: FilterDim): unknown {
  return d === 'group' ? f.groupId : d === 'operator' ? f.operatorId : f[d];
}
function fieldOf(d: FilterDim): string {
  return d === 'group' ? 'groupId' : d === 'operator' ? 'operatorId' : d;
}

/** Code-unit order, the same on every machine (no locale). */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
