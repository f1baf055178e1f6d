import { jest } from '@jest/globals';
import { createServer } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { startDevIdp, type DevIdp } from '../../src/portal/dev-idp/dev-idp.js';
import { TEST_CITIZENS } from '../../src/portal/dev-idp/test-citizens.js';
import { login, startApp, type TestApp } from '../support/harness.js';
import { TelegramStandin } from '../channels/support/telegram-standin.js';
import { CLIENT } from '../portal/support.js';
import { launchChromium, screenshot, seriousA11yViolations } from './browser.js';

jest.setTimeout(150_000);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const TOKEN = '7123456789:AAH-test-token-for-the-browser-settings';
const SECRET = 'sportello-telegram-webhook-secret-browser-settings';

/**
 * The personal area's settings in Chromium (the built portal): Maria signs in with SPID, goes by
 * keyboard to «Canali collegati», links her Telegram chat by the code the page shows (the
 * «COLLEGA <code>» message through the real Telegram webhook, a stand-in Bot API), chooses Telegram
 * for updates in «Notifiche», and withdraws a consent in «Consensi». Every page passes axe.
 */
describe('portal: the personal area’s settings in Chromium', () => {
  let t: TestApp;
  let idp: DevIdp;
  let tg: TelegramStandin;
  let browser: Browser;
  let botAccount: number;
  const maria = TEST_CITIZENS.find((c) => c.id === 'maria-rossi')!;

  beforeAll(async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    tg = await new TelegramStandin(TOKEN).start();
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
      TELEGRAM_API_ROOT: tg.url,
    });
    // Bari's bot is the stand-in's (the demo bot has placeholder credentials).
    const manager = await login(t, 'manager@bari.demo');
    const [demo] = await t.ds.query(
      `SELECT a.id FROM channel_accounts a JOIN comuni c ON c.id = a.comune_id WHERE c.slug = 'bari' AND a.channel = 'telegram'`,
    );
    if (demo) await t.http.delete(`/api/channel-accounts/${demo.id}`).set('Authorization', `Bearer ${manager}`);
    const created = await t.http
      .post('/api/channel-accounts')
      .set('Authorization', `Bearer ${manager}`)
      .send({
        channel: 'telegram',
        label: 'Bot URP Bari',
        config: { botUsername: 'urp_bari_browser_bot' },
        secrets: { botToken: TOKEN, webhookSecret: SECRET },
      });
    expect(created.status).toBe(201);
    botAccount = created.body.id;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await idp?.stop();
    await tg?.stop();
  });

  /** Follows a link of the personal area's navigation by keyboard. */
  const goByKeyboard = async (page: Page, name: string, path: string) => {
    await page.getByRole('navigation', { name: 'Sezioni dell’area personale' }).getByRole('link', { name, exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`${t.url}${path}`);
    await page.getByRole('heading', { level: 1, name }).waitFor();
  };

  it('links Telegram by code, chooses it for updates, withdraws a consent; keyboard only, axe-clean', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${t.url}/accedi?returnTo=%2Farea-personale`);
    await page.getByRole('link', { name: 'Entra con SPID' }).click();
    await page.waitForURL((u) => u.href.startsWith(idp.issuer));
    await page.getByLabel(new RegExp(`${maria.givenName} ${maria.familyName}`)).check();
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.waitForURL(`${t.url}/area-personale`);
    await page.getByRole('heading', { level: 1, name: 'Area personale' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    // «Canali collegati»: none yet; Telegram chosen with the arrow keys, the code and where to send it.
    await goByKeyboard(page, 'Canali collegati', '/area-personale/canali');
    await page.getByText('Nessun canale collegato.').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('radio', { name: 'WhatsApp' }).focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.getByRole('radio', { name: 'Telegram' }).isChecked()).toBe(true);
    await page.getByText('al bot Telegram @urp_bari_browser_bot del Comune di Bari').waitFor();
    await page.getByRole('button', { name: 'Ottieni il codice' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Il tuo codice di collegamento' }).waitFor();
    const shown = await page.getByText(/^COLLEGA \d{6}$/).textContent();
    const code = /\d{6}/.exec(shown ?? '')![0];
    await page.getByRole('link', { name: /Apri il bot su Telegram/ }).waitFor();
    expect(await page.getByRole('link', { name: /Apri il bot su Telegram/ }).getAttribute('href')).toBe(
      'https://t.me/urp_bari_browser_bot',
    );
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'portal-settings-01-code');

    // Maria sends the code from her Telegram chat: the page notices the link by itself.
    const answered = tg.next((r) => r.path.endsWith('/sendMessage') && String(TelegramStandin.params(r).chat_id) === '7301');
    const res = await t.http
      .post(`/webhooks/telegram/${botAccount}`)
      .set('Content-Type', 'application/json')
      .set('X-Telegram-Bot-Api-Secret-Token', SECRET)
      .send(
        JSON.stringify({
          update_id: 31001,
          message: {
            message_id: 1,
            from: { id: 7301, is_bot: false, first_name: 'Maria' },
            chat: { id: 7301, first_name: 'Maria', type: 'private' },
            date: Math.floor(Date.now() / 1000),
            text: `COLLEGA ${code}`,
          },
        }),
      );
    expect(res.status).toBe(200);
    await answered;
    await page
      .getByRole('status')
      .filter({ hasText: 'Collegamento riuscito: Telegram chat Telegram ••• 301.' })
      .waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Scollega Telegram chat Telegram ••• 301' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'portal-settings-02-linked');

    // «Notifiche»: WhatsApp not linked (disabled), IO not available; Telegram for updates.
    await goByKeyboard(page, 'Notifiche', '/area-personale/notifiche');
    const updates = page.getByRole('group', { name: 'Aggiornamenti sulle mie richieste' });
    expect(await updates.getByRole('radio', { name: /^WhatsApp/ }).isDisabled()).toBe(true);
    expect(await updates.getByRole('radio', { name: /^App IO/ }).isDisabled()).toBe(true);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await updates.getByRole('radio', { name: 'Telegram (chat Telegram ••• 301)' }).focus();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Salva le preferenze' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Preferenze salvate.' }).waitFor();
    const prefs = await t.ds.query(
      `SELECT p.purpose, p.channel FROM citizen_notification_preferences p JOIN citizen_accounts a ON a.id = p.account_id WHERE a.fiscal_code = $1`,
      [maria.fiscalCode],
    );
    expect(prefs).toEqual([{ purpose: 'updates', channel: 'telegram' }]);
    await page.reload();
    expect(await updates.getByRole('radio', { name: 'Telegram (chat Telegram ••• 301)' }).isChecked()).toBe(true);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'portal-settings-03-notifications');

    // A request to Bari sent while logged in: its consents (privacy notice, updates by e-mail) are hers.
    const reference = await page.evaluate(async (email) => {
      const s = (await (await fetch('/api/portal/v1/session')).json()) as { csrfToken: string };
      const res = await fetch('/api/portal/v1/comuni/bari/requests', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken },
        body: JSON.stringify({
          submissionId: 'browser-settings-1',
          category: 'tributi',
          description: 'Quando scade la seconda rata della TARI?',
          email,
          privacyConsent: true,
        }),
      });
      return ((await res.json()) as { reference: string }).reference;
    }, maria.email);

    // «Consensi»: the two consents of her request; the consent to updates withdrawn after a confirmation.
    await goByKeyboard(page, 'Consensi', '/area-personale/consensi');
    await page.getByText('Informativa privacy — Comune di Bari').waitFor();
    await page.getByText('Ricevere aggiornamenti — Comune di Bari').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('button', { name: /^Revoca: Ricevere aggiornamenti, Comune di Bari/ }).focus();
    await page.keyboard.press('Enter');
    // The confirmation takes the focus: Enter confirms.
    await page.getByRole('button', { name: 'Sì, revoca' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sì, revoca' }).evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .filter({ hasText: /Consenso revocato il .* \(Comune di Bari\)\./ })
      .waitFor();
    await page.getByText('Revocato', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: /^Revoca:/ }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'portal-settings-04-consents');
    const rows = await t.ds.query(
      `SELECT k.granted, k.source FROM citizen_consents k JOIN tickets t ON t.id = k.ticket_id
        WHERE t.reference = $1 AND k.purpose = 'updates' ORDER BY k.id`,
      [reference],
    );
    expect(rows).toEqual([
      { granted: true, source: 'portal' },
      { granted: false, source: 'area-personale' },
    ]);
    await ctx.close();
  });
});
