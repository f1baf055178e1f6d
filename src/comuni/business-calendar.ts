/**
 * Business-time arithmetic for one comune: its opening hours (several slots per weekday), Italian
 * national holidays, its patron saint's day and one-off closures, in its own time zone (DST aware).
 * Pure functions over epoch milliseconds; no I/O.
 */

/** ISO weekday (1 = Monday … 7 = Sunday) → opening slots as ["HH:MM", "HH:MM"] local times. */
export type OpeningHours = Partial<Record<'1' | '2' | '3' | '4' | '5' | '6' | '7', Array<[string, string]>>>;

export interface BusinessCalendar {
  timezone: string;
  openingHours: OpeningHours;
  /** Italian national holidays (with Easter Monday) are closed days. */
  nationalHolidays: boolean;
  /** "MM-DD", the patron saint's day: closed every year. */
  patronDay: string | null;
  /** One-off closures, "YYYY-MM-DD" local dates. */
  closures: string[];
}

/** Mon–Fri 9–13, with Tuesday and Thursday afternoons 15–17: the usual URP front-office hours. */
export const DEFAULT_OPENING_HOURS: OpeningHours = {
  '1': [['09:00', '13:00']],
  '2': [
    ['09:00', '13:00'],
    ['15:00', '17:00'],
  ],
  '3': [['09:00', '13:00']],
  '4': [
    ['09:00', '13:00'],
    ['15:00', '17:00'],
  ],
  '5': [['09:00', '13:00']],
};

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

/** Problems with a calendar as `field: message`, empty when it is valid. */
export function validateCalendar(c: Partial<BusinessCalendar>): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  if (c.timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: c.timezone });
    } catch {
      out.push({ field: 'timezone', message: `unknown time zone "${c.timezone}"` });
    }
  }
  if (c.openingHours !== undefined) {
    if (typeof c.openingHours !== 'object' || c.openingHours === null || Array.isArray(c.openingHours)) {
      out.push({ field: 'openingHours', message: 'must be an object from ISO weekday (1–7) to a list of ["HH:MM","HH:MM"] slots' });
    } else {
      for (const [day, slots] of Object.entries(c.openingHours)) {
        const f = `openingHours.${day}`;
        if (!/^[1-7]$/.test(day)) {
          out.push({ field: f, message: 'weekday must be 1 (Monday) … 7 (Sunday)' });
          continue;
        }
        if (!Array.isArray(slots) || slots.length > 6) {
          out.push({ field: f, message: 'must be a list of at most 6 slots' });
          continue;
        }
        let prevEnd = -1;
        slots.forEach((s, i) => {
          if (!Array.isArray(s) || s.length !== 2 || !HHMM.test(String(s[0])) || !HHMM.test(String(s[1]))) {
            out.push({ field: `${f}.${i}`, message: 'must be ["HH:MM","HH:MM"]' });
            return;
          }
          const [a, b] = [minutes(s[0]), minutes(s[1])];
          if (b <= a) out.push({ field: `${f}.${i}`, message: 'must end after it starts' });
          else if (a < prevEnd) out.push({ field: `${f}.${i}`, message: 'slots must be in order and must not overlap' });
          prevEnd = b;
        });
      }
    }
  }
  if (c.patronDay !== undefined && c.patronDay !== null && !isMonthDay(c.patronDay))
    out.push({ field: 'patronDay', message: 'must be "MM-DD"' });
  if (c.closures !== undefined) {
    if (!Array.isArray(c.closures) || c.closures.length > 366)
      out.push({ field: 'closures', message: 'must be a list of at most 366 dates' });
    else
      c.closures.forEach((d, i) => {
        if (!isIsoDate(d)) out.push({ field: `closures.${i}`, message: 'must be a date "YYYY-MM-DD"' });
      });
  }
  return out;
}

function isMonthDay(s: unknown): boolean {
  if (typeof s !== 'string' || !/^\d\d-\d\d$/.test(s)) return false;
  const [m, d] = s.split('-').map(Number);
  return m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(2024, m, 0)).getUTCDate();
}

