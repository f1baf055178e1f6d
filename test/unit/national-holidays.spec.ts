import {
  DEFAULT_OPENING_HOURS,
  isHoliday,
  isOpenAt,
  localToInstant,
  nationalHolidays,
  type BusinessCalendar,
} from '../../src/comuni/business-calendar.js';

/** The holidays the web chat and the SLA clocks close on (test/e2e/widget-calendar.spec.ts relies on them). */
describe('Italian national holidays of the business calendar', () => {
  const ROME = 'Europe/Rome';
  const calendar: BusinessCalendar = {
    timezone: ROME,
    openingHours: DEFAULT_OPENING_HOURS,
    nationalHolidays: true,
    patronDay: null,
    closures: [],
  };

  it('include Easter Monday: 6 April 2026, 29 March 2027, 17 April 2028', () => {
    expect(nationalHolidays(2026).has('04-06')).toBe(true);
    expect(nationalHolidays(2027).has('03-29')).toBe(true);
    expect(nationalHolidays(2028).has('04-17')).toBe(true);
    expect(isHoliday(calendar, 2026, 4, 6)).toBe(true);
    expect(isHoliday(calendar, 2027, 3, 29)).toBe(true);
    // The Tuesday after is a working day, and so is last year's Easter Monday date.
    expect(isHoliday(calendar, 2027, 3, 30)).toBe(false);
    expect(isHoliday(calendar, 2027, 4, 6)).toBe(false);
    // A Monday: closed all day at 10:00, whereas the next Monday is open.
    expect(isOpenAt(calendar, localToInstant(2027, 3, 29, 10 * 60, ROME))).toBe(false);
    expect(isOpenAt(calendar, localToInstant(2027, 4, 5, 10 * 60, ROME))).toBe(true);
  });

  it('are the fixed days, Easter Monday and (from 2026) 4 October, and nothing else', () => {
    expect([...nationalHolidays(2027)].sort()).toEqual([
      '01-01',
      '01-06',
      '03-29',
      '04-25',
      '05-01',
      '06-02',
      '08-15',
      '10-04',
      '11-01',
      '12-08',
      '12-25',
      '12-26',
    ]);
    expect(nationalHolidays(2025).has('10-04')).toBe(false);
  });
});
