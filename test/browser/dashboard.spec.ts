import type { Browser, BrowserContext, Page } from 'playwright-core';
import { eventually, login, startApp, TEST_PASSWORD, type TestApp } from '../support/harness.js';
import { launchChromium, screenshot, seriousA11yViolations } from './browser.js';

/** The managers' dashboard in Chromium: it shows the comune's figures, drills down, and is accessible. */
describe('manager dashboard in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;

  /** Reports with a position in Bari: three cells of about 1 km, one with two categories. */
  const REPORTS = [
    { lat: 41.1171, lng: 16.8719, category: 'illuminazione' },
    { lat: 41.1174, lng: 16.8712, category: 'illuminazione' },
    { lat: 41.1176, lng: 16.8715, category: 'strade' },
    { lat: 41.102, lng: 16.842, category: 'rifiuti' },
    { lat: 41.096, lng: 16.901, category: 'illuminazione' },
  ];
  let mapRows: Array<{ lat: number; lng: number; category: string; count: number }> = [];
  const cellsOf = (rows: typeof mapRows) => new Set(rows.map((r) => `${r.lat.toFixed(3)},${r.lng.toFixed(3)}`)).size;

  beforeAll(async () => {
    [t, browser] = await Promise.all([startApp({ ANALYTICS_POLL_MS: '200' }), launchChromium()]);
    // A few of Bari's tickets, one answered, so the tables have rows.
    const op = await login(t, 'supervisore@bari.demo');
    for (let i = 0; i < 3; i++) {
      const res = await t.http
        .post('/api/app/v1/messages')
        .set('X-Api-Key', 'demo-app-key-bari')
        .send({ messageId: `dash-${i}`, citizen: { id: `dash-${i}` }, text: `Richiesta di prova ${i}` })
        .expect(201);
      if (i === 0) {
        const [ticket] = (await t.http.get('/api/tickets').query({ q: res.body.ticketReference }).set('Authorization', `Bearer ${op}`))
          .body;
        await t.http.post(`/api/tickets/${ticket.id}/messages`).set('Authorization', `Bearer ${op}`).send({ text: 'Risposta' }).expect(201);
      }
    }
    for (const [i, r] of REPORTS.entries()) {
      await t.http
        .post('/api/app/v1/messages')
        .set('X-Api-Key', 'demo-app-key-bari')
        .send({
          messageId: `dash-report-${i}`,
          citizen: { id: `dash-report-${i}` },
          type: 'report',
          category: r.category,
          text: `Segnalazione di prova ${i}`,
          location: { lat: r.lat, lng: r.lng },
        })
        .expect(201);
    }
    const manager = await login(t, 'manager@bari.demo');
    mapRows = await eventually(
      async () => {
        const res = await t.http.get('/api/analytics/map').set('Authorization', `Bearer ${manager}`);
        return res.body.rows?.reduce((n: number, r: { count: number }) => n + r.count, 0) === REPORTS.length ? res.body.rows : null;
      },
      15_000,
      'reports counted on the map',
    );
  });
  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  async function signedIn(email: string): Promise<Page> {
    context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(`${t.url}/console/`);
    await page.getByLabel('Indirizzo e-mail').fill(email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.getByRole('navigation', { name: 'Navigazione principale' }).waitFor();
    return page;
  }

  it('shows live figures and tables for the manager, with no serious accessibility violation', async () => {
    const page = await signedIn('manager@bari.demo');
    await page.getByRole('link', { name: 'Cruscotto' }).click();
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.locator('section[aria-labelledby="dash-live"]').waitFor();
    await page.locator('section[aria-labelledby="dash-rt"] table').first().waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, '07-dashboard');
  });

  it('draws the requests by area on a map with the comune boundary, a legend, tooltips and the table as alternative', async () => {
    const page = await signedIn('manager@bari.demo');
    await page.getByRole('link', { name: 'Cruscotto' }).click();
    const section = page.locator('section[aria-labelledby="dash-map"]');
    await section.getByRole('region', { name: 'Mappa delle richieste per zona' }).waitFor();
    // One circle per cell the API counted (a cell with two categories is one circle), inside Bari's boundary.
    expect(cellsOf(mapRows)).toBe(3);
    await expect(
      eventually(async () => (await page.locator('.dash-map-cell').count()) === cellsOf(mapRows), 10_000, 'cells drawn'),
    ).resolves.toBe(true);
    await page.locator('.dash-map-boundary').first().waitFor({ state: 'attached' });
    expect(await page.locator('.dash-map-boundary').count()).toBe(1);

    // The largest cell is drawn first; its tooltip gives the count and the top categories.
    await page.locator('.dash-map-cell').first().hover();
    const tip = page.locator('.leaflet-tooltip');
    await tip.waitFor();
    expect(await tip.innerText()).toMatch(/3 richieste[\s\S]*Bari[\s\S]*Categorie principali: illuminazione \(2\), strade \(1\)/);
    await screenshot(page, '07b-dashboard-map');

    // The text alternative and the legend say what the colours and sizes mean, in words and numbers.
    expect(await page.getByTestId('area-map-summary').innerText()).toContain('3 zone di circa 1 km con 5 richieste nel periodo');
    expect(await page.getByTestId('area-map-legend').locator('li').count()).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('area-map-legend').innerText()).toContain('3 richieste');

    // Keyboard users reach the same figures in the table.
    await page.getByRole('link', { name: 'Vai alla tabella delle zone' }).focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement?.id')).toBe('dash-map-table');
    const table = page.getByRole('table', { name: /Richieste per zona/ });
    expect(await table.locator('tbody tr').count()).toBe(3);
    expect(await table.locator('tbody tr').first().innerText()).toMatch(/41\.115, 16\.875\s+Bari\s+3\s+illuminazione \(2\), strade \(1\)/);

    // The category filter redraws the map and the table.
    await section.getByLabel('Categoria').selectOption('rifiuti');
    await expect(eventually(async () => (await page.locator('.dash-map-cell').count()) === 1, 5000, 'one cell left')).resolves.toBe(true);
    expect(await table.locator('tbody tr').count()).toBe(1);

    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('shows the metropolitan administrator the 41 comuni boundaries', async () => {
    const admin = await login(t, 'admin@metro.demo');
    const all = await t.http.get('/api/console/comuni/boundaries').set('Authorization', `Bearer ${admin}`).expect(200);
    expect(all.body.features).toHaveLength(41);
    const manager = await login(t, 'manager@bari.demo');
    const own = await t.http.get('/api/console/comuni/boundaries').set('Authorization', `Bearer ${manager}`).expect(200);
    expect(own.body.features.map((f: any) => f.properties.name)).toEqual(['Bari']);

    const page = await signedIn('admin@metro.demo');
    await page.getByRole('link', { name: 'Cruscotto' }).click();
    await page.getByRole('region', { name: 'Mappa delle richieste per zona' }).waitFor();
    await expect(
      eventually(async () => (await page.locator('.dash-map-boundary').count()) === 41, 10_000, '41 boundaries drawn'),
    ).resolves.toBe(true);
    await expect(eventually(async () => (await page.locator('.dash-map-cell').count()) === 3, 10_000, 'cells drawn')).resolves.toBe(true);
  });

  it('is not offered to a plain operator, and the analytics API refuses them', async () => {
    const page = await signedIn('operatore@bari.demo');
    await expect(page.getByRole('link', { name: 'Cruscotto' }).count()).resolves.toBe(0);
    const token = await login(t, 'operatore@bari.demo');
    expect((await t.http.get('/api/analytics/live').set('Authorization', `Bearer ${token}`)).status).toBe(403);
  });
});
