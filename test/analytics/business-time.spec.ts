import {
  addBusinessMs,
  businessMs,
  DEFAULT_OPENING_HOURS,
  easterSunday,
  isHoliday,
  localParts,
  localToInstant,
  validateCalendar,
  type BusinessCalendar,
} from '../../src/comuni/business-calendar.js';

const H = 3600_000;
const ROME = 'Europe/Rome';
const bari: BusinessCalendar = {
  timezone: ROME,
  openingHours: DEFAULT_OPENING_HOURS,
  nationalHolidays: true,
  patronDay: '05-08',
  closures: [],
};
const always: BusinessCalendar = {
  timezone: ROME,
  nationalHolidays: false,
  patronDay: null,
  closures: [],
  openingHours: Object.fromEntries(['1', '2', '3', '4', '5', '6', '7'].map((d) => [d, [['00:00', '24:00']]])),
};
/** A local Rome wall-clock time as an instant. */
const rome = (s: string) => {
  const [date, time] = s.split(' ');
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  return localToInstant(y, m, d, hh * 60 + mm, ROME);
};

describe('business time in Europe/Rome', () => {
  it('converts local times to instants on both sides of the DST changes', () => {
    expect(new Date(rome('2025-03-29 12:00')).toISOString()).toBe('2025-03-29T11:00:00.000Z');
    expect(new Date(rome('2025-03-31 12:00')).toISOString()).toBe('2025-03-31T10:00:00.000Z');
    expect(new Date(rome('2025-10-26 12:00')).toISOString()).toBe('2025-10-26T11:00:00.000Z');
    // 02:30 does not exist on 30 March: it is read as 03:30 CEST.
    expect(new Date(rome('2025-03-30 02:30')).toISOString()).toBe('2025-03-30T01:30:00.000Z');
  });

  it('computes Easter and knows the national holidays, Easter Monday included', () => {
    expect(easterSunday(2024)).toEqual([3, 31]);
    expect(easterSunday(2025)).toEqual([4, 20]);
    expect(easterSunday(2026)).toEqual([4, 5]);
    expect(easterSunday(2038)).toEqual([4, 25]);
    expect(isHoliday(bari, 2025, 4, 21)).toBe(true); // Pasquetta
    expect(isHoliday(bari, 2025, 4, 22)).toBe(false);
    expect(isHoliday(bari, 2025, 6, 2)).toBe(true);
    expect(isHoliday(bari, 2025, 5, 8)).toBe(true); // San Nicola, Bari only
    expect(isHoliday({ ...bari, patronDay: null }, 2025, 5, 8)).toBe(false);
    // San Francesco d'Assisi, 4 October: a national holiday from 2026 (legge 151/2025), a working day before.
    expect(isHoliday(bari, 2025, 10, 4)).toBe(false); // a Saturday, but not a holiday
    expect(isHoliday(bari, 2027, 10, 4)).toBe(true); // Monday
  });

  it('counts only the open slots of a split-shift day', () => {
    // Tuesday 4 March 2025: 9–13 and 15–17.
    expect(businessMs(bari, rome('2025-03-04 08:00'), rome('2025-03-04 18:00'))).toBe(6 * H);
    expect(businessMs(bari, rome('2025-03-04 12:30'), rome('2025-03-04 15:30'))).toBe(1 * H);
    expect(businessMs(bari, rome('2025-03-04 13:10'), rome('2025-03-04 14:50'))).toBe(0);
    // Wednesday has no afternoon slot.
    expect(businessMs(bari, rome('2025-03-05 12:00'), rome('2025-03-05 18:00'))).toBe(1 * H);
  });

  it('skips nights, weekends, holidays and the patron saint’s day', () => {
    expect(businessMs(bari, rome('2025-03-03 12:00'), rome('2025-03-04 10:00'))).toBe(2 * H); // Mon → Tue
    expect(businessMs(bari, rome('2025-03-07 12:00'), rome('2025-03-10 10:00'))).toBe(2 * H); // Fri → Mon
    // Thu 17 Apr → Tue 22 Apr 2025: Good Friday is a working day, Easter Monday is not.
    expect(businessMs(bari, rome('2025-04-17 16:00'), rome('2025-04-22 10:00'))).toBe(1 * H + 4 * H + 1 * H);
    // Wed 7 May → Fri 9 May 2025 around San Nicola (Thursday 8 May).
    expect(businessMs(bari, rome('2025-05-07 12:00'), rome('2025-05-09 10:00'))).toBe(2 * H);
    expect(businessMs({ ...bari, patronDay: null }, rome('2025-05-07 12:00'), rome('2025-05-09 10:00'))).toBe(8 * H);
    expect(businessMs({ ...bari, closures: ['2025-05-09'] }, rome('2025-05-07 12:00'), rome('2025-05-09 10:00'))).toBe(1 * H);
  });

  it('measures real hours across the DST changes', () => {
    expect(businessMs(always, rome('2025-03-29 12:00'), rome('2025-03-30 12:00'))).toBe(23 * H);
    expect(businessMs(always, rome('2025-10-25 12:00'), rome('2025-10-26 12:00'))).toBe(25 * H);
    // A Sunday night slot 01:00–04:00 lasts two real hours on the spring change and four on the autumn one.
    const night: BusinessCalendar = { ...always, openingHours: { '7': [['01:00', '04:00']] } };
    expect(businessMs(night, rome('2025-03-29 00:00'), rome('2025-03-31 00:00'))).toBe(2 * H);
    expect(businessMs(night, rome('2025-10-25 00:00'), rome('2025-10-27 00:00'))).toBe(4 * H);
    // Office hours stay 9–13 local time after the change (UTC shifts by one hour).
    expect(businessMs(bari, Date.parse('2025-03-28T08:00:00Z'), Date.parse('2025-03-28T12:00:00Z'))).toBe(4 * H);
    expect(businessMs(bari, Date.parse('2025-03-31T07:00:00Z'), Date.parse('2025-03-31T11:00:00Z'))).toBe(4 * H);
  });

  it('finds due times by adding business time', () => {
    // Friday 12:30 + 2 business hours → Monday 10:30 local.
    expect(addBusinessMs(bari, rome('2025-03-07 12:30'), 2 * H)).toBe(rome('2025-03-10 10:30'));
    // Ending exactly at the end of a slot stays in that slot.
    expect(addBusinessMs(bari, rome('2025-03-04 09:00'), 4 * H)).toBe(rome('2025-03-04 13:00'));
    // Started while closed: the clock starts at the next opening.
    expect(addBusinessMs(bari, rome('2025-03-04 13:30'), 30 * 60_000)).toBe(rome('2025-03-04 15:30'));
    // Over Easter Monday 2025.
    expect(addBusinessMs(bari, rome('2025-04-18 12:00'), 2 * H)).toBe(rome('2025-04-22 10:00'));
    const round = (s: string, ms: number) => businessMs(bari, rome(s), addBusinessMs(bari, rome(s), ms)!);
    expect(round('2025-12-23 11:17', 17 * H + 7 * 60_000)).toBe(17 * H + 7 * 60_000);
    expect(addBusinessMs({ ...always, openingHours: {} }, rome('2025-01-01 00:00'), H)).toBeNull();
  });

  it('refuses malformed calendars field by field', () => {
    expect(validateCalendar(bari)).toEqual([]);
    const problems = validateCalendar({
      timezone: 'Europe/Atlantis',
      patronDay: '02-30',
      closures: ['2025-13-01'],
      openingHours: {
        '1': [['13:00', '09:00']],
        '2': [
          ['09:00', '13:00'],
          ['12:00', '14:00'],
        ],
        '8': [],
      } as any,
    });
    expect(problems.map((p) => p.field).sort()).toEqual([
      'closures.0',
      'openingHours.1.0',
      'openingHours.2.1',
      'openingHours.8',
      'patronDay',
      'timezone',
    ]);
  });
});

