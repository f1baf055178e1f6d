import { eventually, login, startApp, type TestApp } from '../support/harness.js';
import { GraphStandin, hubSignature, waNotification } from './support/graph-standin.js';
import { TelegramStandin } from './support/telegram-standin.js';

/**
 * A citizen who wrote on Telegram or WhatsApp is told there, in Italian, when the ticket is taken
 * in charge and when it is resolved; on WhatsApp outside the 24-hour window through the approved template.
 */
const TG_TOKEN = '7000000001:AAH-notifications-test-token-xxxxx';
const TG_SECRET = 'notifications-telegram-secret-1';
const PHONE_ID = '109999000111';
const WA_TOKEN = 'EAAG-notifications-access-token';
const WA_SECRET = 'notifications-app-secret';

describe('citizen notifications of ticket state changes', () => {
  let t: TestApp;
  let tg: TelegramStandin;
  let graph: GraphStandin;
  let manager: string;
  let tgAccount: number;
  let waAccount: number;

  beforeAll(async () => {
    tg = await new TelegramStandin(TG_TOKEN).start();
    graph = await new GraphStandin(WA_TOKEN).start();
    t = await startApp({ TELEGRAM_API_ROOT: tg.url, GRAPH_API_BASE_URL: graph.baseUrl, CHANNEL_NOTIFY_POLL_MS: '100' });
    manager = await login(t, 'manager@bari.demo');
    const a = await t.http.post('/api/channel-accounts').set('Authorization', `Bearer ${manager}`).send({
      channel: 'telegram', label: 'Bot', config: { botUsername: 'urp_bari_test_bot' }, secrets: { botToken: TG_TOKEN, webhookSecret: TG_SECRET } });
    tgAccount = a.body.id;
    const b = await t.http.post('/api/channel-accounts').set('Authorization', `Bearer ${manager}`).send({
      channel: 'whatsapp', label: 'WA', config: { phoneNumberId: PHONE_ID, displayPhoneNumber: '+39 080 5771111', notificationTemplate: { name: 'aggiornamento_pratica', language: 'it' } },
      secrets: { accessToken: WA_TOKEN, appSecret: WA_SECRET, verifyToken: 'verify-token-xyz' } });
    waAccount = b.body.id;
  });
  afterAll(async () => {
    await t?.close();
    await tg?.stop();
    await graph?.stop();
  });

  const sendsTo = (chat: number) => tg.method('sendMessage').filter((r) => String(TelegramStandin.params(r).chat_id) === String(chat)).map((r) => TelegramStandin.params(r).text as string);

  it('tells a Telegram citizen once when the ticket is taken in charge, and when it is resolved', async () => {
    await t.http.post(`/webhooks/telegram/${tgAccount}`).set('Content-Type', 'application/json').set('X-Telegram-Bot-Api-Secret-Token', TG_SECRET)
      .send(JSON.stringify({ update_id: 1, message: { message_id: 1, from: { id: 8001, is_bot: false, first_name: 'Luca' }, chat: { id: 8001, type: 'private', first_name: 'Luca' }, date: 1, text: "A che ora apre l'anagrafe?" } }))
      .expect(200);
    const [row] = await t.ds.query(`SELECT ticket_id, (SELECT reference FROM tickets WHERE id = ticket_id) AS reference FROM messages WHERE channel = 'telegram' AND external_id = $1`, [`${tgAccount}:8001:1`]);
    const supervisor = await login(t, 'supervisore@bari.demo');
    await t.http.post(`/api/tickets/${row.ticket_id}/accept`).set('Authorization', `Bearer ${supervisor}`).expect((r) => expect(r.status).toBeLessThan(300));
    await eventually(async () => sendsTo(8001).length >= 1 || null);
    expect(sendsTo(8001)).toEqual([`La sua richiesta ${row.reference} è stata presa in carico da un operatore dell’URP del Comune di Bari. Le risponderemo qui appena possibile.`]);

    // The notice is on the ticket, as a system message, with its delivery state.
    const notice = await eventually(async () => {
      const [m] = await t.ds.query(`SELECT author_type, delivery_status FROM messages WHERE ticket_id = $1 AND author_type = 'system'`, [row.ticket_id]);
      return m?.delivery_status === 'sent' ? m : null;
    });
    expect(notice.author_type).toBe('system');

    // A transfer to another operator does not say it again; resolving does say it.
    const operator = await t.ds.query(`SELECT id FROM operators WHERE email = 'operatore@bari.demo'`);
    await t.http.post(`/api/tickets/${row.ticket_id}/transfer`).set('Authorization', `Bearer ${supervisor}`).send({ operatorId: operator[0].id });
    await t.http.patch(`/api/tickets/${row.ticket_id}`).set('Authorization', `Bearer ${supervisor}`).send({ status: 'resolved' }).expect(200);
    await eventually(async () => sendsTo(8001).length >= 2 || null);
    await new Promise((r) => setTimeout(r, 500)); // several scan periods: a second "taken in charge" would have come
    expect(sendsTo(8001)).toEqual([
      expect.stringContaining('è stata presa in carico'),
      `La sua richiesta ${row.reference} è stata risolta. Grazie per aver contattato l’URP del Comune di Bari. Per una nuova richiesta può scriverci di nuovo qui.`,
    ]);
  });

  it('uses the approved template on WhatsApp once the 24-hour window is closed', async () => {
    const body = JSON.stringify(waNotification(PHONE_ID, { contacts: [{ profile: { name: 'Rosa' }, wa_id: '393401234567' }], messages: [{ from: '393401234567', id: 'wamid.N1', timestamp: '1', type: 'text', text: { body: "Orari dell'anagrafe?" } }] }));
    await t.http.post(`/webhooks/whatsapp/${waAccount}`).set('Content-Type', 'application/json').set('X-Hub-Signature-256', hubSignature(body, WA_SECRET)).send(body).expect(200);
    const [row] = await t.ds.query(`SELECT ticket_id, (SELECT reference FROM tickets WHERE id = ticket_id) AS reference FROM messages WHERE external_id = 'wamid.N1'`);
    await t.ds.query(`UPDATE messages SET created_at = now() - interval '2 days' WHERE ticket_id = $1`, [row.ticket_id]);
    const supervisor = await login(t, 'supervisore@bari.demo');
    await t.http.patch(`/api/tickets/${row.ticket_id}`).set('Authorization', `Bearer ${supervisor}`).send({ status: 'resolved' }).expect(200);
    const call = await graph.next((r) => r.json?.type === 'template' && r.json?.to === '393401234567');
    expect(call.json.template).toEqual({
      name: 'aggiornamento_pratica', language: { code: 'it' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: row.reference }, { type: 'text', text: 'risolta' }] }],
    });
  });
});
