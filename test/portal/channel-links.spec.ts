import nodemailer from 'nodemailer';
import { EmailSmtpServer } from '../../src/channels/email/email-smtp.server.js';
import type { DevIdp } from '../../src/portal/dev-idp/dev-idp.js';
import { TEST_CITIZENS } from '../../src/portal/dev-idp/test-citizens.js';
import { INVALID_TEXT, LINKED_TEXT } from '../../src/portal/identity/links.js';
import { login, type TestApp } from '../support/harness.js';
import { startSmtpSink, type SmtpSink } from '../channels/email/mail-standins.js';
import { TelegramStandin } from '../channels/support/telegram-standin.js';
import { appFetch, browser, oidcLogin, session, startPortal, type Browser } from './support.js';

/**
 * Linking channels to a portal account by a code sent from that channel, through the real
 * channels: Telegram's webhook with a stand-in Bot API, the app's own SMTP server for e-mail with
 * the answer caught by an SMTP sink. The code's message opens no ticket.
 */
const TOKEN = '7123456789:AAH-test-token-for-the-portal-links';
const SECRET = 'sportello-telegram-webhook-secret-links';

describe('portal: linking channels by code', () => {
  let t: TestApp;
  let idp: DevIdp;
  let tg: TelegramStandin;
  let sink: SmtpSink;
  let accountId: number;
  let update = 9000;
  let smtpPort: number;
  const maria = TEST_CITIZENS.find((c) => c.id === 'maria-rossi')!;
  const nicola = TEST_CITIZENS.find((c) => c.id === 'nicola-de-santis')!;
  let mariaB: Browser;
  let nicolaB: Browser;

  beforeAll(async () => {
    tg = await new TelegramStandin(TOKEN).start();
    sink = await startSmtpSink();
    ({ t, idp } = await startPortal({
      TELEGRAM_API_ROOT: tg.url,
      EMAIL_SMTP_ENABLED: 'true',
      EMAIL_SMTP_PORT: '0',
      EMAIL_DEFAULT_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      PORTAL_MAIL_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
    }));
    smtpPort = t.app.get(EmailSmtpServer).port!;
    const manager = await login(t, 'manager@bari.demo');
    const created = await t.http
      .post('/api/channel-accounts')
      .set('Authorization', `Bearer ${manager}`)
      .send({
        channel: 'telegram',
        label: 'Bot URP Bari (link)',
        config: { botUsername: 'urp_bari_link_bot' },
        secrets: { botToken: TOKEN, webhookSecret: SECRET },
      });
    expect(created.status).toBe(201);
    accountId = created.body.id;
    mariaB = browser();
    await oidcLogin(t, idp, mariaB, { method: 'spid', citizenId: maria.id });
    nicolaB = browser();
    await oidcLogin(t, idp, nicolaB, { method: 'cie', citizenId: nicola.id });
  });
  afterAll(async () => {
    await t?.close();
    await idp?.stop();
    await tg?.stop();
    await sink?.close();
  });

  const tickets = async () => (await t.ds.query(`SELECT count(*)::int AS n FROM tickets`))[0].n as number;
  const telegramSays = (chatId: number, text: string) =>
    t.http
      .post(`/webhooks/telegram/${accountId}`)
      .set('Content-Type', 'application/json')
      .set('X-Telegram-Bot-Api-Secret-Token', SECRET)
      .send(
        JSON.stringify({
          update_id: update++,
          message: {
            message_id: update,
            from: { id: chatId, is_bot: false, first_name: 'Maria' },
            chat: { id: chatId, first_name: 'Maria', type: 'private' },
            date: Math.floor(Date.now() / 1000),
            text,
          },
        }),
      );
  const answerTo = (chatId: number) =>
    tg.next((r) => r.path.endsWith('/sendMessage') && String(TelegramStandin.params(r).chat_id) === String(chatId));

  async function askCode(b: Browser, channel: string) {
    const { csrfToken } = await session(t, b);
    const res = await appFetch(t, b, '/api/portal/v1/me/links', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
      body: JSON.stringify({ channel }),
    });
    return res;
  }
  const links = async (b: Browser) => (await (await appFetch(t, b, '/api/portal/v1/me/links')).json()) as any[];

  it('needs a logged-in citizen (401 login_required), the CSRF token, a known channel', async () => {
    const anon = await appFetch(t, browser(), '/api/portal/v1/me/links');
    expect(anon.status).toBe(401);
    expect(await anon.json()).toMatchObject({ code: 'login_required' });
    const staff = await login(t, 'operatore@bari.demo');
    const asStaff = await fetch(`${t.url}/api/portal/v1/me/links`, { headers: { authorization: `Bearer ${staff}` } });
    expect(asStaff.status).toBe(401);
    const noCsrf = await appFetch(t, mariaB, '/api/portal/v1/me/links', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'telegram' }),
    });
    expect(noCsrf.status).toBe(403);
    const bad = await askCode(mariaB, 'fax');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ fields: [{ field: 'channel', message: 'deve essere whatsapp, telegram oppure email' }] });
  });

  it('links a Telegram chat by «COLLEGA <code>» sent from it: answered on Telegram, no ticket opened', async () => {
    const res = await askCode(mariaB, 'telegram');
    expect(res.status).toBe(201);
    const body = (await res.json()) as any;
    expect(body).toEqual({
      code: expect.stringMatching(/^\d{6}$/),
      expiresAt: expect.any(String),
      instructions: expect.stringContaining(`COLLEGA ${body.code}`),
    });
    expect(new Date(body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    const before = await tickets();
    const answer = answerTo(7001);
    expect((await telegramSays(7001, `COLLEGA ${body.code}`)).status).toBe(200);
    expect(TelegramStandin.params(await answer).text).toBe(LINKED_TEXT);
    expect(await tickets()).toBe(before);
    expect(await links(mariaB)).toEqual([
      {
        id: expect.any(String),
        channel: 'telegram',
        address: expect.stringContaining('7001'),
        display: 'chat Telegram ••• 001',
        linkedAt: expect.any(String),
      },
    ]);
    // Nicola sees none of Maria's links.
    expect(await links(nicolaB)).toEqual([]);
    // The code worked once.
    const again = answerTo(7002);
    await telegramSays(7002, `COLLEGA ${body.code}`);
    expect(TelegramStandin.params(await again).text).toBe(INVALID_TEXT);
    expect(await links(mariaB)).toHaveLength(1);
  });

  it('a second delivery of the same message is not answered again', async () => {
    const body = (await (await askCode(nicolaB, 'telegram')).json()) as any;
    const payload = JSON.stringify({
      update_id: update++,
      message: {
        message_id: 555,
        from: { id: 7020, is_bot: false, first_name: 'Nicola' },
        chat: { id: 7020, first_name: 'Nicola', type: 'private' },
        date: Math.floor(Date.now() / 1000),
        text: `COLLEGA ${body.code}`,
      },
    });
    const send = () =>
      t.http
        .post(`/webhooks/telegram/${accountId}`)
        .set('Content-Type', 'application/json')
        .set('X-Telegram-Bot-Api-Secret-Token', SECRET)
        .send(payload);
    const answer = answerTo(7020);
    expect((await send()).status).toBe(200);
    expect(TelegramStandin.params(await answer).text).toBe(LINKED_TEXT);
    expect((await send()).status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(tg.method('sendMessage').filter((r) => String(TelegramStandin.params(r).chat_id) === '7020')).toHaveLength(1);
    expect((await links(nicolaB)).filter((l) => l.channel === 'telegram')).toHaveLength(1);
  });

  it('an invalid code is answered «codice non valido» and opens no ticket; an ordinary message still does', async () => {
    const before = await tickets();
    const answer = answerTo(7010);
    await telegramSays(7010, 'COLLEGA 000000');
    expect(TelegramStandin.params(await answer).text).toBe(INVALID_TEXT);
    expect(TelegramStandin.params(await answer).text).toContain('Codice non valido');
    expect(await tickets()).toBe(before);
    // Control: the same chat writing something else opens a ticket as always.
    expect((await telegramSays(7010, 'Buongiorno, un lampione è spento')).status).toBe(200);
    expect(await tickets()).toBe(before + 1);
  });

  it('links an e-mail address by a mail «COLLEGA <code>» to the comune’s mailbox, answered by e-mail, no ticket', async () => {
    const { code } = (await (await askCode(nicolaB, 'email')).json()) as any;
    const before = await tickets();
    const tr = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
    await tr.sendMail({
      from: 'nicola.privato@example.it',
      to: 'urp@bari.demo',
      subject: 'collegamento',
      text: `COLLEGA ${code}\n\n-- \nNicola`,
      messageId: '<link-1@example.it>',
    });
    tr.close();
    const mail = await sink.waitFor((d) => d.rcpt.includes('nicola.privato@example.it'));
    expect(mail.parsed.text).toContain('Collegamento riuscito');
    expect(await tickets()).toBe(before);
    expect(await links(nicolaB)).toEqual([
      expect.objectContaining({ channel: 'telegram' }),
      expect.objectContaining({ channel: 'email', address: 'nicola.privato@example.it' }),
    ]);
  });

  it('unlinks; another citizen’s link answers 404 and stays', async () => {
    const [mine] = await links(mariaB);
    const del = async (b: Browser, id: string) => {
      const { csrfToken } = await session(t, b);
      return appFetch(t, b, `/api/portal/v1/me/links/${id}`, { method: 'DELETE', headers: { 'x-csrf-token': csrfToken } });
    };
    const foreign = await del(nicolaB, mine.id);
    expect(foreign.status).toBe(404);
    expect(await links(mariaB)).toHaveLength(1);
    expect((await del(mariaB, '999999')).status).toBe(404);
    expect((await del(mariaB, mine.id)).status).toBe(204);
    expect(await links(mariaB)).toEqual([]);
    // The identity stays the comune's (the registry is not touched by unlinking).
    expect(
      await t.ds.query(`SELECT count(*)::int AS n FROM citizen_identities WHERE channel = 'telegram' AND address LIKE '%7001'`),
    ).toEqual([{ n: 1 }]);
  });

  it('operators still see identities only within their comune; a citizen scope sees no ticket', async () => {
    const { TenantScope } = await import('../../src/common/tenant-scope.js');
    const { runInScope } = await import('../../src/tenancy/db-scope.js');
    const { DataSource } = await import('typeorm');
    const ds = t.app.get(DataSource);
    const citizenId = (await session(t, nicolaB)).citizen.id as string;
    const seen = await runInScope(TenantScope.citizen(citizenId), async () => ({
      tickets: (await ds.query(`SELECT count(*)::int AS n FROM tickets`))[0].n,
      accounts: (await ds.query(`SELECT id::text FROM citizen_accounts`)).map((r: { id: string }) => r.id),
      identities: (await ds.query(`SELECT count(*)::int AS n FROM citizen_identities`))[0].n,
    }));
    expect(seen).toEqual({ tickets: 0, accounts: [citizenId], identities: 0 });
    // Modugno's scope sees neither the linked identities of Bari nor any portal account.
    const modugno = (await t.ds.query(`SELECT id FROM comuni WHERE slug = 'modugno'`))[0].id as number;
    const asModugno = await runInScope(TenantScope.ofComune(modugno), async () => ({
      identities: (await ds.query(`SELECT count(*)::int AS n FROM citizen_identities WHERE address = 'nicola.privato@example.it'`))[0].n,
      accounts: (await ds.query(`SELECT count(*)::int AS n FROM citizen_accounts`))[0].n,
      links: (await ds.query(`SELECT count(*)::int AS n FROM citizen_account_links`))[0].n,
    }));
    expect(asModugno).toEqual({ identities: 0, accounts: 0, links: 0 });
    // The metropolitan administrator's scope sees every comune, and still no citizen account.
    const metro = await runInScope(
      TenantScope.ofPrincipal({ operatorId: 1, comuneId: null, role: 'metro_admin', groupIds: [], name: 'x' }),
      async () => ({
        accounts: (await ds.query(`SELECT count(*)::int AS n FROM citizen_accounts`))[0].n,
      }),
    );
    expect(metro).toEqual({ accounts: 0 });
  });
});
