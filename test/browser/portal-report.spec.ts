import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startDevIdp, type DevIdp } from '../../src/portal/dev-idp/dev-idp.js';
import { TEST_CITIZENS } from '../../src/portal/dev-idp/test-citizens.js';
import { startSmtpSink, type SmtpSink } from '../channels/email/mail-standins.js';
import { login, startApp, type TestApp } from '../support/harness.js';
import { CLIENT } from '../portal/support.js';
import { launchChromium, screenshot, seriousA11yViolations } from './browser.js';

jest.setTimeout(180_000);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A PNG by its bytes (the server checks the signature, not the picture). */
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(200)]);
const REFERENCE = /^[A-Z]{2,4}-\d{4}-\d{6,}$/;

/**
 * «Segnala un disservizio» and «Richiedi assistenza» in Chromium (the built portal): an anonymous
 * report with a pin placed by keyboard and a photo, its code, its e-mail summary and the service's
 * rating; a second citizen who follows the nearby report instead of sending a new one, after
 * resuming a draft; the case page by code and e-mail with a reply; the unfollow link of the
 * follower's e-mail; a SPID citizen's request whose session expires before sending, kept as a draft
 * across the new login, ending in «Le mie richieste». Every step passes axe.
 */
describe('portal: the report and request flows in Chromium', () => {
  let t: TestApp;
  let idp: DevIdp;
  let sink: SmtpSink;
  let browser: Browser;
  const maria = TEST_CITIZENS.find((c) => c.id === 'maria-rossi')!;
  const tag = randomBytes(3).toString('hex');
  const reporter = `giulia.${tag}@esempio.it`;
  const neighbour = `paolo.${tag}@esempio.it`;
  let reference = '';

  beforeAll(async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    [idp, browser, sink] = await Promise.all([
      startDevIdp({
        nodeEnv: 'test',
        clients: [{ ...CLIENT, redirectUris: [`${base}/api/portal/v1/auth/oidc/callback`], postLogoutRedirectUris: [`${base}/`] }],
      }),
      launchChromium(),
      startSmtpSink(),
    ]);
    t = await startApp({
      PORT: String(port),
      PUBLIC_BASE_URL: base,
      PORTAL_OIDC_ISSUER: idp.issuer,
      PORTAL_OIDC_CLIENT_ID: CLIENT.clientId,
      PORTAL_OIDC_CLIENT_SECRET: CLIENT.clientSecret,
      CHANNEL_NOTIFY_POLL_MS: '100',
      EMAIL_SMTP_ENABLED: 'true',
      EMAIL_SMTP_PORT: '0',
      EMAIL_DEFAULT_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
    });
    // Modugno's URP mailbox: the summaries and the followers' notices leave from it.
    const manager = await login(t, 'manager@modugno.demo');
    await t.http
      .post('/api/channel-accounts')
      .set('Authorization', `Bearer ${manager}`)
      .send({ channel: 'email', label: 'URP Modugno', config: { address: 'urp@modugno.demo' } })
      .expect(201);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await idp?.stop();
    await sink?.close();
  });

  const axe = async (page: Page) => expect(await seriousA11yViolations(page)).toEqual([]);
  const next = (page: Page) => page.getByRole('button', { name: 'Avanti', exact: true }).click();
  const stepHeading = (page: Page, name: string) => page.getByRole('heading', { level: 2, name, exact: true }).waitFor();
  const errorSummary = (page: Page) => page.getByRole('alert').filter({ hasText: 'Controlla questi campi' });
  const mapOf = (page: Page) => page.getByRole('region', { name: 'Mappa del Comune: posizione del disservizio' });

  /** Bootstrap Italia draws checkboxes and radios on their labels: a person clicks the label. */
  async function tick(page: Page, label: string) {
    await page.locator('label', { hasText: label }).click();
    expect(await page.getByLabel(label).isChecked()).toBe(true);
  }

  async function consent(page: Page) {
    await stepHeading(page, 'Informativa sulla privacy');
    await tick(page, 'Ho letto e compreso l’informativa sulla privacy');
    await next(page);
  }

  it('takes an anonymous report: pin by keyboard, one photo, summary, code, e-mail summary, rating', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${t.url}/modugno`);
    await page.getByRole('link', { name: 'Segnala un disservizio', exact: true }).click();
    await page.waitForURL(`${t.url}/modugno/segnala`);
    await page.getByRole('heading', { level: 1, name: 'Segnala un disservizio' }).waitFor();
    await page.getByRole('navigation', { name: 'Passaggi del modulo' }).getByText('Luogo').waitFor();

    // Step 1: without the consent the error names the field, in Italian.
    await next(page);
    await errorSummary(page).getByText('Ho letto e compreso l’informativa sulla privacy: per procedere occorre').waitFor();
    await axe(page);
    await consent(page);

    // Step 2: the pin by keyboard; a point outside Modugno is refused with a message.
    await stepHeading(page, 'Luogo');
    const map = mapOf(page);
    await map.waitFor();
    await map.focus();
    await page.keyboard.press('ArrowRight');
    const status = page.getByTestId('place-status');
    await status.getByText(/^Punto scelto: 41\.\d+, 16\.\d+$/).waitFor();
    const box = (await map.boundingBox())!;
    await map.click({ position: { x: box.width - 4, y: 4 } });
    await status.getByText('Il punto scelto è fuori dal territorio del Comune di Modugno').waitFor();
    await map.focus();
    await page.keyboard.press('ArrowUp');
    await status.getByText(/^Punto scelto:/).waitFor();
    await page.getByLabel('Indirizzo o luogo').fill('Via Roma 10');
    await axe(page);
    await screenshot(page, 'portal-report-01-place');
    await next(page);

    // Step 3: the errors name the fields; then category, title, description and one photo.
    await stepHeading(page, 'Dettagli');
    await next(page);
    const errors = errorSummary(page);
    await errors.getByText('Categoria del disservizio: è obbligatorio').waitFor();
    await errors.getByText('Titolo: è obbligatorio').waitFor();
    await errors.getByText('Descrizione: è obbligatorio').waitFor();
    await axe(page);
    await page.getByLabel('Categoria del disservizio').selectOption('strade');
    await page.getByLabel('Titolo').fill('Buca in via Roma');
    await page.getByLabel('Descrizione').fill('Buca profonda davanti al civico 10, pericolosa per i motorini.');
    await page.getByLabel('Foto (facoltative)').setInputFiles({ name: 'buca.txt', mimeType: 'text/plain', buffer: Buffer.from('no') });
    await page.getByText('«buca.txt» non è una foto JPEG, PNG o WebP').first().waitFor();
    await page.getByLabel('Foto (facoltative)').setInputFiles({ name: 'buca.png', mimeType: 'image/png', buffer: PNG });
    await page
      .getByRole('list', { name: 'Foto (facoltative)' })
      .getByText(/^buca\.png \(/)
      .waitFor();
    await axe(page);
    await next(page);

    // Step 4: contact (no nearby report yet: no duplicates offered).
    await stepHeading(page, 'Contatti');
    await next(page);
    await errorSummary(page).getByText('E-mail: è obbligatorio').waitFor();
    await page.getByLabel('Nome e cognome').fill('Giulia Bianchi');
    await page.getByRole('textbox', { name: 'E-mail', exact: true }).fill('giulia@');
    await next(page);
    await errorSummary(page).getByText('E-mail: non è un indirizzo e-mail valido').waitFor();
    await page.getByRole('textbox', { name: 'E-mail', exact: true }).fill(reporter);
    await page.getByLabel('Telefono (facoltativo)').fill('333 1234567');
    await axe(page);
    await next(page);

    // Step 5: the summary, then "Invia".
    await stepHeading(page, 'Riepilogo');
    for (const text of ['Via Roma 10', 'Strade e marciapiedi', 'Buca in via Roma', 'buca.png', reporter])
      await page.getByText(text).first().waitFor();
    await axe(page);
    await screenshot(page, 'portal-report-02-summary');
    await page.getByRole('button', { name: 'Invia', exact: true }).click();

    await page.getByRole('heading', { level: 1, name: 'Segnalazione inviata' }).waitFor();
    reference = (await page.getByTestId('reference').textContent())!.trim();
    expect(reference).toMatch(REFERENCE);
    await page.getByText(`Riceverai un’e-mail di riepilogo all’indirizzo ${reporter}`).waitFor();
    await axe(page);
    await screenshot(page, 'portal-report-03-done');
    const [ticket] = await t.ds.query(
      `SELECT t.id, t.category, t.payload->>'address' AS address, t.location IS NOT NULL AS pinned,
              (SELECT count(*)::int FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.ticket_id = t.id) AS files
         FROM tickets t WHERE t.reference = $1`,
      [reference],
    );
    expect(ticket).toMatchObject({ category: 'strade', address: 'Via Roma 10', pinned: true, files: 1 });
    const summary = await sink.waitFor((d) => d.rcpt.includes(reporter));
    expect(summary.parsed.text).toContain(reference);

    // The rating of the online service: 1–5 stars as radio buttons and a comment, stored once.
    await page.getByRole('button', { name: 'Invia la valutazione' }).click();
    await page.getByText('Scegli da 1 a 5 stelle.').waitFor();
    await tick(page, '4 stelle su 5');
    await page.getByLabel('Commento (facoltativo)').fill('Facile da usare');
    await page.getByRole('button', { name: 'Invia la valutazione' }).click();
    await page.getByRole('status').filter({ hasText: 'Grazie per la tua valutazione.' }).waitFor();
    expect(await t.ds.query(`SELECT form, rating, comment FROM portal_service_ratings WHERE ticket_id = $1`, [ticket.id])).toEqual([
      { form: 'report', rating: 4, comment: 'Facile da usare' },
    ]);
    // The draft is gone once sent.
    expect(await page.evaluate(`localStorage.getItem('sportello.draft.modugno.report')`)).toBeNull();
    await ctx.close();
  });

  it('keeps a draft across a reload, then offers the nearby report: «Segui questa» follows it, no new case', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${t.url}/modugno/segnala`);
    await consent(page);
    await mapOf(page).focus();
    await page.keyboard.press('ArrowRight');
    await page
      .getByTestId('place-status')
      .getByText(/^Punto scelto:/)
      .waitFor();
    await next(page);
    await stepHeading(page, 'Dettagli');
    await page.getByLabel('Categoria del disservizio').selectOption('strade');
    await page.getByLabel('Titolo').fill('Voragine in via Roma');

    // A reload: the draft is offered, and resumed where it was.
    await page.reload();
    await page.getByText(/^Hai una bozza del /).waitFor();
    await axe(page);
    await page.getByRole('button', { name: 'Riprendi' }).click();
    await stepHeading(page, 'Dettagli');
    expect(await page.getByLabel('Titolo').inputValue()).toBe('Voragine in via Roma');
    expect(await page.getByLabel('Categoria del disservizio').inputValue()).toBe('strade');
    await page.getByLabel('Descrizione').fill('La stessa buca, ora più grande.');
    const before = (await t.ds.query(`SELECT count(*)::int AS n FROM tickets`))[0].n;
    await next(page);

    const similar = page.getByRole('region', { name: 'Segnalazioni simili vicine' });
    await similar.getByRole('heading', { level: 4, name: new RegExp(reference) }).waitFor();
    await axe(page);
    await screenshot(page, 'portal-report-04-nearby');
    await similar.getByRole('button', { name: `Segui questa ${reference}` }).click();
    await errorSummary(page).getByText('La tua e-mail per gli aggiornamenti: è obbligatorio').waitFor();
    await similar.getByLabel('La tua e-mail per gli aggiornamenti').fill(neighbour);
    await similar.getByRole('button', { name: `Segui questa ${reference}` }).click();
    await page.getByRole('heading', { level: 1, name: 'Ora segui la segnalazione' }).waitFor();
    await page.getByText(`Segui la segnalazione ${reference}`).waitFor();
    await axe(page);
    expect(
      await t.ds.query(`SELECT f.email FROM report_followers f JOIN tickets t ON t.id = f.ticket_id WHERE t.reference = $1`, [reference]),
    ).toEqual([{ email: neighbour }]);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM tickets`))[0].n).toBe(before);
    expect(await page.evaluate(`localStorage.getItem('sportello.draft.modugno.report')`)).toBeNull();
    await ctx.close();
  });

  it('opens the case by code and e-mail and takes a reply; the unfollow link of the follower’s e-mail works', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${t.url}/modugno`);
    await page.getByRole('link', { name: 'Segui una segnalazione o richiesta', exact: true }).click();
    await page.waitForURL(`${t.url}/modugno/segnalazioni/cerca`);
    await page.getByRole('button', { name: 'Apri la pratica' }).click();
    await errorSummary(page).getByText('Codice della pratica: è obbligatorio').waitFor();
    await axe(page);
    await page.getByLabel('Codice della pratica').fill(reference);
    await page.getByRole('textbox', { name: 'E-mail', exact: true }).fill(`altro.${tag}@esempio.it`);
    await page.getByRole('button', { name: 'Apri la pratica' }).click();
    await page.getByText('Nessuna pratica con questo codice e questa e-mail.').waitFor();
    await page.getByLabel('Codice della pratica').fill(reference);
    await page.getByRole('textbox', { name: 'E-mail', exact: true }).fill(reporter);
    await page.getByRole('button', { name: 'Apri la pratica' }).click();
    await page.waitForURL(`${t.url}/modugno/segnalazioni/${reference}`);
    await page.getByRole('heading', { level: 2, name: 'Conversazione' }).waitFor();
    await page.getByText('Buca profonda davanti al civico 10').first().waitFor();
    await page.getByRole('link', { name: 'buca.png' }).waitFor();
    await page.getByText('Ricevuta', { exact: true }).waitFor();
    await axe(page);
    await page.getByLabel('Il tuo messaggio').fill('La buca si è allargata dopo la pioggia.');
    await page.getByRole('button', { name: 'Invia', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Messaggio inviato.' }).waitFor();
    await page.getByText('La buca si è allargata dopo la pioggia.').waitFor();
    await axe(page);
    await screenshot(page, 'portal-report-05-case');
    // A reload keeps the case open (the credentials are in the history entry, not in the address).
    await page.reload();
    await page.getByText('La buca si è allargata dopo la pioggia.').waitFor();

    // The follower's confirmation e-mail links to the comune's unfollow page.
    const confirm = await sink.waitFor((d) => d.rcpt.includes(neighbour));
    const link = new RegExp(`${t.url}/modugno/segnalazioni/non-seguire\\?token=\\S+`).exec(confirm.parsed.text ?? '')![0];
    await page.goto(link);
    await page.getByRole('heading', { level: 1, name: 'Non seguire più la segnalazione' }).waitFor();
    await axe(page);
    await page.getByRole('button', { name: 'Non seguire più' }).click();
    await page.getByRole('status').filter({ hasText: 'non riceverai più aggiornamenti' }).waitFor();
    expect(await t.ds.query(`SELECT 1 FROM report_followers WHERE email = $1`, [neighbour])).toEqual([]);
    await page.reload();
    await page.getByRole('button', { name: 'Non seguire più' }).click();
    await page.getByText('Il link non è valido o è già stato usato.').waitFor();
    await ctx.close();
  });

  async function spidLogin(page: Page) {
    await page.getByRole('link', { name: 'Entra con SPID' }).click();
    await page.waitForURL((u) => u.href.startsWith(idp.issuer));
    await page.getByLabel(new RegExp(`${maria.givenName} ${maria.familyName}`)).check();
    await page.getByRole('button', { name: 'Accedi' }).click();
  }

  it('takes a SPID citizen’s request: contact from the profile, expired session kept as a draft, «Le mie richieste»', async () => {
    const ctx: BrowserContext = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${t.url}/accedi?returnTo=${encodeURIComponent('/modugno/richiedi-assistenza')}`);
    await spidLogin(page);
    await page.waitForURL(`${t.url}/modugno/richiedi-assistenza`);
    await page.getByRole('heading', { level: 1, name: 'Richiedi assistenza' }).waitFor();
    await consent(page);

    await stepHeading(page, 'Servizio');
    await next(page);
    await errorSummary(page).getByText('Servizio su cui chiedi assistenza: è obbligatorio').waitFor();
    await axe(page);
    await page.getByLabel('Servizio su cui chiedi assistenza').selectOption('tributi');
    await next(page);

    await stepHeading(page, 'Dettagli');
    await page.getByLabel('Titolo').fill('Rateizzazione TARI');
    await page.getByLabel('Descrizione').fill('Posso pagare la TARI 2026 in quattro rate?');
    await page.getByLabel('Documenti (facoltativi)').setInputFiles({ name: 'avviso.png', mimeType: 'image/png', buffer: PNG });
    await page.getByText('«avviso.png» non è un documento PDF').first().waitFor();
    await axe(page);
    await next(page);

    await stepHeading(page, 'Contatti');
    await page.getByText('Abbiamo compilato i dati dal tuo profilo').waitFor();
    expect(await page.getByLabel('Nome e cognome').inputValue()).toBe(`${maria.givenName} ${maria.familyName}`);
    expect(await page.getByRole('textbox', { name: 'E-mail', exact: true }).inputValue()).toBe(maria.email);
    await axe(page);
    await next(page);
    await stepHeading(page, 'Riepilogo');
    await page.getByText('Tributi').first().waitFor();

    // The session ends before sending: sending asks to log in again, and the draft waits.
    await ctx.clearCookies();
    await page.getByRole('button', { name: 'Invia', exact: true }).click();
    await page.getByText('La sessione è scaduta.').waitFor();
    await axe(page);
    await page.getByRole('link', { name: 'Accedi di nuovo' }).click();
    await spidLogin(page);
    await page.waitForURL(`${t.url}/modugno/richiedi-assistenza`);
    await page.getByRole('button', { name: 'Riprendi' }).click();
    await stepHeading(page, 'Riepilogo');
    await page.getByText('Rateizzazione TARI').waitFor();
    await page.getByRole('button', { name: 'Invia', exact: true }).click();

    await page.getByRole('heading', { level: 1, name: 'Richiesta inviata' }).waitFor();
    const ref = (await page.getByTestId('reference').textContent())!.trim();
    expect(ref).toMatch(REFERENCE);
    await axe(page);
    await tick(page, '5 stelle su 5');
    await page.getByRole('button', { name: 'Invia la valutazione' }).click();
    await page.getByRole('status').filter({ hasText: 'Grazie per la tua valutazione.' }).waitFor();

    await page.getByRole('link', { name: 'Vai a Le mie richieste' }).click();
    await page.waitForURL(`${t.url}/area-personale`);
    const row = page.getByRole('table', { name: 'Le mie richieste' }).getByRole('row').filter({ hasText: ref });
    await row.getByRole('cell', { name: 'Modugno' }).waitFor();
    await axe(page);
    await screenshot(page, 'portal-report-06-mine');
    const [linked] = await t.ds.query(
      `SELECT t.type, t.category, EXISTS (SELECT 1 FROM citizen_account_links l WHERE l.identity_id = t.citizen_identity_id) AS linked
         FROM tickets t WHERE t.reference = $1`,
      [ref],
    );
    expect(linked).toEqual({ type: 'request', category: 'tributi', linked: true });
    await ctx.close();
  });
});
