import { randomBytes } from 'node:crypto';
import type { DevIdp } from '../../src/portal/dev-idp/dev-idp.js';
import { TEST_CITIZENS } from '../../src/portal/dev-idp/test-citizens.js';
import { LINKED_TEXT } from '../../src/portal/identity/links.js';
import { login, type TestApp } from '../support/harness.js';
import { TelegramStandin } from '../channels/support/telegram-standin.js';
import { appFetch, browser, oidcLogin, portalPost, session, startPortal, type Browser } from './support.js';

/**
 * "Le mie richieste" (src/portal/mine): the logged-in citizen's cases from every linked channel and
 * every comune, read through portal_my_cases()/portal_my_case() in the citizen's scope; the reply
 * from the web joins the case through the portal channel's ingest.
 */
const TOKEN = '7123456789:AAH-test-token-for-the-portal-mine';
const SECRET = 'sportello-telegram-webhook-secret-mine';

describe('portal: le mie richieste', () => {
  let t: TestApp;
  let idp: DevIdp;
  let tg: TelegramStandin;
  let accountId: number;
  let update = 19000;
  let sup: string;
  const maria = TEST_CITIZENS.find((c) => c.id === 'maria-rossi')!;
  const nicola = TEST_CITIZENS.find((c) => c.id === 'nicola-de-santis')!;
  let mariaB: Browser;
  let nicolaB: Browser;
  /** Maria's Telegram case in Bari (opened before the link), another chat's case in Bari, Maria's Modugno request. */
  let telegramRef: string;
  let strangerRef: string;
  let modugnoRef: string;
  let nicolaRef: string;

  beforeAll(async () => {
    tg = await new TelegramStandin(TOKEN).start();
    ({ t, idp } = await startPortal({ TELEGRAM_API_ROOT: tg.url }));
    const manager = await login(t, 'manager@bari.demo');
    const created = await t.http
      .post('/api/channel-accounts')
      .set('Authorization', `Bearer ${manager}`)
      .send({
        channel: 'telegram',
        label: 'Bot URP Bari (mine)',
        config: { botUsername: 'urp_bari_mine_bot' },
        secrets: { botToken: TOKEN, webhookSecret: SECRET },
      });
    expect(created.status).toBe(201);
    accountId = created.body.id;
    sup = await login(t, 'supervisore@bari.demo');
    mariaB = browser();
    await oidcLogin(t, idp, mariaB, { method: 'spid', citizenId: maria.id });
    nicolaB = browser();
    await oidcLogin(t, idp, nicolaB, { method: 'cie', citizenId: nicola.id });
  });
  afterAll(async () => {
    await t?.close();
    await idp?.stop();
    await tg?.stop();
  });

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
  const latestRef = async (channel: string) =>
    (await t.ds.query(`SELECT reference FROM tickets WHERE channel = $1 ORDER BY id DESC LIMIT 1`, [channel]))[0].reference as string;
  const ticketOf = async (reference: string) => (await t.ds.query(`SELECT * FROM tickets WHERE reference = $1`, [reference]))[0];
  const myCases = async (b: Browser) => {
    const res = await appFetch(t, b, '/api/portal/v1/me/cases');
    expect(res.status).toBe(200);
    return ((await res.json()) as any).cases as any[];
  };
  const submitRequest = (b: Browser, slug: string, email: string, csrf?: string | null) =>
    portalPost(
      t,
      b,
      `/api/portal/v1/comuni/${slug}/requests`,
      {
        submissionId: `sub-${randomBytes(6).toString('hex')}`,
        category: 'tributi',
        description: 'Come si paga la TARI a rate?',
        email,
        privacyConsent: true,
      },
      csrf,
    );

  it('opens Maria’s Telegram case in Bari, then links the chat to her account by code', async () => {
    expect((await telegramSays(7101, 'Buongiorno, il lampione di via Sparano 12 è spento da giorni')).status).toBe(200);
    telegramRef = await latestRef('telegram');
    expect((await telegramSays(7199, 'Segnalo una buca in via Capruzzi')).status).toBe(200);
    strangerRef = await latestRef('telegram');
    expect(strangerRef).not.toBe(telegramRef);
    expect(await myCases(mariaB)).toEqual([]);

    const { code } = (await (await portalPost(t, mariaB, '/api/portal/v1/me/links', { channel: 'telegram' })).json()) as any;
    const answer = tg.next((r) => r.path.endsWith('/sendMessage') && String(TelegramStandin.params(r).chat_id) === '7101');
    await telegramSays(7101, `COLLEGA ${code}`);
    expect(TelegramStandin.params(await answer).text).toBe(LINKED_TEXT);
  });

  it('lists the Telegram case of Bari and a request she sends logged in to Modugno, with comune and state', async () => {
    const sent = await submitRequest(mariaB, 'modugno', maria.email);
    expect(sent.status).toBe(201);
    modugnoRef = ((await sent.json()) as any).reference;
    // An operator answers the Telegram case: in progress for the citizen.
    const tg1 = await ticketOf(telegramRef);
    await t.http
      .post(`/api/tickets/${tg1.id}/messages`)
      .set('Authorization', `Bearer ${sup}`)
      .send({ text: 'Ce ne occupiamo noi.' })
      .expect(201);

    const cases = await myCases(mariaB);
    expect(cases.map((c) => c.reference).sort()).toEqual([telegramRef, modugnoRef].sort());
    const byRef = Object.fromEntries(cases.map((c) => [c.reference, c]));
    expect(byRef[telegramRef]).toMatchObject({
      comune: { name: 'Bari', slug: 'bari' },
      channel: 'telegram',
      state: 'in_progress',
      createdAt: expect.any(String),
      resolvedAt: null,
      lastMessageAt: expect.any(String),
    });
    expect(byRef[modugnoRef]).toMatchObject({
      comune: { name: 'Modugno', slug: 'modugno' },
      channel: 'portal',
      type: 'request',
      category: 'tributi',
      state: 'received',
      takenInChargeAt: null,
    });
    // The expected answer date is the SLA policy's resolution due date, when one applies.
    const [m] = await t.ds.query(`SELECT resolution_due_at FROM ticket_metrics WHERE ticket_id = $1 AND sla_policy_id IS NOT NULL`, [
      tg1.id,
    ]);
    expect(byRef[telegramRef].expectedBy).toBe(m?.resolution_due_at ? new Date(m.resolution_due_at).toISOString() : null);
  });

  it('shows no case of another citizen: not in the list, 404 on the detail (Nicola’s own list has it)', async () => {
    const sent = await submitRequest(nicolaB, 'bari', nicola.email);
    expect(sent.status).toBe(201);
    nicolaRef = ((await sent.json()) as any).reference;
    expect((await myCases(nicolaB)).map((c) => c.reference)).toEqual([nicolaRef]);
    const mine = (await myCases(mariaB)).map((c) => c.reference);
    expect(mine).not.toContain(nicolaRef);
    expect(mine).not.toContain(strangerRef);
    for (const ref of [nicolaRef, strangerRef, 'BA-2099-999999', 'not-a-reference']) {
      const res = await appFetch(t, mariaB, `/api/portal/v1/me/cases/${ref}`);
      expect({ ref, status: res.status }).toEqual({ ref, status: 404 });
    }
    // Maria's reply to Nicola's case: the same 404, nothing stored.
    const before = await t.ds.query(
      `SELECT count(*)::int AS n FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.reference = $1`,
      [nicolaRef],
    );
    const intrusion = await portalPost(t, mariaB, `/api/portal/v1/me/cases/${nicolaRef}/messages`, { text: 'Intrusa' });
    expect(intrusion.status).toBe(404);
    expect(
      await t.ds.query(`SELECT count(*)::int AS n FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.reference = $1`, [
        nicolaRef,
      ]),
    ).toEqual(before);
  });

  it('a request sent anonymously (no CSRF token: not a logged-in submission) does not join her list', async () => {
    const sent = await submitRequest(browser(), 'modugno', 'qualcuno@example.it', null);
    expect(sent.status).toBe(201);
    const ref = ((await sent.json()) as any).reference;
    expect((await myCases(mariaB)).map((c) => c.reference)).not.toContain(ref);
    // Logged in but with another person's address: the case is sent, not linked to her account.
    const other = await submitRequest(mariaB, 'bari', 'altra.persona@example.it');
    expect(other.status).toBe(201);
    expect((await myCases(mariaB)).map((c) => c.reference)).not.toContain(((await other.json()) as any).reference);
  });

  it('the detail shows the conversation without internal notes', async () => {
    const tg1 = await ticketOf(telegramRef);
    await t.http
      .post(`/api/tickets/${tg1.id}/messages`)
      .set('Authorization', `Bearer ${sup}`)
      .send({ text: 'Nota interna: chiamare la ditta', internal: true })
      .expect(201);
    const res = await appFetch(t, mariaB, `/api/portal/v1/me/cases/${telegramRef}`);
    expect(res.status).toBe(200);
    const d = (await res.json()) as any;
    expect(d).toMatchObject({ reference: telegramRef, comune: { slug: 'bari' }, canReply: true });
    const texts = d.messages.map((m: any) => m.text);
    expect(texts).toEqual(expect.arrayContaining(['Buongiorno, il lampione di via Sparano 12 è spento da giorni', 'Ce ne occupiamo noi.']));
    expect(JSON.stringify(d)).not.toContain('Nota interna');
    expect(d.messages.map((m: any) => m.from)).toEqual(expect.arrayContaining(['citizen', 'operator']));
  });

  it('her reply from the web joins the case (the operator sees it); without CSRF 403, without a session 401', async () => {
    const noCsrf = await appFetch(t, mariaB, `/api/portal/v1/me/cases/${telegramRef}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Senza token' }),
    });
    expect(noCsrf.status).toBe(403);
    const anon = await appFetch(t, browser(), '/api/portal/v1/me/cases');
    expect(anon.status).toBe(401);
    expect(await anon.json()).toMatchObject({ code: 'login_required' });
    const anonDetail = await appFetch(t, browser(), `/api/portal/v1/me/cases/${telegramRef}`);
    expect(anonDetail.status).toBe(401);

    const ticketsBefore = (await t.ds.query(`SELECT count(*)::int AS n FROM tickets`))[0].n;
    const empty = await portalPost(t, mariaB, `/api/portal/v1/me/cases/${telegramRef}/messages`, { text: '  ' });
    expect(empty.status).toBe(400);
    const res = await portalPost(t, mariaB, `/api/portal/v1/me/cases/${telegramRef}/messages`, {
      text: 'Grazie, il lampione è ancora spento stasera.',
      clientMessageId: 'mine-reply-0001',
    });
    expect(res.status).toBe(201);
    const again = await portalPost(t, mariaB, `/api/portal/v1/me/cases/${telegramRef}/messages`, {
      text: 'Grazie, il lampione è ancora spento stasera.',
      clientMessageId: 'mine-reply-0001',
    });
    expect(again.status).toBe(200);
    const tg1 = await ticketOf(telegramRef);
    const console = await t.http.get(`/api/tickets/${tg1.id}`).set('Authorization', `Bearer ${sup}`).expect(200);
    const replies = console.body.messages.filter((m: any) => m.text === 'Grazie, il lampione è ancora spento stasera.');
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ direction: 'inbound', channel: 'portal' });
    const d = (await (await appFetch(t, mariaB, `/api/portal/v1/me/cases/${telegramRef}`)).json()) as any;
    // Hers, once (routing's «presa in carico» may come after it: the order of the two is not hers to set).
    expect(d.messages.filter((m: any) => m.text === 'Grazie, il lampione è ancora spento stasera.')).toEqual([
      expect.objectContaining({ from: 'citizen' }),
    ]);
    // Her portal request in Modugno takes a reply the same way (from the case's own portal address).
    const onPortal = await portalPost(t, mariaB, `/api/portal/v1/me/cases/${modugnoRef}/messages`, {
      text: 'Aggiungo: ho già pagato la prima rata.',
    });
    expect(onPortal.status).toBe(201);
    const modugno = await ticketOf(modugnoRef);
    const added = await t.ds.query(`SELECT direction, channel FROM messages WHERE ticket_id = $1 AND text = $2`, [
      modugno.id,
      'Aggiungo: ho già pagato la prima rata.',
    ]);
    expect(added).toEqual([{ direction: 'inbound', channel: 'portal' }]);
    // Replies join their cases: no case was opened.
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM tickets`))[0].n).toBe(ticketsBefore);
  });

  it('an operator token is no citizen session', async () => {
    const res = await fetch(`${t.url}/api/portal/v1/me/cases`, { headers: { authorization: `Bearer ${sup}` } });
    expect(res.status).toBe(401);
    expect((await session(t, mariaB)).authenticated).toBe(true);
  });
});
