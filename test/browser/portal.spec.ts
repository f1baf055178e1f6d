import { jest } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startApp, TEST_PASSWORD, type TestApp } from '../support/harness.js';
import { launchChromium, screenshot, seriousA11yViolations } from './browser.js';
import type { MyCasesResponse } from '../../src/portal/mine/mine.api.js';

jest.setTimeout(120_000);

/** The citizen portal in Debian's Chromium, served by the application with the demo catalogue. */
describe('citizen portal in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** Every URL any portal page requested, checked against the app's own origin at the end. */
  const requested: string[] = [];

  beforeAll(async () => {
    [t, browser] = await Promise.all([startApp(), launchChromium()]);
  });
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await browser?.close();
    await t?.close();
  });

  async function newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, ...options });
    contexts.push(ctx);
    const page = await ctx.newPage();
    page.on('request', (r) => requested.push(r.url()));
    page.on('pageerror', (err) => {
      throw err;
    });
    return page;
  }

  /**
   * Waits until a JavaScript expression is true in the page. Evaluated through the DevTools
   * protocol: the portal's content policy forbids eval, which page.waitForFunction needs.
   */
  async function until(page: Page, expression: string, ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await page.evaluate<boolean>(expression))) {
      if (Date.now() > end) {
        await screenshot(page, 'portal-timeout');
        throw new Error(`timed out waiting for ${expression}; page: ${(await page.locator('main').innerText()).slice(0, 1500)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const CARD_COUNT = `document.querySelectorAll('[data-testid="catalogue"] .portal-service').length`;
  const cards = (page: Page) => page.locator('[data-testid="catalogue"] .portal-service');
  const titles = (page: Page) => cards(page).locator('.card-title').allInnerTexts();

  it('lists the 41 comuni on the metropolitan home, and the search filters them', async () => {
    const page = await newPage();
    const res = await page.goto(`${t.url}/`);
    expect(res?.status()).toBe(200);
    await page.getByRole('heading', { level: 1, name: 'I servizi digitali della Città Metropolitana di Bari' }).waitFor();
    const items = page.locator('[data-testid="comuni"] li');
    await items.first().waitFor();
    await expect(items.count()).resolves.toBe(41);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('it');
    await page.getByLabel('Cerca un comune').fill('mol');
    await until(page, `document.querySelectorAll('[data-testid="comuni"] li').length < 41`);
    expect((await items.allInnerTexts()).map((s) => s.trim()).sort()).toEqual(['Mola di Bari', 'Molfetta']);
    await page.getByLabel('Cerca un comune').fill('zzz');
    await page.getByText('Nessun comune corrisponde alla ricerca.').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'portal-01-home');
  });

  it("shows Modugno's page with its services and the Metropolitan City's, and its contact channels", async () => {
    const page = await newPage();
    await page.goto(`${t.url}/`);
    await page.getByRole('link', { name: 'Modugno', exact: true }).click();
    await page.waitForURL(`${t.url}/modugno`);
    await page.getByRole('heading', { level: 1, name: 'Comune di Modugno' }).waitFor();
    await page.locator('.portal-service').first().waitFor();
    const shown = await page.locator('.portal-service .card-title').allInnerTexts();
    expect(shown).toEqual(
      expect.arrayContaining(['Iscrizione mensa scolastica', 'SUAP — Sportello Unico Attività Produttive', 'Chat con l’URP']),
    );
    // Bari's own services are Bari's.
    expect(shown).not.toContain('Bari Partecipa');
    await expect(page.getByRole('link', { name: 'Canali di contatto' }).getAttribute('href')).resolves.toBe('/contatti/modugno');
    await expect(page.getByRole('link', { name: 'Chat con l’URP', exact: true }).getAttribute('href')).resolves.toBe(
      '/contatti/modugno#chat',
    );
    await expect(page.locator('.it-header-center-wrapper .it-brand-title').innerText()).resolves.toBe('Comune di Modugno');
    await page.getByRole('navigation', { name: 'Percorso di navigazione' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'portal-02-modugno');
  });

  it('searches, filters by area and sorts the catalogue', async () => {
    const page = await newPage();
    await page.goto(`${t.url}/bari/servizi`);
    await page.getByRole('heading', { level: 1, name: 'Servizi del Comune di Bari' }).waitFor();
    await cards(page).first().waitFor();
    const all = await titles(page);
    expect(all.length).toBeGreaterThan(8);
    // Sorted by name by default.
    expect(all).toEqual([...all].sort(new Intl.Collator('it', { sensitivity: 'base' }).compare));
    const areasByName = await cards(page).locator('.category').allTextContents();
    expect(areasByName).not.toEqual([...areasByName].sort(new Intl.Collator('it', { sensitivity: 'base' }).compare));
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByLabel('Cerca un servizio').fill('tari');
    await until(page, `${CARD_COUNT} < ${all.length}`);
    await expect(titles(page)).resolves.toEqual(['Pagamento TARI con pagoPA']);
    await expect(page.getByTestId('catalogue-count').innerText()).resolves.toBe('1 servizi');
    await page.getByLabel('Cerca un servizio').fill('');
    await until(page, `${CARD_COUNT} === ${all.length}`);

    await page.getByLabel('Area tematica', { exact: true }).selectOption('education');
    await page.waitForURL(/area=education/);
    await until(page, `${CARD_COUNT} < ${all.length}`);
    const areas = await cards(page).locator('.category').allTextContents();
    expect(areas.length).toBeGreaterThanOrEqual(2);
    expect(new Set(areas)).toEqual(new Set(['Scuola e istruzione']));
    await page.getByLabel('Area tematica', { exact: true }).selectOption('');
    await until(page, `${CARD_COUNT} === ${all.length}`);

    const sorted = page.waitForResponse((r) => r.url().includes('/services?') && r.url().includes('sort=area'));
    await page.getByLabel('Ordina per').selectOption('area');
    await page.waitForURL(/sort=area/);
    await sorted;
    // Rendered: the areas in order (by name they are not).
    await until(
      page,
      `(() => {
      const areas = [...document.querySelectorAll('[data-testid="catalogue"] .portal-service .category')].map((e) => e.textContent);
      return areas.every((a, i) => i === 0 || areas[i - 1].localeCompare(a, 'it', { sensitivity: 'base' }) <= 0);
    })()`,
    );
    // Grouped: one section per area, headed by its name.
    await page.getByRole('heading', { level: 2, name: 'Scuola e istruzione' }).waitFor();
    await expect(page.getByRole('heading', { level: 2, name: 'Tributi locali' }).count()).resolves.toBe(1);
    const byArea = await cards(page).locator('.category').allTextContents();
    expect(byArea).toEqual([...byArea].sort(new Intl.Collator('it', { sensitivity: 'base' }).compare));
    await screenshot(page, 'portal-03-catalogue');
  });

  it('switches to English: texts, <html lang>, kept after a reload', async () => {
    const page = await newPage();
    await page.goto(`${t.url}/modugno/servizi`);
    await page.getByRole('heading', { level: 1, name: 'Servizi del Comune di Modugno' }).waitFor();
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Services of the Comune of Modugno' }).waitFor();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    await page.getByText('Search a service').waitFor();
    await page.getByRole('link', { name: 'Skip to content' }).waitFor({ state: 'attached' });
    // The API answers in English too: area labels and the services' English titles.
    await page.locator('.portal-service .category', { hasText: 'Local taxes' }).first().waitFor();
    await page.locator('.portal-service .card-title', { hasText: 'Waste tax (TARI) payment with pagoPA' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Services of the Comune of Modugno' }).waitFor();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Passa all’italiano' }).click();
    await page.getByRole('heading', { level: 1, name: 'Servizi del Comune di Modugno' }).waitFor();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('it');
  });

  it('fits a 390×844 phone without horizontal scrolling, on every page', async () => {
    const page = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    for (const [path, ready] of [
      ['/', '[data-testid="comuni"] li'],
      ['/modugno', '.portal-service'],
      ['/modugno/servizi', '[data-testid="catalogue"] .portal-service'],
      ['/accedi', '[data-testid="login-spid"]'],
      ['/atlantide', '[data-testid="not-found"]'],
    ] as const) {
      await page.goto(`${t.url}${path}`);
      await page.locator(ready).first().waitFor();
      const { scroll, client } = await page.evaluate<{ scroll: number; client: number }>(
        `({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })`,
      );
      expect({ path, scroll }).toEqual({ path, scroll: client });
      expect(client).toBe(390);
      await screenshot(page, `portal-04-phone${path.replace(/\//g, '-')}`);
    }
  });

  it('is usable with the keyboard: the skip link first, then the main actions', async () => {
    const page = await newPage();
    await page.goto(`${t.url}/modugno`);
    await page.locator('.portal-service').first().waitFor();
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement?.textContent')).resolves.toBe('Vai al contenuto');
    // Visible when focused.
    const box = await page.getByRole('link', { name: 'Vai al contenuto' }).boundingBox();
    expect(box && box.width > 10 && box.height > 10).toBe(true);
    await page.keyboard.press('Enter');
    await expect(page.evaluate('document.activeElement?.id')).resolves.toBe('main');
    const reached: string[] = [];
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate<string>(`document.activeElement?.innerText?.trim() ?? ''`));
    }
    expect(reached).toEqual(expect.arrayContaining(['Canali di contatto', 'Chat con l’URP', 'Tutti i servizi']));
    // The focus ring is visible (an outline, not removed).
    const outline = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle');
    expect(outline).not.toBe('none');

    // Home: skip link, then the comuni search.
    await page.goto(`${t.url}/`);
    await page.locator('[data-testid="comuni"] li').first().waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement?.id')).resolves.toBe('comuni-search');
  });

  it('offers SPID, CIE and an e-mail code on the sign-in page; degrades clearly without the identity API', async () => {
    const page = await newPage();
    await page.goto(`${t.url}/modugno/servizi`);
    await page.locator('.it-header-slim-wrapper').getByRole('link', { name: 'Accedi', exact: true }).click();
    await page.waitForURL(`${t.url}/accedi?returnTo=%2Fmodugno%2Fservizi`);
    const spid = page.getByRole('link', { name: 'Entra con SPID' });
    await expect(spid.getAttribute('href')).resolves.toBe('/api/portal/v1/auth/oidc/start?method=spid&returnTo=%2Fmodugno%2Fservizi');
    await expect(page.getByRole('link', { name: 'Entra con CIE' }).getAttribute('href')).resolves.toBe(
      '/api/portal/v1/auth/oidc/start?method=cie&returnTo=%2Fmodugno%2Fservizi',
    );
    await page.getByRole('heading', { name: 'Accedi con un codice via e-mail' }).waitFor();
    await page.getByLabel('Indirizzo e-mail').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'portal-05-login');

    // Another site as returnTo is ignored.
    await page.goto(`${t.url}/accedi?returnTo=${encodeURIComponent('//evil.example/x')}`);
    await expect(page.getByRole('link', { name: 'Entra con SPID' }).getAttribute('href')).resolves.toBe(
      '/api/portal/v1/auth/oidc/start?method=spid&returnTo=%2Farea-personale',
    );
    // An error the identity gateway sent back, in Italian.
    await page.goto(`${t.url}/accedi?errore=annullato`);
    await page.getByRole('alert').filter({ hasText: 'Accesso annullato' }).waitFor();
  });

  it('shows the citizen from the session: name and menu in the header, the profile page, CSRF on every write', async () => {
    const page = await newPage();
    const csrf: Array<string | undefined> = [];
    const citizen = {
      id: 'c-1',
      displayName: 'Maria Rossi',
      givenName: 'Maria',
      familyName: 'Rossi',
      fiscalCode: 'RSSMRA80A41A662X',
      email: 'maria.rossi@example.it',
      assurance: 'spid',
      level: 2,
    };
    // The identity API stands in the browser: the contract of src/portal/portal.api.ts.
    let authenticated = false;
    await page.route('**/api/portal/v1/session', (r) =>
      r.fulfill({
        json: authenticated ? { authenticated: true, csrfToken: 'tok-1', citizen } : { authenticated: false, csrfToken: 'tok-0' },
      }),
    );
    // The personal area lists her requests (none here: «Le mie richieste» has its own browser test).
    const mine: MyCasesResponse = { cases: [] };
    await page.route('**/api/portal/v1/me/cases', (r) => r.fulfill({ json: mine }));
    let starts = 0;
    await page.route('**/api/portal/v1/auth/email/start', (r) => {
      csrf.push(r.request().headers()['x-csrf-token']);
      // The first attempt is rate-limited: the page says how long to wait.
      if (starts++ === 0)
        return r.fulfill({ status: 429, headers: { 'Retry-After': '30' }, json: { statusCode: 429, message: 'too many' } });
      return r.fulfill({ status: 202, body: '' });
    });
    await page.route('**/api/portal/v1/auth/email/verify', (r) => {
      csrf.push(r.request().headers()['x-csrf-token']);
      const body = r.request().postDataJSON() as { code: string };
      if (body.code !== '123456')
        return r.fulfill({
          status: 400,
          json: { statusCode: 400, message: 'code', fields: [{ field: 'code', message: 'Codice errato' }] },
        });
      authenticated = true;
      return r.fulfill({ json: { authenticated: true, csrfToken: 'tok-1', citizen } });
    });
    await page.route('**/api/portal/v1/auth/logout', (r) => {
      csrf.push(r.request().headers()['x-csrf-token']);
      authenticated = false;
      return r.fulfill({ json: { redirectTo: '/' } });
    });

    await page.goto(`${t.url}/accedi?returnTo=%2Farea-personale`);
    await page.getByLabel('Indirizzo e-mail').fill('maria.rossi@example.it');
    await page.getByRole('button', { name: 'Invia il codice' }).click();
    await page.getByRole('alert').filter({ hasText: 'Troppi tentativi: riprova tra 30 secondi.' }).waitFor();
    await page.getByRole('button', { name: 'Invia il codice' }).click();
    await page.getByText('Abbiamo inviato un codice a maria.rossi@example.it').waitFor();
    await page.getByLabel('Codice ricevuto').fill('000000');
    await page.getByRole('button', { name: 'Accedi', exact: true }).click();
    await page.getByText('Codice errato').waitFor();
    await page.getByLabel('Codice ricevuto').fill('123456');
    await page.getByRole('button', { name: 'Accedi', exact: true }).click();
    await page.waitForURL(`${t.url}/area-personale`);
    await page.getByRole('heading', { level: 1, name: 'Area personale' }).waitFor();
    await page.getByText('RSSMRA80A41A662X').waitFor();
    await page.getByText('Livello 2 — SPID').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    const menu = page.getByRole('button', { name: 'Menu di Maria Rossi' });
    await menu.click();
    await expect(menu.getAttribute('aria-expanded')).resolves.toBe('true');
    await page.locator('#portal-user-menu').getByRole('link', { name: 'Area personale' }).waitFor();
    await page.locator('#portal-user-menu').getByRole('button', { name: 'Esci' }).click();
    await page.waitForURL(`${t.url}/`);
    await page.locator('.it-header-slim-wrapper').getByRole('link', { name: 'Accedi', exact: true }).waitFor();
    expect(csrf).toEqual(['tok-0', 'tok-0', 'tok-0', 'tok-0', 'tok-1']);
  });

  it('answers an unknown comune with the 404 page (HTTP 404 on a direct load), accessible', async () => {
    const page = await newPage();
    const res = await page.goto(`${t.url}/atlantide`);
    expect(res?.status()).toBe(404);
    await page.getByRole('heading', { level: 1, name: 'Pagina non trovata' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect((await page.goto(`${t.url}/atlantide/servizi`))?.status()).toBe(404);
    await page.getByRole('heading', { level: 1, name: 'Pagina non trovata' }).waitFor();
    await page.getByRole('link', { name: 'Torna alla home' }).click();
    await page.waitForURL(`${t.url}/`);
    await screenshot(page, 'portal-06-not-found');
  });

  it("lets Modugno's manager add a service in the console, which Modugno's portal page then lists", async () => {
    const page = await newPage();
    await page.goto(`${t.url}/console/`);
    await page.getByLabel('Indirizzo e-mail').fill('manager@modugno.demo');
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.getByRole('navigation', { name: 'Navigazione principale' }).getByRole('link', { name: 'Catalogo servizi' }).click();
    await page.getByRole('heading', { level: 1, name: 'Catalogo dei servizi' }).waitFor();
    // The Metropolitan City's entries are listed, not editable by a comune's manager.
    await page.getByText('gestito dalla Città Metropolitana').first().waitFor();
    await page.getByRole('button', { name: 'Nuovo servizio' }).click();
    await page.getByLabel('Titolo (italiano)').fill('Passi carrabili');
    await page.getByLabel('Area tematica').selectOption('mobility');
    await page.getByLabel('Indirizzo del servizio (https://…)').fill('http://www.comune.modugno.ba.it/passi-carrabili');
    await page.getByRole('button', { name: 'Salva' }).click();
    await page.getByText('deve essere un indirizzo https:// valido').waitFor();
    await expect(page.getByLabel('Indirizzo del servizio (https://…)').getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByLabel('Indirizzo del servizio (https://…)').fill('https://www.comune.modugno.ba.it/passi-carrabili');
    await page.getByRole('button', { name: 'Salva' }).click();
    await page.getByRole('status').filter({ hasText: 'Servizio salvato.' }).waitFor();
    await page.getByRole('button', { name: 'Modifica: Passi carrabili' }).waitFor();

    const portal = await newPage();
    await portal.goto(`${t.url}/modugno/servizi?q=carrabili`);
    await portal.locator('.portal-service .card-title', { hasText: 'Passi carrabili' }).waitFor();
    await expect(portal.locator('.portal-service .category').first().textContent()).resolves.toBe('Mobilità e trasporti');
    // Bari's page does not list it.
    await portal.goto(`${t.url}/bari/servizi?q=carrabili`);
    await portal.getByText('Nessun servizio corrisponde alla ricerca.').waitFor();
  });

  it('made every request to its own origin (fonts, icons, scripts, API): nothing from another site', () => {
    const origin = new URL(t.url).origin;
    expect(requested.length).toBeGreaterThan(50);
    const foreign = requested.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin);
    expect(foreign).toEqual([]);
    // The fonts and the sprite really came from here.
    expect(requested.some((u) => /\/_portal\/titillium-web-[^/]+\.woff2$/.test(u))).toBe(true);
    expect(requested.some((u) => /\/_portal\/sprites-[^/]+\.svg$/.test(u))).toBe(true);
  });
});