export function isIsoDate(s: unknown): s is string {
  if (typeof s !== 'string' || !/^\d{4}-\d\d-\d\d$/.test(s)) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().startsWith(s);
}

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Easter Sunday of a Gregorian year (anonymous Gregorian algorithm), as [month, day]. */
export function easterSunday(year: number): [number, number] {
  const a = year % 19,
    b = Math.floor(year / 100),
    c = year % 100;
  const d = Math.floor(b / 4),
    e = b % 4,
    f = Math.floor((b + 8) / 25),
    g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30,
    i = Math.floor(c / 4),
    k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7,
    m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

const FIXED_NATIONAL = ['01-01', '01-06', '04-25', '05-01', '06-02', '08-15', '11-01', '12-08', '12-25', '12-26'];

/** Italian national holidays of a year as "MM-DD" (Easter Monday computed; 4 October is a holiday again from 2026, legge 8 ottobre 2025 n. 151, in force 1 January 2026, amending art. 2 of legge 260/1949). */
export function nationalHolidays(year: number): Set<string> {
  const set = new Set(FIXED_NATIONAL);
  const [m, d] = easterSunday(year);
  const monday = new Date(Date.UTC(year, m - 1, d + 1));
  set.add(`${pad(monday.getUTCMonth() + 1)}-${pad(monday.getUTCDate())}`);
  if (year >= 2026) set.add('10-04');
  return set;
}

const pad = (n: number): string => String(n).padStart(2, '0');

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/**
 * A zone's UTC offset per quarter of an hour of UTC time: offsets are multiples of 15 minutes and
 * change at such instants (Europe/Rome at 01:00 UTC), so one formatToParts per zone and quarter
 * hour serves every instant in it. formatToParts was the analytics worker's costliest function.
 */
const QUARTER_MS = 900_000;
const offsets = new Map<string, number>();

function zoneOffsetMs(ms: number, tz: string): number {
  const quarter = Math.floor(ms / QUARTER_MS);
  const key = `${tz}|${quarter}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const at = quarter * QUARTER_MS;
    const out: Record<string, number> = {};
    for (const p of formatter(tz).formatToParts(new Date(at))) if (p.type !== 'literal') out[p.type] = Number(p.value);
    offset = Date.UTC(out.year, out.month - 1, out.day, out.hour % 24, out.minute, out.second) - at;
    if (offsets.size >= 200_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

/** Local wall-clock fields of an instant in a time zone. */
export function localParts(ms: number, tz: string): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const local = new Date(ms + zoneOffsetMs(ms, tz));
  return {
    y: local.getUTCFullYear(),
    m: local.getUTCMonth() + 1,
    d: local.getUTCDate(),
    h: local.getUTCHours(),
    mi: local.getUTCMinutes(),
    s: local.getUTCSeconds(),
  };
}

function offsetMs(ms: number, tz: string): number {
  const p = localParts(ms, tz);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s) - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The instant of a local wall-clock time. A time skipped by the spring DST change maps to the
 * instant one hour later, a repeated autumn time to its first occurrence.
 */
export function localToInstant(y: number, m: number, d: number, minuteOfDay: number, tz: string): number {
  const naive = Date.UTC(y, m - 1, d, 0, minuteOfDay);
  const o1 = offsetMs(naive - 12 * 3600_000, tz);
  const o2 = offsetMs(naive + 12 * 3600_000, tz);
  const t1 = naive - o1;
  if (o1 === o2) return t1;
  // A DST change within a day either side: pick the offset that is really in force at that time.
  const t2 = naive - o2;
  const ok1 = offsetMs(t1, tz) === o1;
  const ok2 = offsetMs(t2, tz) === o2;
  if (ok1 && ok2) return Math.min(t1, t2);
  if (ok1) return t1;
  if (ok2) return t2;
  return naive - Math.min(o1, o2); // inside the spring gap
}

/** Local calendar date "YYYY-MM-DD" of an instant. */
export function localDate(ms: number, tz: string): string {
  const p = localParts(ms, tz);
  return `${p.y}-${pad(p.m)}-${pad(p.d)}`;
}

interface CompiledCalendar {
  tz: string;
  slots: Array<Array<[number, number]>>; // index 1..7
  national: boolean;
  patron: string | null;
  closures: Set<string>;
  holidayYears: Map<number, Set<string>>;
  /** Local day → its open intervals as instants (memoised: the same days recur across a ticket's intervals). */
  dayCache: Map<string, Array<[number, number]>>;
}

const compiled = new WeakMap<BusinessCalendar, CompiledCalendar>();

function compile(c: BusinessCalendar): CompiledCalendar {
  let cc = compiled.get(c);
  if (cc) return cc;
  const slots: Array<Array<[number, number]>> = [[]];
  for (let wd = 1; wd <= 7; wd++) {
    slots.push((c.openingHours[String(wd) as keyof OpeningHours] ?? []).map(([a, b]) => [minutes(a), minutes(b)] as [number, number]));
  }
  cc = {
    tz: c.timezone,
    slots,
    national: c.nationalHolidays,
    patron: c.patronDay,
    closures: new Set(c.closures),
    holidayYears: new Map(),
    dayCache: new Map(),
  };
  compiled.set(c, cc);
  return cc;
}

/** Whether a local date is a closed day (holiday, patron saint, closure) regardless of weekday. */
export function isHoliday(c: BusinessCalendar, y: number, m: number, d: number): boolean {
  const cc = compile(c);
  const md = `${pad(m)}-${pad(d)}`;
  if (cc.patron === md) return true;
  if (cc.closures.has(`${y}-${md}`)) return true;
  if (!cc.national) return false;
  let set = cc.holidayYears.get(y);
  if (!set) {
    set = nationalHolidays(y);
    cc.holidayYears.set(y, set);
  }
  return set.has(md);
}

/** Open intervals [start, end) of one local day, as instants. */
function openIntervals(cc: CompiledCalendar, c: BusinessCalendar, y: number, m: number, d: number): Array<[number, number]> {
  const key = `${y}-${m}-${d}`;
  const hit = cc.dayCache.get(key);
  if (hit) return hit;
  let out: Array<[number, number]> = [];
  if (!isHoliday(c, y, m, d)) {
    const wd = ((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7) + 1;
    out = cc.slots[wd].map(([a, b]) => [localToInstant(y, m, d, a, cc.tz), localToInstant(y, m, d, b, cc.tz)] as [number, number]);
  }
  if (cc.dayCache.size > 5000) cc.dayCache.clear();
  cc.dayCache.set(key, out);
  return out;
}

/** Local days covering [start, end), as [y, m, d]; the first one is the local day of `start`. */
function* localDays(start: number, tz: string, maxDays: number): Generator<[number, number, number]> {
  const p = localParts(start, tz);
  // Slots are local times of the local day; a day is walked by its civil date, not by 24 h steps.
  for (let i = 0; i < maxDays; i++) {
    const dt = new Date(Date.UTC(p.y, p.m - 1, p.d + i));
    yield [dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate()];
  }
}

const MAX_SPAN_DAYS = 3 * 366;

/** Business milliseconds in [start, end): the part of the interval inside open slots of open days. */
export function businessMs(c: BusinessCalendar, start: number, end: number): number {
  if (!(end > start)) return 0;
  const cc = compile(c);
  const endDate = localParts(end, cc.tz);
  const endKey = endDate.y * 10000 + endDate.m * 100 + endDate.d;
  let total = 0;
  for (const [y, m, d] of localDays(start, cc.tz, MAX_SPAN_DAYS)) {
    for (const [a, b] of openIntervals(cc, c, y, m, d)) {
      const lo = Math.max(a, start),
        hi = Math.min(b, end);
      if (hi > lo) total += hi - lo;
    }
    if (y * 10000 + m * 100 + d >= endKey) break;
  }
  return total;
}

/**
 * The instant at which `ms` business milliseconds have elapsed from `start` (a due time).
 * Null when the calendar has no open time in the next three years.
 */
export function addBusinessMs(c: BusinessCalendar, start: number, ms: number): number | null {
  const cc = compile(c);
  let left = Math.max(0, ms);
  for (const [y, m, d] of localDays(start, cc.tz, MAX_SPAN_DAYS)) {
    for (const [a, b] of openIntervals(cc, c, y, m, d)) {
      const lo = Math.max(a, start);
      if (b <= lo) continue;
      if (left === 0) return lo;
      if (b - lo >= left) return lo + left;
      left -= b - lo;
    }
  }
  return null;
}

/** Whether the office is open at an instant. */
export function isOpenAt(c: BusinessCalendar, at: number): boolean {
  return businessMs(c, at, at + 1) > 0;
}
