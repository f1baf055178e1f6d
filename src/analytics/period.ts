import { invalidField } from '../common/errors.js';
import { isIsoDate } from '../comuni/business-calendar.js';

/**
 * Periods of the dashboard, as plain dates (YYYY-MM-DD, Europe/Rome): the checks on a requested
 * period and the plan of which rollup rows make it up. No database and no clock: "today" is an
 * argument, so every rule here is tested directly (test/analytics/period.spec.ts).
 */

/** The longest period a report covers (two years and a day). */
export const MAX_SPAN_DAYS = 731;
/** The period when none is given: the 30 days up to today. */
export const DEFAULT_SPAN_DAYS = 30;

export interface PeriodPlan {
  /** Monthly rows to add. */
  months: string[];
  /** Daily rows to add. */
  days: Array<[string, string]>;
  /** Daily rows to take back: days outside the period in a month read from its monthly row. */
  minusDays: Array<[string, string]>;
}

/** The period a request asks for, with its defaults ("to" today, "from" 29 days before "to"); 400 on a bad one. */
export function resolvePeriod(f: { from?: string; to?: string }, today: string): { from: string; to: string } {
  const to = f.to ?? today;
  // The default "from" is computed from "to": an impossible "to" (2025-02-30) is named, not a 500.
  if (f.from === undefined && !isIsoDate(to)) throw invalidField('to', 'must be a date YYYY-MM-DD');
  const from = f.from ?? shiftDays(to, -(DEFAULT_SPAN_DAYS - 1));
  if (!isIsoDate(from)) throw invalidField('from', 'must be a date YYYY-MM-DD');
  if (!isIsoDate(to)) throw invalidField('to', 'must be a date YYYY-MM-DD');
  if (from > to) throw invalidField('from', 'must not be after "to"');
  if (daysBetween(from, to) + 1 > MAX_SPAN_DAYS) throw invalidField('from', `the period is limited to ${MAX_SPAN_DAYS} days`);
  return { from, to };
}

/** Whole months from monthly rows and the rest from daily rows, or every day from daily rows. */
export function readPlan(from: string, to: string, dailyOnly: boolean, today: string): PeriodPlan {
  if (dailyOnly) return { months: [], days: [[from, to]], minusDays: [] };
  // Nothing is recorded after today: a month that ends after today is whole up to "to" when "to" is today or later.
  return planPeriod(from, to >= today ? endOfMonth(to) : to);
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

export function endOfMonth(day: string): string {
  return shiftDays(`${shiftDays(`${day.slice(0, 7)}-28`, 4).slice(0, 7)}-01`, -1);
}

export function shiftDays(day: string, n: number): string {
  const t = Date.parse(`${day}T00:00:00Z`) + n * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}
