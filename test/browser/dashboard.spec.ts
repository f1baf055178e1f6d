import type { Browser, BrowserContext, Page } from 'playwright-core';
import { login, startApp, TEST_PASSWORD, type TestApp } from '../support/harness.js';
import { launchChromium, screenshot, seriousA11yViolations } from './browser.js';

/** The managers' dashboard in Chromium: it shows the comune's figures, drills down, and is accessible. */
describe('manager dashboard in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    [t, browser] = await Promise.all([startApp(), launchChromium()]);
    // A few of Bari's tickets, one answered, so the tables have rows.
    const op = await login(t, 'supervisore@bari.demo');
    for (let i = 0; i < 3; i++) {
      const res = await t.http.post('/api/app/v1/messages').set('X-Api-Key', 'demo-app-key-bari')
        .send({ messageId: `dash-${i}`, citizen: { id: `dash-${i}` }, text: `Richiesta di prova ${i}` }).expect(201);
      if (i === 0) {
        const [ticket] = (await t.http.get('/api/tickets').query({ q: res.body.ticketReference }).set('Authorization', `Bearer ${op}`)).body;
        await t.http.post(`/api/tickets/${ticket.id}/messages`).set('Authorization', `Bearer ${op}`).send({ text: 'Risposta' }).expect(201);
      }
    }
  });
  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  async function signedIn(email: string): Promise<Page> {
    context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (err) => { throw err; });
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

  it('is not offered to a plain operator, and the analytics API refuses them', async () => {
    const page = await signedIn('operatore@bari.demo');
    await expect(page.getByRole('link', { name: 'Cruscotto' }).count()).resolves.toBe(0);
    const token = await login(t, 'operatore@bari.demo');
    expect((await t.http.get('/api/analytics/live').set('Authorization', `Bearer ${token}`)).status).toBe(403);
  });
});
