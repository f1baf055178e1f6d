import { jest } from '@jest/globals';
import { createServer } from 'node:net';
import type { Browser } from 'playwright-core';
import { startDevIdp, type DevIdp } from '../../src/portal/dev-idp/dev-idp.js';
import { TEST_CITIZENS } from '../../src/portal/dev-idp/test-citizens.js';
import { startApp, type TestApp } from '../support/harness.js';
import { CLIENT } from '../portal/support.js';
import { launchChromium, screenshot, seriousA11yViolations } from './browser.js';

jest.setTimeout(120_000);

/** A loopback port nobody listens on now (the app takes it right after). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The whole sign-in as a citizen does it, in Debian's Chromium: the portal's SPID button, the
 * identity gateway (the development provider, oidc-provider, on loopback), back to the portal
 * signed in, the personal area, and out again at the gateway too. No stand-in in the page: the
 * app's real identity routes, openid-client, sessions and CSRF.
 */
describe('portal sign-in with SPID and CIE in Chromium', () => {
  let t: TestApp;
  let idp: DevIdp;
  let browser: Browser;
  const maria = TEST_CITIZENS.find((c) => c.id === 'maria-rossi')!;
  const nicola = TEST_CITIZENS.find((c) => c.id === 'nicola-de-santis')!;

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
    expect(t.url).toBe(base);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await idp?.stop();
  });

  it('signs Maria in with SPID from Modugno’s page, shows her personal area, and signs her out at the gateway too', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await ctx.newPage();
    await page.goto(`${t.url}/modugno`);
    await page.getByRole('link', { name: 'Accedi' }).first().click();
    await page.waitForURL(/\/accedi\?returnTo=/);
    await page.getByRole('link', { name: 'Entra con SPID' }).click();

    // The gateway's page (another origin): pick the test citizen, confirm.
    await page.waitForURL((u) => u.origin === idp.issuer.replace(/\/$/, '') || u.href.startsWith(idp.issuer));
    await page.getByLabel(new RegExp(`${maria.givenName} ${maria.familyName}`)).check();
    await page.getByRole('button', { name: 'Accedi' }).click();

    // Back on the portal where she started, signed in.
    await page.waitForURL(`${t.url}/modugno`);
    await page.getByRole('button', { name: /Maria Rossi/ }).waitFor();
    await page.goto(`${t.url}/area-personale`);
    await page.getByRole('heading', { level: 1, name: 'Area personale' }).waitFor();
    await page.getByText(maria.fiscalCode).waitFor();
    await page.getByText('Livello 2 — SPID').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'portal-login-01-area-personale');

    const cookies = await ctx.cookies(t.url);
    const session = cookies.find((c) => c.name === 'sportello_citizen');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    const [account] = await t.ds.query(`SELECT assurance, level FROM citizen_accounts WHERE fiscal_code = $1`, [maria.fiscalCode]);
    expect(account).toEqual({ assurance: 'spid', level: 2 });

    // "Esci": the portal's session ends and the gateway's too, then the browser is back home.
    await page.getByRole('button', { name: 'Esci' }).first().click();
    await page.waitForURL((u) => u.href.startsWith(idp.issuer) || u.href === `${t.url}/`);
    if (page.url().startsWith(idp.issuer)) {
      // oidc-provider asks to confirm the logout (RP-initiated logout).
      await page.getByRole('button', { name: 'Esci' }).click();
      await page.waitForURL(`${t.url}/`);
    }
    await page.getByRole('link', { name: 'Accedi' }).first().waitFor();
    const after = await page.evaluate(() => fetch('/api/portal/v1/session').then((r) => r.json() as Promise<{ authenticated: boolean }>));
    expect(after.authenticated).toBe(false);
    await ctx.close();
  });

  it('signs Nicola in with CIE at level 3; a cancelled login comes back with an Italian message', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${t.url}/accedi`);
    await page.getByRole('link', { name: 'Entra con CIE' }).click();
    await page.waitForURL((u) => u.href.startsWith(idp.issuer));
    await page.getByLabel(new RegExp(`${nicola.givenName} ${nicola.familyName}`)).check();
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.waitForURL(`${t.url}/area-personale`);
    await page.getByText(nicola.fiscalCode).waitFor();
    await page.getByText('Livello 3 — CIE').waitFor();

    // A second browser cancels at the gateway.
    const other = await browser.newContext();
    const p2 = await other.newPage();
    await p2.goto(`${t.url}/accedi`);
    await p2.getByRole('link', { name: 'Entra con SPID' }).click();
    await p2.waitForURL((u) => u.href.startsWith(idp.issuer));
    await p2.getByRole('button', { name: 'Annulla' }).click();
    await p2.waitForURL(/\/accedi\?errore=annullato/);
    await p2.getByRole('alert').filter({ hasText: 'Accesso annullato' }).waitFor();
    expect(await seriousA11yViolations(p2)).toEqual([]);
    await Promise.all([ctx.close(), other.close()]);
  });
});
