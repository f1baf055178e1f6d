import { isHoliday, localParts, type BusinessCalendar } from '../../src/comuni/business-calendar.js';
import { startApp, type TestApp } from '../support/harness.js';

const ROME = 'Europe/Rome';
const ALWAYS_OPEN = Object.fromEntries(
  ['1', '2', '3', '4', '5', '6', '7'].map((d) => [d, [['00:00', '24:00']]]),
) as BusinessCalendar['openingHours'];

/** The web chat says the office is open from the comune's business calendar, holidays included. */
describe('web-chat availability follows the comune’s calendar', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const setCalendar = (slug: string, patronDay: string | null) =>
    t.ds.query(
      `INSERT INTO comune_calendars (comune_id, opening_hours, national_holidays, patron_day)
     SELECT id, $2::jsonb, true, $3 FROM comuni WHERE slug = $1
     ON CONFLICT (comune_id) DO UPDATE SET opening_hours = EXCLUDED.opening_hours, national_holidays = true,
       patron_day = EXCLUDED.patron_day, closures = '{}'`,
      [slug, JSON.stringify(ALWAYS_OPEN), patronDay],
    );

  /** Today in Rome, and `fn` run on that same day (asked again if midnight passed meanwhile). */
  async function onRomeDay<T>(fn: (today: { y: number; m: number; d: number; md: string }) => Promise<T>): Promise<T> {
    for (;;) {
      const { y, m, d } = localParts(Date.now(), ROME);
      const result = await fn({ y, m, d, md: `${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}` });
      const after = localParts(Date.now(), ROME);
      if (after.y === y && after.m === m && after.d === d) return result;
    }
  }

  it('is open every hour of an always-open calendar, except on national holidays, and closed on the patron saint’s day', async () => {
    await setCalendar('turi', null);
    await onRomeDay(async ({ y, m, d }) => {
      // Whether today is a national holiday (Easter Monday included) comes from the calendar code, not a list here.
      const holiday = isHoliday(
        { timezone: ROME, openingHours: ALWAYS_OPEN, nationalHolidays: true, patronDay: null, closures: [] },
        y,
        m,
        d,
      );
      const open = await t.http.get('/api/webchat/turi/availability').expect(200);
      expect(open.body).toMatchObject({ open: !holiday, timezone: ROME });
      expect(open.body.openingHours.mon).toEqual([['00:00', '24:00']]);
    });

    // Today is the patron saint's day of Noci (a fresh comune, so no cached calendar).
    await onRomeDay(async ({ md }) => {
      await setCalendar('noci', md);
      const feast = await t.http.get('/api/webchat/noci/availability').expect(200);
      expect(feast.body).toMatchObject({ open: false, live: false });
    });
  });
});
