import nodemailer from 'nodemailer';
import { EmailSmtpServer } from '../../src/channels/email/email-smtp.server.js';
import { connectCitizen, eventually, login, startApp, type TestApp } from '../support/harness.js';
import { startSmtpSink, type SmtpSink } from './email/mail-standins.js';
import { GraphStandin, hubSignature, waNotification } from './support/graph-standin.js';
import { TelegramStandin } from './support/telegram-standin.js';

/**
 * A citizen who wrote on Telegram or WhatsApp is told there, in Italian, when the ticket is taken
 * in charge and when it is resolved; on WhatsApp outside the 24-hour window through the approved template.
 * A citizen of the web chat or of a phone request is told on the contact they left with consent
 * to updates: by e-mail from the comune's mailbox (an SMTP sink here), or on WhatsApp.
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
  let sink: SmtpSink;

  beforeAll(async () => {
    tg = await new TelegramStandin(TG_TOKEN).start();
    graph = await new GraphStandin(WA_TOKEN).start();
    sink = await startSmtpSink();
    t = await startApp({
      TELEGRAM_API_ROOT: tg.url,
      GRAPH_API_BASE_URL: graph.baseUrl,
      CHANNEL_NOTIFY_POLL_MS: '100',
      EMAIL_SMTP_ENABLED: 'true',
      EMAIL_SMTP_PORT: '0',
      EMAIL_DEFAULT_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
    });
    manager = await login(t, 'manager@bari.demo');
    // Bari's demo WhatsApp number has placeholder credentials: the comune's number is the one below.
    const [demoWa] = await t.ds.query(
      `SELECT a.id FROM channel_accounts a JOIN comuni c ON c.id = a.comune_id WHERE c.slug = 'bari' AND a.channel = 'whatsapp'`,
    );
    await t.http
      .delete(`/api/channel-accounts/${demoWa.id}`)
      .set('Authorization', `Bearer ${manager}`)
      .expect((r) => expect(r.status).toBeLessThan(300));
    const a = await t.http
      .post('/api/channel-accounts')
      .set('Authorization', `Bearer ${manager}`)
      .send({
        channel: 'telegram',
        label: 'Bot',
        config: { botUsername: 'urp_bari_test_bot' },
        secrets: { botToken: TG_TOKEN, webhookSecret: TG_SECRET },
      });
    tgAccount = a.body.id;
    const b = await t.http
      .post('/api/channel-accounts')
      .set('Authorization', `Bearer ${manager}`)
      .send({
        channel: 'whatsapp',
        label: 'WA',
        config: {
          phoneNumberId: PHONE_ID,
          displayPhoneNumber: '+39 080 5771111',
          notificationTemplate: { name: 'aggiornamento_pratica', language: 'it' },
        },
        secrets: { accessToken: WA_TOKEN, appSecret: WA_SECRET, verifyToken: 'verify-token-xyz' },
      });
    waAccount = b.body.id;
  });
  afterAll(async () => {
    await t?.close();
    await tg?.stop();
    await graph?.stop();
    await sink?.close();
  });

  /** Takes a ticket as Bari's supervisor once it waits in a queue (routing runs in the worker). */
  const accept = (ticketId: string, token: string) =>
    eventually(
      async () => {
        const r = await t.http.post(`/api/tickets/${ticketId}/accept`).set('Authorization', `Bearer ${token}`);
        return r.status < 300 || null;
      },
      8000,
      `accepting ticket ${ticketId}`,
    );
  const resolve = (ticketId: string, token: string) =>
    t.http.patch(`/api/tickets/${ticketId}`).set('Authorization', `Bearer ${token}`).send({ status: 'resolved' }).expect(200);
  /** A request taken by phone or at the desk, as the console's "new request" form sends it. */
  const counterTicket = async (token: string, citizen: Record<string, string>, updatesConsent?: boolean) => {
    const res = await t.http
      .post('/api/console/tickets')
      .set('Authorization', `Bearer ${token}`)
      .send({ channel: 'phone', citizen, text: 'Chiede quando riapre la biblioteca comunale.', privacyConsent: true, updatesConsent });
    expect(res.status).toBe(201);
    return res.body as { ticketId: string; ticketReference: string };
  };
  /** The ticket's messages as the console reads them. */
  const consoleMessages = async (ticketId: string, token: string) =>
    (await t.http.get(`/api/tickets/${ticketId}`).set('Authorization', `Bearer ${token}`).expect(200)).body.messages as any[];
  /** Every notice-worthy event of the ticket has been looked at by the notifier. */
  const settled = (ticketId: string, events: number) =>
    eventually(async () => {
      const [r] = await t.ds.query(`SELECT count(*)::int AS n FROM channel_notifications WHERE ticket_id = $1`, [ticketId]);
      return r.n >= events || null;
    });
  const mailsTo = (address: string) => sink.deliveries.filter((d) => d.accepted && d.rcpt.includes(address));

  const sendsTo = (chat: number) =>
    tg
      .method('sendMessage')
      .filter((r) => String(TelegramStandin.params(r).chat_id) === String(chat))
      .map((r) => TelegramStandin.params(r).text as string);

  it('tells a Telegram citizen once when the ticket is taken in charge, and when it is resolved', async () => {
    await t.http
      .post(`/webhooks/telegram/${tgAccount}`)
      .set('Content-Type', 'application/json')
      .set('X-Telegram-Bot-Api-Secret-Token', TG_SECRET)
      .send(
        JSON.stringify({
          update_id: 1,
          message: {
            message_id: 1,
            from: { id: 8001, is_bot: false, first_name: 'Luca' },
            chat: { id: 8001, type: 'private', first_name: 'Luca' },
            date: 1,
            text: "A che ora apre l'anagrafe?",
          },
        }),
      )
      .expect(200);
    const [row] = await t.ds.query(
      `SELECT ticket_id, (SELECT reference FROM tickets WHERE id = ticket_id) AS reference FROM messages WHERE channel = 'telegram' AND external_id = $1`,
      [`${tgAccount}:8001:1`],
    );
    const supervisor = await login(t, 'supervisore@bari.demo');
    await t.http
      .post(`/api/tickets/${row.ticket_id}/accept`)
      .set('Authorization', `Bearer ${supervisor}`)
      .expect((r) => expect(r.status).toBeLessThan(300));
    await eventually(async () => sendsTo(8001).length >= 1 || null);
    expect(sendsTo(8001)).toEqual([
      `La sua richiesta ${row.reference} è stata presa in carico da un operatore dell’URP del Comune di Bari. Le risponderemo qui appena possibile.`,
    ]);

    // The notice is on the ticket, as a system message, with its delivery state.
    const notice = await eventually(async () => {
      const [m] = await t.ds.query(`SELECT author_type, delivery_status FROM messages WHERE ticket_id = $1 AND author_type = 'system'`, [
        row.ticket_id,
      ]);
      return m?.delivery_status === 'sent' ? m : null;
    });
    expect(notice.author_type).toBe('system');

    // A transfer to another operator does not say it again; resolving does say it.
    const operator = await t.ds.query(`SELECT id FROM operators WHERE email = 'operatore@bari.demo'`);
    await t.http
      .post(`/api/tickets/${row.ticket_id}/transfer`)
      .set('Authorization', `Bearer ${supervisor}`)
      .send({ operatorId: operator[0].id });
    await t.http
      .patch(`/api/tickets/${row.ticket_id}`)
      .set('Authorization', `Bearer ${supervisor}`)
      .send({ status: 'resolved' })
      .expect(200);
    await eventually(async () => sendsTo(8001).length >= 2 || null);
    await new Promise((r) => setTimeout(r, 500)); // several scan periods: a second "taken in charge" would have come
    expect(sendsTo(8001)).toEqual([
      expect.stringContaining('è stata presa in carico'),
      `La sua richiesta ${row.reference} è stata risolta. Grazie per aver contattato l’URP del Comune di Bari. Per una nuova richiesta può scriverci di nuovo qui.`,
    ]);
  });

  it('uses the approved template on WhatsApp once the 24-hour window is closed', async () => {
    const body = JSON.stringify(
      waNotification(PHONE_ID, {
        contacts: [{ profile: { name: 'Rosa' }, wa_id: '393401234567' }],
        messages: [{ from: '393401234567', id: 'wamid.N1', timestamp: '1', type: 'text', text: { body: "Orari dell'anagrafe?" } }],
      }),
    );
    await t.http
      .post(`/webhooks/whatsapp/${waAccount}`)
      .set('Content-Type', 'application/json')
      .set('X-Hub-Signature-256', hubSignature(body, WA_SECRET))
      .send(body)
      .expect(200);
    const [row] = await t.ds.query(
      `SELECT ticket_id, (SELECT reference FROM tickets WHERE id = ticket_id) AS reference FROM messages WHERE external_id = 'wamid.N1'`,
    );
    await t.ds.query(`UPDATE messages SET created_at = now() - interval '2 days' WHERE ticket_id = $1`, [row.ticket_id]);
    const supervisor = await login(t, 'supervisore@bari.demo');
    await t.http
      .patch(`/api/tickets/${row.ticket_id}`)
      .set('Authorization', `Bearer ${supervisor}`)
      .send({ status: 'resolved' })
      .expect(200);
    const call = await graph.next((r) => r.json?.type === 'template' && r.json?.to === '393401234567');
    expect(call.json.template).toEqual({
      name: 'aggiornamento_pratica',
      language: { code: 'it' },
      components: [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: row.reference },
            { type: 'text', text: 'risolta' },
          ],
        },
      ],
    });
  });

  describe('on the contact a citizen left', () => {
    let supervisor: string;
    beforeAll(async () => {
      supervisor = await login(t, 'supervisore@bari.demo');
    });

    it('e-mails a web-chat citizen who left an address, threads their reply into the ticket, and e-mails again when resolved', async () => {
      const { sessionToken, socket } = await connectCitizen(t, 'bari');
      socket.disconnect();
      const left = await t.http
        .post('/api/webchat/bari/leave-message')
        .send({
          sessionToken,
          text: 'Il lampione di via Sparano 12 è spento da una settimana.',
          contact: ' Maria.Rossi@Example.it ',
          name: 'Maria Rossi',
          privacyConsent: true,
        })
        .expect(201);
      const reference = left.body.ticketReference as string;
      const [{ id: ticketId }] = await t.ds.query(`SELECT id::text FROM tickets WHERE reference = $1`, [reference]);

      await accept(ticketId, supervisor);
      const first = await sink.waitFor((d) => d.rcpt.includes('maria.rossi@example.it'));
      expect(first.parsed.subject).toBe(`Il lampione di via Sparano 12 è spento da una settimana. [${reference}]`);
      expect(first.parsed.from?.value[0]).toEqual({ address: 'urp@bari.demo', name: 'URP Comune di Bari' });
      expect(first.parsed.to && !Array.isArray(first.parsed.to) ? first.parsed.to.value[0] : null).toEqual({
        address: 'maria.rossi@example.it',
        name: 'Maria Rossi',
      });
      expect(first.parsed.text).toContain(
        `La sua richiesta ${reference} è stata presa in carico da un operatore dell’URP del Comune di Bari.`,
      );
      expect(first.parsed.html).toContain('<html lang="it">');
      expect(first.parsed.html).toContain('è stata presa in carico');
      expect(first.parsed.headers.get('auto-submitted')).toBe('auto-generated');

      // In the console: a system message of the ticket, sent by e-mail to the contact.
      const notice = await eventually(async () =>
        (await consoleMessages(ticketId, supervisor)).find((m) => m.authorType === 'system' && m.deliveryStatus === 'sent'),
      );
      expect(notice).toMatchObject({ channel: 'email', recipient: 'maria.rossi@example.it', deliveryError: null });

      // The citizen answers the mail: it joins the same ticket, as the citizen's.
      const tr = nodemailer.createTransport({ host: '127.0.0.1', port: t.app.get(EmailSmtpServer).port!, secure: false, ignoreTLS: true });
      await tr.sendMail({
        from: '"Maria Rossi" <maria.rossi@example.it>',
        to: 'urp@bari.demo',
        subject: `Re: ${first.parsed.subject}`,
        inReplyTo: first.parsed.messageId,
        references: [first.parsed.messageId!],
        messageId: '<risposta-maria-1@example.it>',
        text: 'Grazie. Aggiungo che anche il lampione al civico 14 è spento.',
      });
      tr.close();
      const reply = await eventually(async () =>
        (await consoleMessages(ticketId, supervisor)).find((m) => m.direction === 'inbound' && m.channel === 'email'),
      );
      expect(reply.text).toBe('Grazie. Aggiungo che anche il lampione al civico 14 è spento.');
      const [{ n: tickets }] = await t.ds.query(
        `SELECT count(*)::int AS n FROM tickets WHERE subject LIKE 'Re: Il lampione di via Sparano%'`,
      );
      expect(tickets).toBe(0);

      // She wrote last by e-mail (the web chat is long closed): the operator's answer goes there.
      const answer = await t.http
        .post(`/api/tickets/${ticketId}/messages`)
        .set('Authorization', `Bearer ${supervisor}`)
        .send({ text: 'Abbiamo segnalato anche il civico 14 alla ditta di manutenzione.' })
        .expect(201);
      expect(answer.body).toMatchObject({ channel: 'email', recipient: 'maria.rossi@example.it' });
      const answered = await sink.waitFor(
        (d) => d.rcpt.includes('maria.rossi@example.it') && (d.parsed.text ?? '').includes('anche il civico 14 alla ditta'),
      );
      expect(answered.parsed.subject).toContain(`[${reference}]`);

      await resolve(ticketId, supervisor);
      const second = await sink.waitFor(
        (d) => d.rcpt.includes('maria.rossi@example.it') && (d.parsed.text ?? '').includes('è stata risolta'),
      );
      expect(second.parsed.subject).toContain(`[${reference}]`);
      expect(second.parsed.text).toContain(
        `La sua richiesta ${reference} è stata risolta. Grazie per aver contattato l’URP del Comune di Bari.`,
      );
      await settled(ticketId, 2);
      await new Promise((r) => setTimeout(r, 500)); // several scan periods: nothing more comes
      expect(mailsTo('maria.rossi@example.it')).toHaveLength(3); // two notices and the operator's answer
    });

    it('sends nothing to a citizen who did not consent to updates, or withdrew the consent', async () => {
      const refused = await counterTicket(supervisor, { name: 'Carlo Neri', email: 'carlo.neri@example.it' }, false);
      // Gave the address with consent on a first call, then said no on a second one: the latest choice counts.
      const withdrawn = await counterTicket(
        supervisor,
        { name: 'Anna Blu', fiscalCode: 'BLUNNA80A41A662X', email: 'anna.blu@example.it' },
        true,
      );
      await counterTicket(supervisor, { name: 'Anna Blu', fiscalCode: 'BLUNNA80A41A662X', email: 'anna.blu@example.it' }, false);
      for (const x of [refused, withdrawn]) {
        await accept(x.ticketId, supervisor);
        await resolve(x.ticketId, supervisor);
        await settled(x.ticketId, 2);
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(mailsTo('carlo.neri@example.it')).toHaveLength(0);
      expect(mailsTo('anna.blu@example.it')).toHaveLength(0);
      for (const x of [refused, withdrawn]) {
        expect((await consoleMessages(x.ticketId, supervisor)).filter((m) => m.authorType === 'system')).toEqual([]);
      }
    });

    it('sends the approved WhatsApp template to the mobile number a caller left', async () => {
      const { ticketId, ticketReference } = await counterTicket(supervisor, { name: 'Rocco Bianchi', phone: '340 765 4321' }, true);
      await accept(ticketId, supervisor);
      const call = await graph.next((r) => r.path === `/v21.0/${PHONE_ID}/messages` && r.json?.to === '393407654321');
      expect(call.json).toEqual({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '393407654321',
        type: 'template',
        template: {
          name: 'aggiornamento_pratica',
          language: { code: 'it' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: ticketReference },
                { type: 'text', text: 'presa in carico' },
              ],
            },
          ],
        },
      });
      const notice = await eventually(async () =>
        (await consoleMessages(ticketId, supervisor)).find((m) => m.authorType === 'system' && m.deliveryStatus === 'sent'),
      );
      expect(notice).toMatchObject({ channel: 'whatsapp', recipient: '+393407654321' });

      // Rocco answers on WhatsApp: the number he left becomes his, and the answer joins his ticket.
      const answer = (id: string, text: string) =>
        JSON.stringify(
          waNotification(PHONE_ID, {
            contacts: [{ profile: { name: 'Rocco' }, wa_id: '393407654321' }],
            messages: [{ from: '393407654321', id, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }],
          }),
        );
      for (const [id, text] of [
        ['wamid.ROCCO1', 'Grazie, quando passa il tecnico?'],
        ['wamid.ROCCO2', 'Sono a casa dopo le 15.'],
      ]) {
        const body = answer(id, text);
        await t.http
          .post(`/webhooks/whatsapp/${waAccount}`)
          .set('Content-Type', 'application/json')
          .set('X-Hub-Signature-256', hubSignature(body, WA_SECRET))
          .send(body)
          .expect(200);
      }
      const inbound = await eventually(async () => {
        const list = (await consoleMessages(ticketId, supervisor)).filter((m) => m.direction === 'inbound' && m.channel === 'whatsapp');
        return list.length === 2 ? list : null;
      });
      expect(inbound.map((m) => m.text)).toEqual(['Grazie, quando passa il tecnico?', 'Sono a casa dopo le 15.']);
      const [{ n }] = await t.ds.query(
        `SELECT count(*)::int AS n FROM tickets t JOIN citizen_identities i ON i.id = t.citizen_identity_id WHERE i.channel = 'whatsapp' AND i.address = $1`,
        [`${waAccount}:393407654321`],
      );
      expect(n).toBe(0);
      const ticket = (await t.http.get(`/api/tickets/${ticketId}`).set('Authorization', `Bearer ${supervisor}`).expect(200)).body;
      expect(ticket.citizen.identities.map((i: any) => i.channel)).toContain('whatsapp');
    });

    it('shows in the console, as a failed delivery, a notice the comune has no way to send', async () => {
      // Modugno has no WhatsApp number; a landline has no WhatsApp at all.
      const modugno = await login(t, 'supervisore@modugno.demo');
      const mobile = await counterTicket(modugno, { name: 'Ida Gialli', phone: '+39 347 111 2222' }, true);
      const landline = await counterTicket(supervisor, { name: 'Ugo Viola', phone: '080 521 0000' }, true);
      await accept(mobile.ticketId, modugno);
      await accept(landline.ticketId, supervisor);
      const failed = async (ticketId: string, token: string) =>
        eventually(async () =>
          (await consoleMessages(ticketId, token)).find((m) => m.authorType === 'system' && m.deliveryStatus === 'failed'),
        );
      expect(await failed(mobile.ticketId, modugno)).toMatchObject({
        channel: 'whatsapp',
        recipient: null,
        deliveryError:
          'Avviso non inviato: il cittadino ha lasciato il numero +393471112222, ma il Comune non ha un numero WhatsApp Business attivo da cui scrivergli. Se serve, avvisare il cittadino per telefono.',
      });
      expect((await failed(landline.ticketId, supervisor)).deliveryError).toBe(
        'Avviso non inviato: +390805210000 è un numero fisso, non raggiungibile su WhatsApp. Se serve, avvisare il cittadino per telefono.',
      );
      const events = (await t.http.get(`/api/tickets/${mobile.ticketId}/events`).set('Authorization', `Bearer ${modugno}`).expect(200))
        .body as any[];
      expect(events.map((e) => e.type)).toContain('citizen.not_notified');
      expect(graph.received.filter((r) => ['393471112222', '390805210000'].includes(r.json?.to))).toEqual([]);
    });
  });
});
