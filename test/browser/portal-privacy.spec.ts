import { jest } from '@jest/globals';
import { createServer } from 'node:net';
import type { Browser } from 'playwright-core';
import { startDevIdp, type DevIdp } from '../../src/portal/dev-idp/dev-idp.js';
import { TEST_CITIZENS } from '../../src/portal/dev-idp/test-citizens.js';
import { startApp, type TestApp } from '../support/harness.js';
import { CLIENT } from '../portal/support.js';
import { launchChromium, screenshot, seriousA11yViolations } from './browser.js';

jest.setTimeout(120_000);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * «I miei dati e la privacy» in Chromium (the built portal, portal/dist): Maria signs in with SPID,
 * sends a request, opens the privacy page (axe-clean), downloads her data as a JSON file, and asks
 * for erasure: the confirmation says it is recorded, and she is signed out.
 */
describe('portal: «I miei dati e la privacy» in Chromium', () => {
  let t: TestApp;
  let idp: DevIdp;
  let browser: Browser;
  const maria = TEST_CITIZENS.find((c) => c.id === 'maria-rossi')!;

  beforeAll(async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    [idp, browser] = await Promise.all([
      startDevIdp({
        nodeEnv: 'test',
        clients: [{ ...CLIENT, redirectUris: [`${base}/api/portal/v1/auth/oidc/callback`], postLogoutRedirectUris: [`${base}/`] }],
      }),
      launchChromium(),
    ]);
    t = await startApp({
      PORT: String(port),
      PUBLIC_BASE_URL: base,
      PORTAL_OIDC_ISSUER: idp.issuer,
      PORTAL_OIDC_CLIENT_ID: CLIENT.clientId,
      PORTAL_OIDC_CLIENT_SECRET: CLIENT.clientSecret,
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await idp?.stop();
  });

  it('shows her data grouped, downloads the JSON, and confirms the erasure request; axe-clean', async () => {
    const ctx = await browser.newContext({ acceptDownloads: true });
    const page = await ctx.newPage();
    await page.goto(`${t.url}/accedi?returnTo=%2Farea-personale%2Fprivacy`);
    await page.getByRole('link', { name: 'Entra con SPID' }).click();
    await page.waitForURL((u) => u.href.startsWith(idp.issuer));
    await page.getByLabel(new RegExp(`${maria.givenName} ${maria.familyName}`)).check();
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.waitForURL(`${t.url}/area-personale/privacy`);
    const reference = await page.evaluate(async (email) => {
      const s = (await (await fetch('/api/portal/v1/session')).json()) as { csrfToken: string };
      const res = await fetch('/api/portal/v1/comuni/bari/requests', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken },
        body: JSON.stringify({
          submissionId: 'browser-privacy-1',
          category: 'tributi',
          description: 'Informazioni sulla TARI',
          email,
          privacyConsent: true,
        }),
      });
      return ((await res.json()) as { reference: string }).reference;
    }, maria.email);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'I miei dati e la privacy' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Pratiche e conversazioni' }).waitFor();
    await page.getByRole('heading', { level: 3, name: new RegExp(reference) }).waitFor();
    await page.getByText(maria.fiscalCode).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'portal-privacy-01-page');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Scarica i miei dati (JSON)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^sportello-dati-\d{4}-\d{2}-\d{2}\.json$/);
    const json = JSON.parse(await new Response((await download.createReadStream()) as any).text());
    expect(json.cases.map((c: any) => c.reference)).toEqual([reference]);

    // Erasure: without the checkbox, told to tick it; with it, recorded and signed out.
    await page.getByRole('button', { name: 'Chiedi la cancellazione' }).click();
    await page.getByRole('alert').filter({ hasText: 'Spunta la casella per confermare.' }).waitFor();
    await page.getByText('Le pratiche ancora aperte restano come sono').waitFor();
    // Bootstrap Italia draws the checkbox on its label: the citizen clicks the label.
    await page.locator('label[for="erasure-confirm"]').click();
    expect(await page.getByLabel(/voglio cancellare il mio account/).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Chiedi la cancellazione' }).click();
    await page.getByRole('status').filter({ hasText: 'Richiesta registrata' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'portal-privacy-02-erasure');
    const s = await page.evaluate(
      async () => ((await (await fetch('/api/portal/v1/session')).json()) as { authenticated: boolean }).authenticated,
    );
    expect(s).toBe(false);
    await ctx.close();
  });
});
