import { EventEmitter } from 'node:events';
import { jest } from '@jest/globals';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { ChannelAccountsService } from '../../src/channels/accounts/channel-accounts.service.js';
import { WhatsappWebSessions } from '../../src/channels/whatsapp-web/wwebjs-sessions.js';
import { TelegramStandin } from '../channels/support/telegram-standin.js';
import { login, startApp, TEST_PASSWORD, type TestApp } from '../support/harness.js';
import { launchChromium, screenshot, seriousA11yViolations } from './browser.js';

/** Waits until the element's whole text is `text`: the list is reloaded after a save, not at once. */
async function hasExactText(l: Locator, text: string): Promise<void> {
  await l.filter({ hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).waitFor();
}

jest.setTimeout(120_000);

/** A whatsapp-web.js client made of loopback pieces: the test emits its events (no Chromium session, WHATSAPP_WEB_ENABLED=false). */
class LoopbackClient extends EventEmitter {
  async initialize(): Promise<void> {
    /* the browser part: not started here */
  }
  async sendMessage(): Promise<{ id: { _serialized: string } }> {
    return { id: { _serialized: 'unused' } };
  }
  async destroy(): Promise<void> {
    /* nothing to stop */
  }
}

/** Secrets the demo seed gives Bari's accounts: never in the console's pages nor in any answer it gets. */
const SEEDED_SECRETS = [
  'demo-whatsapp-access-token',
  'demo-whatsapp-app-secret',
  'demo-whatsapp-verify-token',
  '1000000001:demo-telegram-bot-token-replace-me',
  'demo-telegram-webhook-secret',
];

/** The Canali page: a comune's channel accounts, write-only secrets, field errors, WhatsApp Web pairing. */
describe('Canali page (channel accounts) in Chromium', () => {
  const BOT_TOKEN = '7000000099:AAH-canali-browser-test-token-xyz';
  const IMAP_PASSWORD = 'imap-password-segreta-42';
  let t: TestApp;
  let tg: TelegramStandin;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    tg = await new TelegramStandin(BOT_TOKEN, 'urp_bari_canali_bot').start();
    [t, browser] = await Promise.all([
      startApp({ TELEGRAM_API_ROOT: tg.url, PUBLIC_BASE_URL: 'https://urp.example.it', CHANNEL_ALLOW_PRIVATE_HOSTS: 'true' }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await browser?.close();
    await t?.close();
    await tg?.stop();
  });

  /** A signed-in page, with every answer the browser receives from the app kept for inspection. */
  async function signedIn(email: string): Promise<{ page: Page; bodies: () => Promise<string[]>; pairingRequests: number[] }> {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    contexts.push(ctx);
    const page = await ctx.newPage();
    page.on('pageerror', (err) => {
      throw err;
    });
    const pending: Array<Promise<string>> = [];
    const pairingRequests: number[] = [];
    page.on('request', (r) => {
      if (/\/api\/channel-accounts\/\d+\/pairing$/.test(r.url())) pairingRequests.push(Date.now());
    });
    page.on('response', (r) => {
      if (r.url().startsWith(t.url) && !/\.(png|woff2?)$/.test(r.url()))
        pending.push(
          r
            .body()
            .then((b) => b.toString('utf8'))
            .catch(() => ''),
        );
    });
    await page.goto(`${t.url}/console/`);
    await page.getByLabel('Indirizzo e-mail').fill(email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.getByRole('navigation', { name: 'Navigazione principale' }).waitFor();
    return { page, bodies: () => Promise.all(pending), pairingRequests };
  }

  const card = (page: Page, label: string) => page.getByRole('article', { name: label });
  const focusedId = (page: Page) => page.evaluate('document.activeElement?.id');

  it('lets Bari’s manager add a Telegram bot: the token is shown only as “impostato”, never sent back, and field errors sit by their input', async () => {
    const { page, bodies } = await signedIn('manager@bari.demo');
    await page.getByRole('link', { name: 'Canali' }).click();
    await page.getByRole('heading', { level: 1, name: 'Canali' }).waitFor();

    // The seeded accounts are listed with their settings; secrets only as set / not set.
    const wa = card(page, 'WhatsApp URP – Bari');
    await wa.waitFor();
    await hasExactText(wa.locator('[data-secret="accessToken"]'), 'impostato');
    await hasExactText(wa.locator('[data-setting="config.phoneNumberId"]'), '100000000000001');
    expect(await wa.getByTestId('webhook-url').textContent()).toMatch(/^https:\/\/urp\.example\.it\/webhooks\/whatsapp\/\d+$/);
    await wa.getByText('messages', { exact: true }).waitFor();
    await expect(card(page, 'WhatsApp Web URP – Bari').getByText('Nessuna credenziale per questo canale.').count()).resolves.toBe(1);
    await expect(page.getByTestId('contact-page').getAttribute('href')).resolves.toBe('/contatti/bari');

    // New Telegram account, saved without the token first: the API's error appears under the token input.
    await page.getByRole('button', { name: 'Nuovo account' }).click();
    await expect(focusedId(page)).resolves.toBe('account-form-title');
    await page.getByLabel('Canale', { exact: true }).selectOption({ label: 'Telegram' });
    await page.getByLabel(/^Nome dell’account/).fill('Bot URP – prova');
    await page.getByLabel(/^Nome utente del bot/).fill('urp_bari_canali_bot');
    await page.getByRole('button', { name: 'Genera un valore casuale' }).click();
    const webhookSecret = await page.getByLabel(/^Segreto del webhook/).inputValue();
    expect(webhookSecret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    await page.getByRole('button', { name: 'Crea l’account' }).click();
    const token = page.getByLabel(/^Token del bot/);
    await page.locator('#acc-secrets-botToken-error').filter({ hasText: 'Campo obbligatorio.' }).waitFor();
    await expect(token.getAttribute('aria-invalid')).resolves.toBe('true');
    expect((await token.getAttribute('aria-describedby'))!.split(' ')).toContain('acc-secrets-botToken-error');
    await expect(focusedId(page)).resolves.toBe('acc-secrets-botToken');
    await page.getByRole('alert').filter({ hasText: 'correggi i campi indicati' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('heading', { name: 'Nuovo account' }).scrollIntoViewIfNeeded();
    await screenshot(page, '08-channels-form-error');

    // A malformed token is refused with the rule, in Italian.
    await token.fill('not-a-token');
    await page.getByRole('button', { name: 'Crea l’account' }).click();
    await page.locator('#acc-secrets-botToken-error').filter({ hasText: 'Deve essere il token dato da @BotFather' }).waitFor();

    await token.fill(BOT_TOKEN);
    await page.getByRole('button', { name: 'Crea l’account' }).click();
    const notice = page.getByTestId('notice');
    await notice.getByText('Account «Bot URP – prova» creato.').waitFor();
    await notice.getByText(/webhook registrato presso Telegram \(https:\/\/urp\.example\.it\/webhooks\/telegram\/\d+\)/).waitFor();
    expect(await notice.getAttribute('aria-live')).toBe('polite');
    const bot = card(page, 'Bot URP – prova');
    await hasExactText(bot.locator('[data-secret="botToken"]'), 'impostato');
    await hasExactText(bot.locator('[data-secret="webhookSecret"]'), 'impostato');
    await hasExactText(bot.locator('[data-setting="config.botUsername"]'), 'urp_bari_canali_bot');
    await expect(page.evaluate('document.activeElement?.textContent')).resolves.toBe('Bot URP – prova');
    // Telegram was told the webhook with the generated secret.
    expect(TelegramStandin.params(tg.method('setWebhook').at(-1)!).secret_token).toBe(webhookSecret);

    // Edit: the label changes, the empty token keeps the stored one.
    await bot.getByRole('button', { name: 'Modifica Bot URP – prova' }).click();
    await expect(page.locator('[data-testid="secret-hint"]').first().textContent()).resolves.toBe(
      'Attualmente impostato: lascia vuoto per non cambiarlo.',
    );
    await expect(page.getByLabel(/^Token del bot/).inputValue()).resolves.toBe('');
    await page.getByLabel(/^Nome dell’account/).fill('Bot URP Bari');
    await page.getByRole('button', { name: 'Salva', exact: true }).click();
    await notice.getByText('Account «Bot URP Bari» salvato.').waitFor();
    const [row] = await t.ds.query(`SELECT id, secrets, enabled FROM channel_accounts WHERE label = 'Bot URP Bari'`);
    expect(row.secrets).toEqual({ botToken: BOT_TOKEN, webhookSecret });

    // Disable and enable again.
    const renamed = card(page, 'Bot URP Bari');
    await renamed.getByRole('button', { name: 'Disattiva Bot URP Bari' }).click();
    await renamed.getByTestId('enabled').filter({ hasText: 'Disattivato' }).waitFor();
    await notice.getByText('Account «Bot URP Bari» disattivato.').waitFor();
    expect((await t.ds.query(`SELECT enabled FROM channel_accounts WHERE id = $1`, [row.id]))[0].enabled).toBe(false);
    await renamed.getByRole('button', { name: 'Attiva Bot URP Bari' }).click();
    await renamed.getByTestId('enabled').filter({ hasText: 'Attivo' }).waitFor();

    // An e-mail account with a bad address: the error sits by the address input.
    await page.getByRole('button', { name: 'Nuovo account' }).click();
    await page.getByLabel('Canale', { exact: true }).selectOption({ label: 'E-mail / PEC' });
    await page.getByLabel(/^Nome dell’account/).fill('PEC protocollo');
    await page.getByLabel(/^Indirizzo della casella/).fill('protocollo-at-comune');
    await page.getByRole('button', { name: 'Crea l’account' }).click();
    const address = page.getByLabel(/^Indirizzo della casella/);
    await page.locator('#acc-config-address-error').filter({ hasText: 'Deve essere un indirizzo e-mail valido' }).waitFor();
    await expect(address.getAttribute('aria-invalid')).resolves.toBe('true');
    expect((await address.getAttribute('aria-describedby'))!.split(' ')).toContain('acc-config-address-error');
    await page.getByRole('button', { name: 'Annulla' }).click();
    await expect(focusedId(page)).resolves.toBe('account-new');

    // Bari's mailbox: IMAP reading turned on (settings and credentials), then off again (both removed).
    const mailbox = card(page, 'E-mail URP – Bari');
    await mailbox.getByRole('button', { name: 'Modifica E-mail URP – Bari' }).click();
    await page.getByLabel('Leggi la posta da una casella esistente (IMAP)').check();
    await page.getByLabel(/^Server IMAP/).fill('127.0.0.1');
    await page.getByLabel(/^Porta IMAP/).fill('9');
    await page.getByLabel(/^Utente IMAP/).fill('urp@bari.demo');
    await page.getByLabel(/^Password IMAP/).fill(IMAP_PASSWORD);
    await page.getByLabel(/^Server IMAP/).scrollIntoViewIfNeeded();
    await screenshot(page, '11-channels-mailbox-form');
    await page.getByRole('button', { name: 'Salva', exact: true }).click();
    await notice.getByText('Account «E-mail URP – Bari» salvato.').waitFor();
    await notice.getByText(/il canale non ha confermato: IMAP: impossibile collegarsi al server di posta/).waitFor();
    await hasExactText(mailbox.locator('[data-secret="imap"]'), 'impostato');
    await hasExactText(mailbox.locator('[data-setting="config.imap.host"]'), '127.0.0.1');
    const [mail] = await t.ds.query(`SELECT id, config, secrets FROM channel_accounts WHERE label = 'E-mail URP – Bari'`);
    expect(mail.config.imap).toEqual({ host: '127.0.0.1', port: 9, secure: true });
    expect(mail.secrets).toEqual({ imap: { user: 'urp@bari.demo', pass: IMAP_PASSWORD } });
    await mailbox.getByRole('button', { name: 'Modifica E-mail URP – Bari' }).click();
    await expect(page.getByLabel(/^Server IMAP/).inputValue()).resolves.toBe('127.0.0.1');
    await expect(page.getByLabel(/^Password IMAP/).inputValue()).resolves.toBe('');
    await page.getByLabel('Leggi la posta da una casella esistente (IMAP)').uncheck();
    await page.getByRole('button', { name: 'Salva', exact: true }).click();
    await mailbox.locator('[data-secret="imap"]').filter({ hasText: 'non impostato' }).waitFor();
    const [after] = await t.ds.query(`SELECT config, secrets FROM channel_accounts WHERE id = $1`, [mail.id]);
    expect(after.config).toEqual({
      address: 'urp@bari.demo',
      displayName: 'URP Comune di Bari',
      aliases: ['protocollo@bari.demo'],
      pec: false,
    });
    expect(after.secrets).toEqual({});

    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, '09-channels');

    // No secret anywhere: neither the page nor any answer the browser got.
    const html = await page.content();
    const answers = await bodies();
    expect(answers.some((b) => b.includes('"secretsSet"'))).toBe(true);
    for (const secret of [BOT_TOKEN, webhookSecret, IMAP_PASSWORD, ...SEEDED_SECRETS]) {
      expect(html.includes(secret)).toBe(false);
      expect(answers.filter((b) => b.includes(secret))).toEqual([]);
    }

    // English is available.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();
    await hasExactText(card(page, 'Bot URP Bari').locator('[data-secret="botToken"]'), 'set');
    await page.getByRole('button', { name: 'Italiano' }).click();
  });

  it('is not offered to operators nor supervisors, and the API refuses them', async () => {
    for (const email of ['operatore@bari.demo', 'supervisore@bari.demo']) {
      const { page } = await signedIn(email);
      await expect(page.getByRole('link', { name: 'Canali' }).count()).resolves.toBe(0);
      // Typed by hand, the address falls back to the first page.
      await page.goto(`${t.url}/console/channels`);
      await page.getByRole('navigation', { name: 'Navigazione principale' }).waitFor();
      await page.waitForURL(/\/console\/inbox/);
      const token = await login(t, email);
      expect((await t.http.get('/api/channel-accounts').set('Authorization', `Bearer ${token}`)).status).toBe(403);
    }
  });

  it('lets the metropolitan admin pick the comune', async () => {
    const { page } = await signedIn('admin@metro.demo');
    await page.getByRole('link', { name: 'Canali' }).click();
    await page.getByText('Scegli il comune di cui configurare i canali.').waitFor();
    await page.getByLabel('Comune', { exact: true }).selectOption({ label: 'Modugno' });
    await page.getByText('Nessun account configurato.').waitFor();
    await expect(page.getByTestId('contact-page').getAttribute('href')).resolves.toBe('/contatti/modugno');
    await page.getByLabel('Comune', { exact: true }).selectOption({ label: 'Bari' });
    await card(page, 'Telegram URP – Bari').waitFor();
    await hasExactText(card(page, 'Telegram URP – Bari').locator('[data-secret="botToken"]'), 'impostato');
  });

  it('pairs a WhatsApp Web number: the QR code while pairing, then “collegato”; polling stops when the panel closes', async () => {
    const { page, pairingRequests } = await signedIn('manager@bari.demo');
    await page.getByRole('link', { name: 'Canali' }).click();
    await page.getByRole('button', { name: 'Nuovo account' }).click();
    await page.getByLabel('Canale', { exact: true }).selectOption({ label: 'WhatsApp Web' });
    await page.getByLabel(/^Nome dell’account/).fill('WhatsApp sportello anagrafe');
    await page.getByLabel(/^Numero WhatsApp da collegare/).fill('+39 080 5771199');
    await page.getByRole('button', { name: 'Crea l’account' }).click();
    const wweb = card(page, 'WhatsApp sportello anagrafe');
    await wweb.waitFor();
    const id = Number(await wweb.getAttribute('data-account-id'));

    // The session's client, on loopback pieces, as the worker would drive it.
    const client = new LoopbackClient();
    const account = (await t.app.get(ChannelAccountsService).load(id, 'whatsapp-web'))!;
    t.app.get(WhatsappWebSessions).attach(account, client, (m, d, f) => ({ m, d, f }));

    const toggle = wweb.getByRole('button', { name: 'Collegamento WhatsApp sportello anagrafe' });
    await toggle.click();
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('true');
    const panel = wweb.getByRole('region', { name: 'Collegamento di WhatsApp Web' });
    const state = panel.getByTestId('pairing-state');
    await state.filter({ hasText: 'Sessione non avviata' }).waitFor();
    expect(await panel.getByRole('status').getAttribute('aria-live')).toBe('polite');

    client.emit('qr', '2@Xq8YbZc1,Kp0Lm3Nn4Oo5Pp6Qq7Rr8Ss9Tt0Uu=,AbCdEfGh=,IjKlMnOp=');
    const qr = panel.getByRole('img', { name: 'Codice QR da inquadrare con WhatsApp sul telefono del numero +39 080 5771199' });
    await qr.waitFor({ timeout: 10_000 });
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    expect(await qr.evaluate((img: any) => img.complete && img.naturalWidth > 0)).toBe(true);
    await panel.getByText('Apri WhatsApp › Dispositivi collegati › Collega un dispositivo e inquadra il codice').waitFor();
    await state.filter({ hasText: 'In attesa del collegamento' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, '10-channels-pairing');

    client.emit('authenticated');
    client.emit('ready');
    await state.filter({ hasText: 'WhatsApp collegato' }).waitFor({ timeout: 10_000 });
    await expect(qr.count()).resolves.toBe(0);

    client.emit('disconnected', 'LOGOUT');
    await state.filter({ hasText: 'WhatsApp scollegato' }).waitFor({ timeout: 10_000 });
    await panel.getByText('Dettaglio: LOGOUT').waitFor();
    client.emit('auth_failure', 'session refused');
    await state.filter({ hasText: 'Collegamento non riuscito' }).waitFor({ timeout: 10_000 });

    // Polled every 2–3 s while open; nothing more once closed.
    expect(pairingRequests.length).toBeGreaterThanOrEqual(3);
    const gaps = pairingRequests.slice(1).map((at, i) => at - pairingRequests[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(2000);
    await panel.getByRole('button', { name: 'Chiudi il collegamento' }).click();
    await expect(panel.count()).resolves.toBe(0);
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('false');
    await expect(focusedId(page)).resolves.toBe(`account-${id}-pairing-toggle`);
    const closedAt = pairingRequests.length;
    await new Promise((r) => setTimeout(r, 6000));
    expect(pairingRequests.length).toBe(closedAt);
  });
});