describe('local wall-clock fields', () => {
  it('agree with Intl at every instant tried, across the DST changes of Rome and zones with 30- and 45-minute offsets', () => {
    const viaIntl = (ms: number, tz: string) => {
      const f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
      const o: Record<string, number> = {};
      for (const p of f.formatToParts(new Date(ms))) if (p.type !== 'literal') o[p.type] = Number(p.value);
      return { y: o.year, m: o.month, d: o.day, h: o.hour % 24, mi: o.minute, s: o.second };
    };
    // Rome: 30 March 2025 01:00 UTC (02:00 → 03:00) and 26 October 2025 01:00 UTC (03:00 → 02:00).
    const edges = [Date.UTC(2025, 2, 30, 1), Date.UTC(2025, 9, 26, 1)].flatMap((t) => [t - 1, t, t + 1, t - 1000, t + 999]);
    let seed = 3;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const random = Array.from({ length: 3000 }, () => Date.UTC(2024, 0, 1) + Math.floor(rand() * 4 * 365 * 86_400_000));
    for (const tz of ['Europe/Rome', 'Asia/Kathmandu', 'Australia/Adelaide', 'UTC']) {
      for (const ms of [...edges, ...random]) expect(localParts(ms, tz)).toEqual(viaIntl(ms, tz));
    }
  });
});
