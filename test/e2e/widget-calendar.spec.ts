import { startApp, type TestApp } from '../support/harness.js';

/** The web chat says the office is open from the comune's business calendar, holidays included. */
describe('web-chat availability follows the comune’s calendar', () => {
  let t: TestApp;
  beforeAll(async () => { t = await startApp(); });
  afterAll(async () => { await t.close(); });

  const setCalendar = (slug: string, patronDay: string | null) => t.ds.query(
    `INSERT INTO comune_calendars (comune_id, opening_hours, national_holidays, patron_day)
     SELECT id, $2::jsonb, true, $3 FROM comuni WHERE slug = $1
     ON CONFLICT (comune_id) DO UPDATE SET opening_hours = EXCLUDED.opening_hours, national_holidays = true,
       patron_day = EXCLUDED.patron_day, closures = '{}'`,
    [slug, JSON.stringify(Object.fromEntries(['1', '2', '3', '4', '5', '6', '7'].map((d) => [d, [['00:00', '24:00']]]))), patronDay]);

  it('is open every hour of an always-open calendar, and closed on the patron saint’s day', async () => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome', month: '2-digit', day: '2-digit' }).format(new Date()); // "MM-DD"
    const isNationalHoliday = ['01-01', '01-06', '04-25', '05-01', '06-02', '08-15', '10-04', '11-01', '12-08', '12-25', '12-26'].includes(today);
    await setCalendar('turi', null);
    const open = await t.http.get('/api/webchat/turi/availability').expect(200);
    expect(open.body).toMatchObject({ open: !isNationalHoliday, timezone: 'Europe/Rome' });
    expect(open.body.openingHours.mon).toEqual([['00:00', '24:00']]);

    // Today is the patron saint's day of Noci (a fresh comune, so no cached calendar).
    await setCalendar('noci', today);
    const feast = await t.http.get('/api/webchat/noci/availability').expect(200);
    expect(feast.body).toMatchObject({ open: false, live: false });
  });
});
