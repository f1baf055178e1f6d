import { ComuniService } from '../../src/comuni/comuni.service.js';
import { jest } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startApp, TEST_PASSWORD, type TestApp } from '../support/harness.js';
import { launchChromium, screenshot, seriousA11yViolations } from './browser.js';

jest.setTimeout(120_000);

// ISO weekdays 1–7, open all day, no holidays: the comune's business calendar for these tests.
const ALWAYS_OPEN = JSON.stringify(Object.fromEntries(['1', '2', '3', '4', '5', '6', '7'].map((d) => [d, [['00:00', '24:00']]])));

describe('agent console and web-chat widget in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [t, browser] = await Promise.all([startApp(), launchChromium()]);
    await t.ds.query(
      `INSERT INTO comune_calendars (comune_id, opening_hours, national_holidays, patron_day) SELECT id, $1::jsonb, false, NULL FROM comuni WHERE slug = 'bari' ON CONFLICT (comune_id) DO UPDATE SET opening_hours = EXCLUDED.opening_hours, national_holidays = false, patron_day = NULL, closures = '{}'`,
      [ALWAYS_OPEN],
    );
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
    page.on('pageerror', (err) => {
      throw err;
    });
    return page;
  }

  async function signIn(page: Page, email: string): Promise<void> {
    await page.goto(`${t.url}/console/`);
    await page.getByLabel('Indirizzo e-mail').fill(email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.getByRole('navigation', { name: 'Navigazione principale' }).waitFor();
  }

  it('signs in, in Italian by default with an English switch, and the login page is accessible', async () => {
    const page = await newPage();
    await page.goto(`${t.url}/console/`);
    await expect(page.getByRole('heading', { name: 'Accesso operatori' }).isVisible()).resolves.toBe(true);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, '01-login');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Operator sign-in' }).waitFor();
    await page.getByRole('button', { name: 'Italiano' }).click();

    await page.getByLabel('Indirizzo e-mail').fill('operatore@bari.demo');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.getByRole('alert').filter({ hasText: 'Accesso non riuscito' }).waitFor();
  });

  it('links the queue dashboard (Bull Board) for the metropolitan administrator only', async () => {
    const admin = await newPage();
    await signIn(admin, 'admin@metro.demo');
    const nav = admin.getByRole('navigation', { name: 'Navigazione principale' });
    const link = nav.getByRole('link', { name: /^Code di lavoro/ });
    await expect(link.getAttribute('href')).resolves.toBe('/admin/queues');
    await expect(link.isVisible()).resolves.toBe(true);
    expect(await seriousA11yViolations(admin)).toEqual([]);
    for (const email of ['operatore@bari.demo', 'supervisore@bari.demo', 'manager@bari.demo']) {
      const page = await newPage();
      await signIn(page, email);
      await page.getByRole('link', { name: 'Conversazioni', exact: true }).waitFor();
      await expect(page.getByRole('link', { name: /Code di lavoro/ }).count()).resolves.toBe(0);
      await expect(page.locator('a[href="/admin/queues"]').count()).resolves.toBe(0);
      await page.context().close();
    }
  });

  it('carries a whole conversation between the widget and the console, live, in both directions', async () => {
    // The supervisor watches the queues from the supervision page, away so that offers go to the URP operator.
    const sup = await newPage();
    await signIn(sup, 'supervisore@bari.demo');
    await sup.getByLabel('Il mio stato').selectOption('away');
    await sup.getByRole('link', { name: 'Supervisione' }).click();
    await sup.getByRole('heading', { name: 'Supervisione' }).waitFor();
    // A canned response for the URP group, used below with "/".
    const urp = await sup
      .locator('#canned-group option')
      .filter({ hasText: /URP|Relazioni/ })
      .first()
      .getAttribute('value');
    await sup.getByLabel('Gruppo', { exact: true }).selectOption(urp);
    await sup.getByLabel('Scorciatoia').fill('orari');
    await sup.getByLabel('Titolo').fill('Orari anagrafe');
    await sup.getByLabel('Testo', { exact: true }).fill("L'anagrafe è aperta dal lunedì al venerdì, dalle 9 alle 12.");
    await sup.getByRole('button', { name: 'Aggiungi risposta rapida' }).click();
    await sup.locator('.canned-items strong').filter({ hasText: '/orari' }).waitFor();
    expect(await seriousA11yViolations(sup)).toEqual([]);
    await screenshot(sup, '05-supervisor');

    const op = await newPage();
    await signIn(op, 'operatore@bari.demo');
    await op.getByRole('link', { name: /Offerti a me/ }).click();
    expect(await seriousA11yViolations(op)).toEqual([]);
    await screenshot(op, '02-inbox');

    // The citizen, on the comune's site, on a phone.
    const citizen = await newPage({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      permissions: ['geolocation'],
      geolocation: { latitude: 41.1253, longitude: 16.8667 },
    });
    await citizen.goto(`${t.url}/demo/bari`);
    await citizen.getByRole('button', { name: 'Scrivi al Comune' }).click();
    const chat = citizen.getByRole('dialog', { name: 'Comune di Bari' });
    await chat.waitFor();
    expect(await seriousA11yViolations(citizen)).toEqual([]);
    await chat.getByLabel('Scrivi un messaggio').fill("Buongiorno, a che ora apre l'ufficio anagrafe?");
    await chat.getByLabel('Scrivi un messaggio').press('Enter');
    await chat.getByText(/Riferimento della tua richiesta: BA-\d{4}-\d{6}/).waitFor();
    const reference = (await chat.getByText(/Riferimento della tua richiesta/).textContent())!.match(/BA-\d{4}-\d{6}/)![0];

    // The operator is offered it without reloading: a visible card, and the row in "Offerti a me".
    const offer = op.getByRole('region', { name: 'Nuova conversazione offerta' });
    await offer.getByText(reference).waitFor();
    await op.locator(`[data-ticket="${reference}"]`).waitFor();
    await offer.getByRole('button', { name: 'Accetta' }).click();
    const thread = op.getByRole('list', { name: 'Conversazione' });
    await thread.getByText("Buongiorno, a che ora apre l'ufficio anagrafe?").waitFor();
    await op
      .getByRole('link', { name: /Le mie conversazioni/ })
      .locator('.count')
      .filter({ hasText: '1' })
      .waitFor();

    // Typing, both ways.
    await chat.getByLabel('Scrivi un messaggio').pressSequentially('Gra', { delay: 20 });
    await op.getByText('Il cittadino sta scrivendo…').first().waitFor();
    const reply = op.getByLabel('Scrivi una risposta');
    await reply.pressSequentially('/ora', { delay: 20 });
    await citizen.getByText('Un operatore sta scrivendo…').waitFor();
    await op.getByRole('option', { name: /orari/ }).waitFor();
    await reply.press('Enter');
    await expect(reply.inputValue()).resolves.toBe("L'anagrafe è aperta dal lunedì al venerdì, dalle 9 alle 12.");
    await reply.press('Enter');
    await chat.getByText("L'anagrafe è aperta dal lunedì al venerdì, dalle 9 alle 12.").waitFor();
    await screenshot(citizen, '06-widget-phone');
    // The citizen has the chat open: the reply becomes "read" in the console.
    await thread.locator('[data-kind="outbound"] [data-testid="delivery"]').filter({ hasText: 'letto' }).waitFor();
    expect(await seriousA11yViolations(op)).toEqual([]);
    await screenshot(op, '03-conversation');

    // An internal note stays in the office.
    await op.getByLabel('Nota interna', { exact: true }).check();
    await op.getByLabel('Scrivi una nota interna').fill('Nota: il cittadino aveva già chiamato ieri');
    await op.getByLabel('Scrivi una nota interna').press('Enter');
    await thread.locator('[data-kind="note"]').getByText('Nota: il cittadino aveva già chiamato ieri').waitFor();
    await op.getByLabel('Risposta al cittadino').check();
    await reply.fill('Le serve altro?');
    await reply.press('Enter');
    await chat.getByText('Le serve altro?').waitFor();
    await expect(chat.getByText('Nota: il cittadino').count()).resolves.toBe(0);

    // Markup from a citizen is shown as text and runs nowhere.
    const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>grassetto</b>';
    await chat.getByLabel('Scrivi un messaggio').fill(hostile);
    await chat.getByLabel('Scrivi un messaggio').press('Enter');
    await thread.getByText(hostile, { exact: true }).waitFor();
    await chat.getByText(hostile, { exact: true }).waitFor();
    await expect(op.evaluate('window.__pwned')).resolves.toBeUndefined();
    await expect(citizen.evaluate('window.__pwned')).resolves.toBeUndefined();
    await expect(thread.locator('b, script, img[src="x"]').count()).resolves.toBe(0);

    // A photo and the position from the widget.
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEklEQVR4nGP4z8CAFWEXHbQSACj/P8Fu7N9hAAAAAElFTkSuQmCC',
      'base64',
    );
    await citizen.locator('#sw-file').setInputFiles({ name: 'lampione.png', mimeType: 'image/png', buffer: png });
    const photo = thread.locator('img[alt="lampione.png"]');
    await photo.waitFor();
    // Served to the <img> by the attachment route (authorized by the console's cookie) and decoded.
    await expect(
      photo.evaluate((img: any) =>
        img.complete && img.naturalWidth
          ? img.naturalWidth
          : new Promise((done) => {
              img.onload = () => done(img.naturalWidth);
              img.onerror = () => done(-1);
            }),
      ),
    ).resolves.toBe(8);
    await chat.getByRole('button', { name: 'Condividi la posizione' }).click();
    await thread.getByText('Ho condiviso la mia posizione.').waitFor();

    // Reloading the site keeps the conversation, without the note.
    await citizen.reload();
    await citizen.getByRole('dialog', { name: 'Comune di Bari' }).getByText('Le serve altro?').waitFor();
    await expect(citizen.getByText('Nota: il cittadino').count()).resolves.toBe(0);

    // Transfer to local taxes: the ticket leaves the operator and appears in that group's queue, live.
    const tributi = sup.locator('tr[data-group="tributi"] [data-testid="queued"]');
    await expect(tributi.textContent()).resolves.toBe('0');
    await op.getByRole('button', { name: 'Trasferisci' }).click();
    const dialog = op.getByRole('dialog', { name: 'Trasferisci il ticket' });
    const tributiId = await dialog
      .locator('#tr-group option')
      .filter({ hasText: /Tribut/ })
      .getAttribute('value');
    await dialog.getByLabel('Gruppo di destinazione').selectOption(tributiId);
    await dialog.getByLabel('Nota per chi riceve (interna)').fill('Domanda sulla TARI, non di competenza URP');
    await dialog.getByRole('button', { name: 'Trasferisci' }).click();
    await sup.locator('tr[data-group="tributi"] [data-testid="queued"]').filter({ hasText: '1' }).waitFor();
    await op
      .getByRole('link', { name: /Le mie conversazioni/ })
      .locator('.count')
      .filter({ hasText: '0' })
      .waitFor();

    // The supervisor opens it: the history lists every step, the report's position is on the map (no tiles here).
    const [ticket] = (
      await t.http
        .get('/api/tickets')
        .query({ q: reference })
        .set('Authorization', `Bearer ${await (await import('../support/harness.js')).login(t, 'supervisore@bari.demo')}`)
    ).body;
    expect(ticket.location).toEqual({ lat: 41.1253, lng: 16.8667 });
    await sup.goto(`${t.url}/console/inbox/all/${ticket.id}`);
    await sup
      .getByTestId('ticket-group')
      .filter({ hasText: /Tribut/ })
      .waitFor();
    await sup.getByRole('tab', { name: 'Mappa' }).click();
    await sup.locator('.leaflet-container path').first().waitFor();
    await sup.getByText('Mappa senza sfondo').waitFor();
    // The report map view, zoom buttons and the focusable map included, is accessible.
    await sup.getByTestId('report-map').locator('.leaflet-control-zoom-in').waitFor();
    expect(await seriousA11yViolations(sup)).toEqual([]);
    await screenshot(sup, '04-report-map');
    await sup.getByRole('tab', { name: 'Cronologia' }).click();
    for (const type of ['ticket.created', 'offer.made', 'ticket.assigned', 'message.sent', 'note.added', 'ticket.transferred']) {
      await sup.locator(`[data-testid="history"] [data-event="${type}"]`).first().waitFor();
    }
    expect(await seriousA11yViolations(sup)).toEqual([]);
    await screenshot(sup, '04-conversation-supervisor');
  });

  it('out of hours, the widget takes a message, a contact and an explicit consent, and the console shows them', async () => {
    const [{ id: modugno }] = await t.ds.query(
      `INSERT INTO comune_calendars (comune_id, opening_hours, national_holidays, patron_day) SELECT id, '{}'::jsonb, false, NULL FROM comuni WHERE slug = 'modugno' ON CONFLICT (comune_id) DO UPDATE SET opening_hours = EXCLUDED.opening_hours, national_holidays = false, patron_day = NULL, closures = '{}' RETURNING comune_id AS id`,
    );
    t.app.get(ComuniService).forgetCalendar(modugno); // written behind the application's back: no stale cached calendar
    const citizen = await newPage({ viewport: { width: 1280, height: 800 } });
    await citizen.goto(`${t.url}/demo/modugno`);
    await citizen.getByRole('button', { name: 'Scrivi al Comune' }).click();
    const chat = citizen.getByRole('dialog', { name: 'Comune di Modugno' });
    await chat.getByText('In questo momento l’ufficio è chiuso.').waitFor();
    await expect(chat.getByLabel('Scrivi un messaggio').isVisible()).resolves.toBe(false);
    expect(await seriousA11yViolations(citizen)).toEqual([]);

    await chat.getByLabel('Il tuo messaggio').fill('Vorrei sapere come richiedere il certificato di residenza.');
    await chat.getByLabel('E-mail o telefono per essere aggiornato').fill('maria.rossi@example.it');
    await chat.getByRole('button', { name: 'Lascia il messaggio' }).click();
    // Without the consent box ticked nothing is sent.
    await expect(chat.getByRole('checkbox').evaluate((b: any) => b === b.getRootNode().activeElement)).resolves.toBe(true);
    await expect(
      t.ds.query(`SELECT count(*)::int AS n FROM tickets t JOIN comuni c ON c.id = t.comune_id WHERE c.slug = 'modugno'`),
    ).resolves.toEqual([{ n: 0 }]);
    await chat.getByRole('checkbox').check();
    await chat.getByRole('button', { name: 'Lascia il messaggio' }).click();
    const done = chat.getByText(/Messaggio ricevuto \(riferimento MO\w*-\d{4}-\d{6}\)\. Ti aggiorneremo a maria\.rossi@example\.it\./);
    await done.waitFor();
    await screenshot(citizen, '07-widget-out-of-hours');
    const reference = (await done.textContent())!.match(/[A-Z]+-\d{4}-\d{6}/)![0];

    const sup = await newPage();
    await signIn(sup, 'supervisore@modugno.demo');
    await sup.getByRole('link', { name: /Tutti i ticket del comune/ }).click();
    await sup.locator(`[data-ticket="${reference}"]`).click();
    const panel = sup.getByTestId('citizen-panel');
    await panel.getByText('maria.rossi@example.it').waitFor();
    await panel
      .getByTestId('consent-privacy')
      .filter({ hasText: /^Dato il .* \(Web chat\)$/ })
      .waitFor();
  });

  it('enters a request taken by phone, with the citizen’s consent, and routes it like any other', async () => {
    const op = await newPage();
    await signIn(op, 'operatore@bitonto.demo');
    await op.getByRole('link', { name: 'Nuova richiesta' }).click();
    await op.getByRole('heading', { name: 'Nuova richiesta per conto del cittadino' }).waitFor();
    await op.getByLabel('Nome e cognome').fill('Giuseppe Verdi');
    await op.getByLabel('Numero di telefono').fill('080 123 4567');
    await op.getByLabel('Descrizione').fill('Chiede come prenotare la carta d’identità elettronica.');
    await op.getByRole('button', { name: 'Registra la richiesta' }).click();
    // The privacy consent is required and named.
    await op.getByText('the citizen must agree to the privacy notice before the request is recorded').waitFor();
    await op.getByLabel(/informativa privacy/).check();
    await op.getByLabel(/vuole essere aggiornato/).check();
    await op.getByRole('button', { name: 'Registra la richiesta' }).click();
    const created = op.getByText(/Richiesta registrata con riferimento [A-Z]+-\d{4}-\d{6}\./);
    await created.waitFor();
    const reference = (await created.textContent())!.match(/[A-Z]+-\d{4}-\d{6}/)![0];
    // Routed like any other: the URP operator, online, is offered it.
    await op.getByRole('region', { name: 'Nuova conversazione offerta' }).getByText(reference).waitFor();
    const [row] = await t.ds.query(
      `SELECT t.channel, t.queue_state, i.address, c.display_name FROM tickets t JOIN citizen_identities i ON i.id = t.citizen_identity_id
         JOIN citizens c ON c.id = t.citizen_id WHERE t.reference = $1`,
      [reference],
    );
    expect(row).toEqual({ channel: 'phone', queue_state: 'offered', address: 'tel:+390801234567', display_name: 'Giuseppe Verdi' });
    await op.getByRole('region', { name: 'Nuova conversazione offerta' }).getByRole('button', { name: 'Accetta' }).click();
    await op.getByRole('tab', { name: 'Cronologia' }).click();
    await op.locator('[data-testid="history"] [data-event="ticket.entered_for_citizen"]').waitFor();
    await op.getByRole('tab', { name: 'Cittadino' }).click();
    await op
      .getByTestId('consent-privacy')
      .filter({ hasText: /\(Telefono\)$/ })
      .waitFor();
  });

  it('«Privacy e conservazione»: a manager sets the retention of closed cases, a wrong value is named, the log shows the change; axe-clean', async () => {
    const page = await newPage();
    await signIn(page, 'manager@modugno.demo');
    await page.getByRole('navigation', { name: 'Navigazione principale' }).getByRole('link', { name: 'Privacy e conservazione' }).click();
    await page.getByRole('heading', { level: 1, name: 'Privacy e conservazione' }).waitFor();
    const months = page.getByLabel('Conservazione delle pratiche chiuse (mesi)');
    await expect(months.inputValue()).resolves.toBe('60');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await months.fill('abc');
    await page.getByRole('button', { name: 'Salva' }).click();
    await page.getByText(/numero intero di mesi da 1 a 1200/).waitFor();
    await expect(months.getAttribute('aria-invalid')).resolves.toBe('true');
    await months.fill('24');
    await page.getByRole('button', { name: 'Salva' }).click();
    await page.getByRole('status').filter({ hasText: 'Periodo di conservazione salvato.' }).waitFor();
    await page.getByRole('cell', { name: 'Periodo di conservazione modificato' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'console-privacy');
    // Not in a supervisor's navigation.
    const sup = await newPage();
    await signIn(sup, 'supervisore@modugno.demo');
    await expect(sup.getByRole('link', { name: 'Privacy e conservazione' }).count()).resolves.toBe(0);
  });
});
