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
 * «Le mie richieste» in Chromium (the built portal, portal/dist): Maria signs in with SPID, sees the
 * empty state, sends a request while logged in, finds it in her personal area, opens it and replies.
 * Each page passes axe (serious and critical WCAG A/AA rules).
 */
describe('portal: «Le mie richieste» in Chromium', () => {
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

  it('lists her cases with comune and state, opens one, and sends a reply; axe-clean', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${t.url}/accedi?returnTo=%2Farea-personale`);
    await page.getByRole('link', { name: 'Entra con SPID' }).click();
    await page.waitForURL((u) => u.href.startsWith(idp.issuer));
    await page.getByLabel(new RegExp(`${maria.givenName} ${maria.familyName}`)).check();
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.waitForURL(`${t.url}/area-personale`);
    await page.getByRole('heading', { level: 2, name: 'Le mie richieste' }).waitFor();
    await page.getByText('Non ci sono ancora richieste').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    // A request sent from the portal while logged in (the form's call: session cookie and CSRF token).
    const reference = await page.evaluate(async (email) => {
      const s = (await (await fetch('/api/portal/v1/session')).json()) as { csrfToken: string };
      const res = await fetch('/api/portal/v1/comuni/modugno/requests', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken },
        body: JSON.stringify({
          submissionId: 'browser-mine-1',
          category: 'tributi',
          description: 'Come si paga la TARI a rate?',
          email,
          privacyConsent: true,
        }),
      });
      return ((await res.json()) as { reference: string }).reference;
    }, maria.email);
    expect(reference).toMatch(/^[A-Z]+-\d{4}-\d+$/);

    await page.reload();
    const table = page.getByRole('table', { name: 'Le mie richieste' });
    await table.waitFor();
    const row = table.getByRole('row').filter({ hasText: reference });
    await row.getByRole('cell', { name: 'Modugno' }).waitFor();
    await row.getByText('Ricevuta').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'portal-my-cases-01-list');

    await row.getByRole('link', { name: `Apri la pratica ${reference}` }).click();
    await page.waitForURL(`${t.url}/area-personale/richieste/${reference}`);
    await page.getByRole('heading', { level: 2, name: 'Conversazione' }).waitFor();
    await page.getByText('Come si paga la TARI a rate?').first().waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByLabel('Il tuo messaggio').fill('Posso pagare anche con PagoPA?');
    await page.getByRole('button', { name: 'Invia' }).click();
    await page.getByRole('status').filter({ hasText: 'Messaggio inviato.' }).waitFor();
    await page.getByText('Posso pagare anche con PagoPA?').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'portal-my-cases-02-case');

    // A direct load of the case page serves the app.
    const direct = await ctx.newPage();
    await direct.goto(`${t.url}/area-personale/richieste/${reference}`);
    await direct.getByText('Posso pagare anche con PagoPA?').waitFor();
    await ctx.close();
  });
});
