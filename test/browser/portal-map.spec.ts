import { jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { DEMO_CITIZEN, DEMO_REPORTS, seedDemoReports } from '../../src/cli/demo-reports.js';
import { login, startApp, type TestApp } from '../support/harness.js';
import { launchChromium, screenshot, seriousA11yViolations } from './browser.js';

jest.setTimeout(120_000);

/** A 1×1 PNG: a photo the browser can draw. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const PHOTO_CITIZEN = { name: 'Carla Vitale', email: 'carla.vitale.mappa@esempio.it', phone: '333 7654321' };
const PHOTO_TEXT = 'Tombino divelto in Piazza Umberto, segnalato da Carla con il suo numero 333 7654321.';

/**
 * «Segnalazioni nel comune di Bari» in Chromium (the built portal, portal/dist) over the demo
 * reports: the map's markers and the list show the same reports, a filter narrows both (and the
 * address), nothing personal reaches the page or its API answers, a photo shows only once an
 * operator publishes it, axe is clean in both views, and the map and the toggle work by keyboard.
 */
describe('portal: the public map of reports in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let photoRef: string;
  let ticketId: string;
  const bari = DEMO_REPORTS.filter((r) => r.comune === 'bari');
  const personal = [
    ...bari.flatMap((r) => [r.name, r.email, r.text]),
    DEMO_CITIZEN.email,
    PHOTO_CITIZEN.name,
    PHOTO_CITIZEN.email,
    PHOTO_CITIZEN.phone,
    PHOTO_TEXT,
  ];

  beforeAll(async () => {
    [t, browser] = await Promise.all([startApp(), launchChromium()]);
    await seedDemoReports(t.ds);
    // A report with a photo, not published yet.
    const res = await t.http
      .post('/api/portal/v1/comuni/bari/reports')
      .field('submissionId', 'browser-map-photo-1')
      .field('category', 'fognature')
      .field('lat', '41.1259')
      .field('lon', '16.8687')
      .field('address', 'Piazza Umberto I, Bari')
      .field('description', PHOTO_TEXT)
      .field('name', PHOTO_CITIZEN.name)
      .field('email', PHOTO_CITIZEN.email)
      .field('phone', PHOTO_CITIZEN.phone)
      .field('privacyConsent', 'true')
      .attach('photos', PNG, 'tombino.png');
    expect(res.status).toBe(201);
    photoRef = res.body.reference;
    ticketId = (await t.ds.query(`SELECT id::text FROM tickets WHERE reference = $1`, [photoRef]))[0].id;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Every API answer the page reads, to look for personal data in them. */
  const recordApi = (page: Page): string[] => {
    const bodies: string[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/api/portal/'))
        void r.text().then(
          (b) => bodies.push(b),
          () => undefined,
        );
    });
    return bodies;
  };
  // Evaluated as source text: this project's tests are typed without the DOM library.
  const refsOf = (page: Page, selector: string) =>
    page.evaluate<string[]>(`[...document.querySelectorAll(${JSON.stringify(selector)})].map((e) => e.dataset.reference).sort()`);
  const markerRefs = (page: Page) => refsOf(page, '[data-testid="pmap-map"] .pmap-marker[data-reference]');
  const listRefs = (page: Page) => refsOf(page, '[data-testid="pmap-list"] li[data-reference]');
  const expectNothingPersonal = async (page: Page, bodies: string[]) => {
    const dom = await page.content();
    const found = personal.filter((p) => dom.includes(p) || bodies.some((b) => b.includes(p)));
    expect(found).toEqual([]);
  };

  it('shows the same reports on the map and in the list; a filter narrows both; nothing personal; axe-clean', async () => {
    const page = await browser.newPage();
    const bodies = recordApi(page);
    await page.goto(`${t.url}/bari/segnalazioni`);
    await page.getByRole('heading', { level: 1, name: 'Segnalazioni nel comune di Bari' }).waitFor();
    const all = [
      ...(
        await t.ds.query(`SELECT reference FROM tickets t JOIN comuni c ON c.id = t.comune_id WHERE c.slug = 'bari' AND t.type = 'report'`)
      ).map((r: any) => r.reference),
    ].sort();
    expect(all).toHaveLength(bari.length + 1);
    await page.getByText(`${all.length} segnalazioni sulla mappa`).waitFor();
    expect(await markerRefs(page)).toEqual(all);
    await page.getByRole('region', { name: 'Mappa delle segnalazioni' }).waitFor();
    await page.locator('.leaflet-overlay-pane path').first().waitFor(); // the comune's boundary
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'portal-map-01-map');

    await page.getByRole('button', { name: 'Elenco' }).click();
    await page.waitForURL(/vista=elenco/);
    await page.getByText(`${all.length} segnalazioni`, { exact: true }).waitFor();
    expect(await listRefs(page)).toEqual(all);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'portal-map-02-list');

    // Resolved only: the list, the address bar, then the map.
    await page.getByLabel('Stato').selectOption({ label: 'Risolta' });
    await page.waitForURL(/stato=risolte/);
    const resolved = (
      await t.ds.query(
        `SELECT reference FROM tickets t JOIN comuni c ON c.id = t.comune_id WHERE c.slug = 'bari' AND t.status = 'resolved'`,
      )
    )
      .map((r: any) => r.reference)
      .sort();
    expect(resolved).toHaveLength(bari.filter((r) => r.resolvedAfterDays !== undefined).length);
    await page.getByText(`${resolved.length} segnalazioni`, { exact: true }).waitFor();
    expect(await listRefs(page)).toEqual(resolved);
    expect(await page.locator('[data-testid="pmap-list"] .badge').allTextContents()).toEqual(resolved.map(() => 'Risolta'));
    await page.getByRole('button', { name: 'Mappa' }).click();
    await page.getByText(`${resolved.length} segnalazioni sulla mappa`).waitFor();
    expect(await markerRefs(page)).toEqual(resolved);
    // A category too: nothing resolved in «Fognature e tombini».
    await page.getByLabel('Categoria').selectOption({ label: 'Fognature e tombini' });
    await page.getByText('0 segnalazioni sulla mappa').waitFor();
    expect(await markerRefs(page)).toEqual([]);
    expect(page.url()).toMatch(/categoria=fognature/);

    // A shared address opens the same filtered view.
    const shared = await browser.newPage();
    await shared.goto(`${t.url}/bari/segnalazioni?stato=risolte&vista=elenco`);
    await shared.getByText(`${resolved.length} segnalazioni`, { exact: true }).waitFor();
    expect(await listRefs(shared)).toEqual(resolved);
    await shared.close();

    await expectNothingPersonal(page, bodies);
    expect(bodies.length).toBeGreaterThan(3);
    await page.close();
  });

  it('shows a photo only after an operator marks it publishable, with its alternative text', async () => {
    const page = await browser.newPage();
    const bodies = recordApi(page);
    await page.goto(`${t.url}/bari/segnalazioni?vista=elenco&categoria=fognature`);
    const item = page.locator(`li[data-reference="${photoRef}"]`);
    await item.waitFor();
    expect(await item.locator('img').count()).toBe(0);
    expect(await page.locator('img[src*="/api/portal/v1/attachments/"]').count()).toBe(0);

    const [attachment] = await t.ds.query(
      `SELECT a.id::text FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.ticket_id = $1`,
      [ticketId],
    );
    const sup = await login(t, 'supervisore@bari.demo');
    await t.http
      .patch(`/api/tickets/${ticketId}/attachments/${attachment.id}`)
      .set('Authorization', `Bearer ${sup}`)
      .send({ public: true })
      .expect(200);

    await page.reload();
    const img = item.getByRole('img', { name: 'Foto della segnalazione: Fognature e tombini, Piazza Umberto I, Bari' });
    await img.waitFor();
    // The photo is drawn (its bytes served to anyone), not a broken image.
    await page.waitForFunction(`(() => {
      const i = document.querySelector('li[data-reference="${photoRef}"] img');
      return Boolean(i && i.complete && i.naturalWidth > 0);
    })()`);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await expectNothingPersonal(page, bodies);
    await page.close();
  });

  it('shows the list twenty at a time: «Mostra altre segnalazioni» adds the next ones and moves the focus to the first added', async () => {
    const at = DEMO_REPORTS.find((r) => r.comune === 'monopoli')!;
    for (let i = 0; i < 21; i++) {
      await t.http
        .post('/api/portal/v1/comuni/monopoli/reports')
        .send({
          submissionId: `browser-map-page-${i}`,
          category: 'strade',
          lat: at.lat,
          lon: at.lng,
          address: `Via Roma ${i + 1}, Monopoli`,
          description: 'Buca sulla carreggiata.',
          email: `pagina${i}@esempio.it`,
          privacyConsent: true,
        })
        .expect(201);
    }
    const total = DEMO_REPORTS.filter((r) => r.comune === 'monopoli').length + 21;
    const page = await browser.newPage();
    await page.goto(`${t.url}/monopoli/segnalazioni?vista=elenco`);
    await page.getByText('20 segnalazioni mostrate, altre disponibili').waitFor();
    expect(await listRefs(page)).toHaveLength(20);
    await page.getByRole('button', { name: 'Mostra altre segnalazioni' }).click();
    await page.getByText(`${total} segnalazioni`, { exact: true }).waitFor();
    expect(new Set(await listRefs(page)).size).toBe(total);
    expect(await page.getByRole('button', { name: 'Mostra altre segnalazioni' }).count()).toBe(0);
    expect(await page.evaluate<string | null>(`document.activeElement.closest('li')?.dataset.reference ?? null`)).toBe(
      await page.evaluate<string>(`document.querySelectorAll('[data-testid="pmap-list"] li')[20].dataset.reference`),
    );
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });

  it('works by keyboard: the view toggle, a filter, a marker and its card', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.url}/bari/segnalazioni`);
    await page.getByText(/segnalazioni sulla mappa/).waitFor();
    // Tab to the first marker, Enter opens its card.
    const first = page.locator('[data-testid="pmap-map"] .pmap-marker[data-reference]').first();
    const name = (await first.getAttribute('aria-label'))!;
    expect(name).toMatch(/^[^,]+, (Ricevuta|In lavorazione|Risolta): /);
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate<boolean>(`document.activeElement?.classList.contains('pmap-marker') ?? false`);
    }
    expect(reached).toBe(true);
    const focused = await page.evaluate<string>(`document.activeElement.dataset.reference`);
    await page.keyboard.press('Enter');
    await page.locator('.leaflet-popup-content').getByText(`Codice: ${focused}`).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'portal-map-03-popup');

    // The toggle and a filter, by keyboard.
    await page.getByRole('button', { name: 'Elenco' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/vista=elenco/);
    await page.getByRole('button', { name: 'Elenco', pressed: true }).waitFor();
    await page.getByLabel('Categoria').focus();
    await page.keyboard.press('ArrowDown');
    await page.waitForURL(/categoria=/);
    const category = new URL(page.url()).searchParams.get('categoria');
    const expected = bari.filter((r) => r.category === category).length + (category === 'fognature' ? 1 : 0);
    await page.getByText(`${expected} segnalazioni`, { exact: true }).waitFor();
    await page.close();
  });
});
