import nodemailer from 'nodemailer';
import type { Socket } from 'socket.io-client';
import { EmailSmtpServer } from '../../src/channels/email/email-smtp.server.js';
import { connectAgent, eventually, login, nextEvent, startApp, type TestApp } from '../support/harness.js';
import { TelegramStandin } from '../channels/support/telegram-standin.js';
import { startSmtpSink, type SmtpSink } from '../channels/email/mail-standins.js';

type MailOptions = Parameters<ReturnType<typeof nodemailer.createTransport>['sendMail']>[0];

/**
 * CSAT answered by text on the citizen's own channel, end to end: the real app with telegraf
 * talking to a stand-in Bot API, the app's own SMTP server receiving what nodemailer sends it and
 * replies leaving to an SMTP sink, real PostgreSQL and Redis. A ticket is resolved, the survey
 * reaches the citizen, the citizen answers with a number (and a comment), and the rating shows in
 * the dashboard's CSAT figures per group and operator, with no new ticket.
 */
const TOKEN = '7123456789:AAH-test-token-for-the-csat-stand-in';
const SECRET = 'sportello-telegram-webhook-secret-csat';
const SURVEY = /Risponda a questo messaggio con un numero da 1 \(per niente soddisfatto\) a 5/;

describe('CSAT answered by text on Telegram and e-mail', () => {
  let t: TestApp;
  let tg: TelegramStandin;
  let sink: SmtpSink;
  let smtpPort: number;
  let accountId: number;
  let agent: Socket;
  const tok: Record<string, string> = {};
  let updateSeq = 91_000;
  let messageSeq = 1;

  const tgMessage = (chatId: number, text: string, id = messageSeq++) => ({
    message_id: id,
    from: { id: chatId, is_bot: false, first_name: 'Maria', language_code: 'it' },
    chat: { id: chatId, first_name: 'Maria', type: 'private' },
    date: Math.floor(Date.now() / 1000),
    text,
  });
  const postUpdate = (body: Record<string, unknown>) =>
    t.http
      .post(`/webhooks/telegram/${accountId}`)
      .set('Content-Type', 'application/json')
      .set('X-Telegram-Bot-Api-Secret-Token', SECRET)
      .send(JSON.stringify(body));
  const tgSays = (chatId: number, text: string) => postUpdate({ update_id: updateSeq++, message: tgMessage(chatId, text) }).expect(200);
  const sentTo = (chatId: number, match: RegExp) =>
    tg
      .method('sendMessage')
      .filter((r) => String(TelegramStandin.params(r).chat_id) === String(chatId) && match.test(TelegramStandin.params(r).text ?? ''));

  async function citizenMail(m: MailOptions & { messageId: string }): Promise<void> {
    const tr = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
    try {
      await tr.sendMail({ to: 'urp@bari.demo', ...m });
    } finally {
      tr.close();
    }
  }

  const ticketsOf = async (channel: string, address: string) =>
    (
      await t.ds.query(
        `SELECT t.id, t.reference, t.status FROM tickets t JOIN citizen_identities i ON i.id = t.citizen_identity_id
      WHERE i.channel = $1 AND i.address = $2 ORDER BY t.id`,
        [channel, address],
      )
    ).map((r: any) => ({ ...r, id: String(r.id) }));
  const survey = async (ticketId: string) =>
    (await t.ds.query(`SELECT rating, comment, answered_at FROM csat_surveys WHERE ticket_id = $1`, [ticketId]))[0];
  const idle = () =>
    eventually(async () => (await t.ds.query(`SELECT count(*)::int AS n FROM analytics_dirty`))[0].n === 0, 10_000, 'metrics recomputed');

  /** The citizen writes (`send`), Bari's operator answers and resolves: the survey goes out. */
  async function resolvedConversation(
    channel: string,
    send: () => Promise<unknown>,
  ): Promise<{ id: string; reference: string; groupId: number }> {
    const offered = nextEvent(agent, 'ticket.offered', (p: any) => p.ticket.channel === channel);
    await send();
    const { ticket } = await offered;
    const reply = await t.http
      .post(`/api/tickets/${ticket.id}/messages`)
      .set('Authorization', `Bearer ${tok.op}`)
      .send({ text: 'Buongiorno, la biblioteca comunale apre alle 9:00, dal lunedì al sabato.' });
    expect(reply.status).toBe(201);
    expect(
      (await t.http.patch(`/api/tickets/${ticket.id}`).set('Authorization', `Bearer ${tok.op}`).send({ status: 'resolved' })).status,
    ).toBe(200);
    return { id: String(ticket.id), reference: ticket.reference, groupId: ticket.groupId };
  }

  beforeAll(async () => {
    tg = await new TelegramStandin(TOKEN).start();
    sink = await startSmtpSink();
    t = await startApp({
      TELEGRAM_API_ROOT: tg.url,
      PUBLIC_BASE_URL: 'https://sportello.example.it',
      ANALYTICS_POLL_MS: '100',
      EMAIL_SMTP_ENABLED: 'true',
      EMAIL_SMTP_PORT: '0',
      EMAIL_DEFAULT_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
    });
    smtpPort = t.app.get(EmailSmtpServer).port!;
    for (const [k, email] of Object.entries({ op: 'operatore@bari.demo', sup: 'supervisore@bari.demo', mgr: 'manager@bari.demo' }))
      tok[k] = await login(t, email);
    const created = await t.http
      .post('/api/channel-accounts')
      .set('Authorization', `Bearer ${tok.mgr}`)
      .send({
        channel: 'telegram',
        label: 'Bot URP Bari (CSAT)',
        config: { botUsername: 'urp_bari_test_bot' },
        secrets: { botToken: TOKEN, webhookSecret: SECRET },
      });
    expect(created.status).toBe(201);
    accountId = created.body.id;
    agent = await connectAgent(t, tok.op);
  });
  afterAll(async () => {
    agent?.disconnect();
    await t?.close();
    await tg?.stop();
    await sink?.close();
  });

  it('Telegram: "4 grazie" after the survey is the rating, kept on the resolved ticket, thanked once, recorded once', async () => {
    const chat = 9201;
    const ticket = await resolvedConversation('telegram', () => tgSays(chat, 'Buongiorno, a che ora apre la biblioteca comunale?'));
    await eventually(async () => sentTo(chat, SURVEY).length === 1, 10_000, 'survey sent to the Telegram chat');
    expect(TelegramStandin.params(sentTo(chat, SURVEY)[0]).text).toContain(ticket.reference);

    // The same update delivered twice at once, and once more later (Telegram retrying).
    const heard = nextEvent(agent, 'message.created', (p: any) => p.ticketId === ticket.id && p.message.direction === 'inbound');
    const answer = { update_id: updateSeq++, message: tgMessage(chat, '4 grazie') };
    const statuses = (await Promise.all([postUpdate(answer), postUpdate(answer)])).map((r) => r.status);
    expect(statuses).toEqual([200, 200]);
    expect((await heard).message.text).toBe('4 grazie');
    await postUpdate(answer).expect(200);

    const thanks = await tg.next(
      (r) =>
        r.path.endsWith('/sendMessage') &&
        String(TelegramStandin.params(r).chat_id) === String(chat) &&
        /Grazie per la sua valutazione/.test(TelegramStandin.params(r).text),
    );
    expect(TelegramStandin.params(thanks).text).toContain(`Grazie per la sua valutazione (4 su 5) della richiesta ${ticket.reference}`);

    expect(await survey(ticket.id)).toMatchObject({ rating: 4, comment: 'grazie' });
    const tickets = await ticketsOf('telegram', `${accountId}:${chat}`);
    expect(tickets).toEqual([{ id: ticket.id, reference: ticket.reference, status: 'resolved' }]);
    const stored = await t.ds.query(`SELECT ticket_id FROM messages WHERE channel = 'telegram' AND external_id = $1`, [
      `${accountId}:${chat}:${answer.message.message_id}`,
    ]);
    expect(stored.map((r: any) => String(r.ticket_id))).toEqual([ticket.id]);
    const events = await t.ds.query(`SELECT data FROM ticket_events WHERE ticket_id = $1 AND type = 'csat.received'`, [ticket.id]);
    expect(events).toEqual([{ data: expect.objectContaining({ rating: 4, channel: 'telegram' }) }]);
    await new Promise((r) => setTimeout(r, 800)); // a second thank-you, were one queued, would have gone by now
    expect(sentTo(chat, /Grazie per la sua valutazione/)).toHaveLength(1);

    // The survey is answered: a later number is an ordinary message again, opening a new request.
    await tgSays(chat, '5 lampioni spenti in via Sparano');
    expect(await ticketsOf('telegram', `${accountId}:${chat}`)).toHaveLength(2);
    expect(await survey(ticket.id)).toMatchObject({ rating: 4 });
  });

  it('Telegram: an answer that is not a rating opens a new request as before, and the survey stays open', async () => {
    const chat = 9202;
    const ticket = await resolvedConversation('telegram', () => tgSays(chat, 'Dove si ritira la tessera elettorale?'));
    await eventually(async () => sentTo(chat, SURVEY).length === 1, 10_000, 'survey sent to the Telegram chat');

    const offered = nextEvent(agent, 'ticket.offered', (p: any) => p.ticket.channel === 'telegram' && p.ticket.id !== ticket.id);
    await tgSays(chat, 'Ho ancora il problema, l’ufficio era chiuso');
    const { ticket: fresh } = await offered;
    const tickets = await ticketsOf('telegram', `${accountId}:${chat}`);
    expect(tickets.map((x: any) => [x.id, x.status])).toEqual([
      [ticket.id, 'resolved'],
      [String(fresh.id), expect.stringMatching(/new|open/)],
    ]);
    expect(await survey(ticket.id)).toMatchObject({ rating: null, answered_at: null });
    expect(sentTo(chat, /Grazie per la sua valutazione/)).toHaveLength(0);
  });

  it('e-mail: a reply "5 molto gentili" above the quoted survey is the rating; the same mail twice counts once', async () => {
    const from = 'anna.bianchi@example.it';
    const ticket = await resolvedConversation('email', () =>
      citizenMail({
        from: `"Anna Bianchi" <${from}>`,
        subject: 'Certificato di residenza',
        messageId: '<csat-mail-1@example.it>',
        text: 'Buongiorno, come richiedo un certificato di residenza?',
      }),
    );
    const surveyMail = await sink.waitFor((d) => d.rcpt.includes(from) && SURVEY.test(d.parsed.text ?? ''), 15_000);
    expect(surveyMail.parsed.subject).toContain(ticket.reference);

    const reply = {
      from,
      subject: surveyMail.parsed.subject!,
      messageId: '<csat-mail-2@example.it>',
      inReplyTo: surveyMail.parsed.messageId,
      references: [surveyMail.parsed.messageId!],
      text: `5 molto gentili\n\nIl giorno gio 15 gen 2026 alle 10:00 URP Comune di Bari <urp@bari.demo> ha scritto:\n> ${(surveyMail.parsed.text ?? '').split('\n')[0]}`,
    };
    await citizenMail(reply);
    await citizenMail(reply);
    const thanks = await sink.waitFor((d) => d.rcpt.includes(from) && /Grazie per la sua valutazione/.test(d.parsed.text ?? ''), 15_000);
    expect(thanks.parsed.text).toContain(`Grazie per la sua valutazione (5 su 5) della richiesta ${ticket.reference}`);

    expect(await survey(ticket.id)).toMatchObject({ rating: 5, comment: 'molto gentili' });
    expect(await ticketsOf('email', from)).toEqual([{ id: ticket.id, reference: ticket.reference, status: 'resolved' }]);
    const stored = await t.ds.query(
      `SELECT ticket_id, text FROM messages WHERE channel = 'email' AND external_id LIKE '%:csat-mail-2@example.it'`,
    );
    expect(stored).toEqual([{ ticket_id: expect.anything(), text: '5 molto gentili' }]);
    expect(String(stored[0].ticket_id)).toBe(ticket.id);
    await new Promise((r) => setTimeout(r, 800));
    expect(sink.deliveries.filter((d) => d.rcpt.includes(from) && /Grazie per la sua valutazione/.test(d.parsed.text ?? ''))).toHaveLength(
      1,
    );
  });

  it('counts the text answers in the CSAT figures per group and per operator', async () => {
    await idle();
    const [{ id: opId }] = await t.ds.query(`SELECT id FROM operators WHERE email = 'operatore@bari.demo'`);
    const [{ id: urp }] = await t.ds.query(
      `SELECT g.id FROM competence_groups g JOIN comuni c ON c.id = g.comune_id WHERE c.slug = 'bari' AND g.code = 'urp'`,
    );
    const byGroup = await t.http.get('/api/analytics/csat?breakdown=group').set('Authorization', `Bearer ${tok.mgr}`);
    expect(byGroup.status).toBe(200);
    // Telegram 4 and e-mail 5; the unanswered survey counts nothing.
    expect(byGroup.body.rows).toEqual([expect.objectContaining({ key: String(urp), responses: 2, average: 4.5, rating4: 1, rating5: 1 })]);
    const byOp = await t.http.get('/api/analytics/csat?breakdown=operator').set('Authorization', `Bearer ${tok.sup}`);
    expect(byOp.body.rows).toEqual([expect.objectContaining({ key: String(opId), responses: 2, average: 4.5 })]);
  });

  it('app: with another request still open, "5" answers the survey asked after it; "3" after the operator\'s question goes to the open request', async () => {
    const citizen = 'u-csat-open';
    let seq = 0;
    const appSays = async (body: Record<string, unknown>) => {
      const res = await t.http
        .post('/api/app/v1/messages')
        .set('X-Api-Key', 'demo-app-key-bari')
        .send({ messageId: `csat-open-${++seq}`, citizen: { id: citizen, name: 'Paolo' }, ...body });
      expect(res.status).toBe(201);
      return res.body as { ticketReference: string; messageId: string };
    };
    const byRef = async (reference: string) => String((await t.ds.query(`SELECT id FROM tickets WHERE reference = $1`, [reference]))[0].id);
    const messagesOf = async (ticketId: string) =>
      (
        await t.ds.query(`SELECT direction, text FROM messages WHERE ticket_id = $1 AND author_type <> 'system' ORDER BY id`, [ticketId])
      ).map((r: any) => `${r.direction}: ${r.text}`);
    const operatorReplies = async (ticketId: string, text: string) =>
      expect((await t.http.post(`/api/tickets/${ticketId}/messages`).set('Authorization', `Bearer ${tok.sup}`).send({ text })).status).toBe(
        201,
      );
    const resolve = async (ticketId: string) => {
      expect(
        (await t.http.patch(`/api/tickets/${ticketId}`).set('Authorization', `Bearer ${tok.sup}`).send({ status: 'resolved' })).status,
      ).toBe(200);
      await eventually(async () => (await survey(ticketId)) !== undefined, 10_000, 'survey asked');
    };
    const report = (text: string) => ({ type: 'report', text, location: { lat: 41.1177, lng: 16.8697 } });

    // A question, then a report (a report always opens its own request): two open requests.
    const a = await byRef((await appSays({ text: 'A che ora apre l’anagrafe del Municipio 1?' })).ticketReference);
    const b = await byRef((await appSays(report('Lampioni spenti in via Sparano'))).ticketReference);
    expect(b).not.toBe(a);
    await operatorReplies(a, 'Buongiorno, dalle 8:30 alle 12:30.');
    await resolve(a);

    // The survey of A is the last thing the citizen was asked: "5 grazie" rates A, B is untouched.
    const answer = await appSays({ text: '5 grazie' });
    expect(answer.ticketReference).toBe((await t.ds.query(`SELECT reference FROM tickets WHERE id = $1`, [a]))[0].reference);
    expect(await survey(a)).toMatchObject({ rating: 5, comment: 'grazie' });
    expect(await messagesOf(b)).toEqual(['inbound: Lampioni spenti in via Sparano']);
    expect((await t.ds.query(`SELECT status FROM tickets WHERE id = $1`, [a]))[0].status).toBe('resolved');

    // A third request resolved and surveyed, then the operator asks something on B: "3" answers B.
    const c = await byRef((await appSays(report('Buca profonda in corso Cavour'))).ticketReference);
    await operatorReplies(c, 'Segnalazione inoltrata ai Lavori pubblici.');
    await resolve(c);
    await operatorReplies(b, 'Quanti lampioni sono spenti?');
    const three = await appSays({ text: '3' });
    expect(await byRef(three.ticketReference)).toBe(b);
    expect(await messagesOf(b)).toEqual([
      'inbound: Lampioni spenti in via Sparano',
      'outbound: Quanti lampioni sono spenti?',
      'inbound: 3',
    ]);
    expect(await survey(c)).toMatchObject({ rating: null, answered_at: null });
    const tickets = await t.ds.query(
      `SELECT count(*)::int AS n FROM tickets t JOIN citizen_identities i ON i.id = t.citizen_identity_id WHERE i.channel = 'app' AND i.address LIKE $1`,
      [`%:${citizen}`],
    );
    expect(tickets[0].n).toBe(3);
  });
});
