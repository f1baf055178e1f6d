import type { Socket } from 'socket.io-client';
import { connectAgent, eventually, failedDeliveryJob, login, nextEvent, startApp, type TestApp } from '../support/harness.js';
import { JPEG_1PX, OGG_VOICE, PDF_DOC, TelegramStandin } from './support/telegram-standin.js';

/**
 * The Telegram channel end to end: the real app with telegraf talking to a stand-in Bot API on
 * 127.0.0.1 (telegraf's apiRoot), real PostgreSQL and Redis, updates shaped as Telegram sends them.
 */
const TOKEN = '7123456789:AAH-test-token-for-the-stand-in-api';
const SECRET = 'sportello-telegram-webhook-secret-1';

describe('Telegram channel', () => {
  let t: TestApp;
  let tg: TelegramStandin;
  let accountId: number;
  let managerToken: string;
  let operatorToken: string;
  const sockets: Socket[] = [];
  let updateSeq = 5000;
  let messageSeq = 1;

  const from = (chatId: number) => ({
    id: chatId,
    is_bot: false,
    first_name: 'Maria',
    last_name: 'Rossi',
    username: 'mariarossi',
    language_code: 'it',
  });
  const message = (chatId: number, extra: Record<string, unknown>, id = messageSeq++) => ({
    message_id: id,
    from: from(chatId),
    chat: { id: chatId, first_name: 'Maria', last_name: 'Rossi', username: 'mariarossi', type: 'private' },
    date: Math.floor(Date.now() / 1000),
    ...extra,
  });
  const post = (update: Record<string, unknown>, secret: string | null = SECRET, id = accountId) => {
    const req = t.http.post(`/webhooks/telegram/${id}`).set('Content-Type', 'application/json');
    if (secret !== null) req.set('X-Telegram-Bot-Api-Secret-Token', secret);
    return req.send(JSON.stringify({ update_id: updateSeq++, ...update }));
  };
  const countMessages = async () => (await t.ds.query(`SELECT count(*)::int AS n FROM messages WHERE channel = 'telegram'`))[0].n as number;
  const stored = (externalId: string) =>
    t.ds.query(
      `SELECT m.*, t.reference, t.type, ST_Y(t.location::geometry) AS lat FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.channel = 'telegram' AND m.external_id = $1`,
      [externalId],
    );

  beforeAll(async () => {
    tg = await new TelegramStandin(TOKEN).start();
    t = await startApp({ TELEGRAM_API_ROOT: tg.url, PUBLIC_BASE_URL: 'https://sportello.example.it' });
    managerToken = await login(t, 'manager@bari.demo');
    operatorToken = await login(t, 'operatore@bari.demo');
    const created = await t.http
      .post('/api/channel-accounts')
      .set('Authorization', `Bearer ${managerToken}`)
      .send({
        channel: 'telegram',
        label: 'Bot URP Bari (test)',
        config: { botUsername: 'urp_bari_test_bot' },
        secrets: { botToken: TOKEN, webhookSecret: SECRET },
      });
    expect(created.status).toBe(201);
    accountId = created.body.id;
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await t?.close();
    await tg?.stop();
  });

  it('registers the webhook with its secret token when the account is saved, and never returns the secrets', async () => {
    const set = tg.method('setWebhook');
    expect(set).toHaveLength(1);
    expect(TelegramStandin.params(set[0])).toMatchObject({
      url: `https://sportello.example.it/webhooks/telegram/${accountId}`,
      secret_token: SECRET,
    });
    const read = await t.http.get(`/api/channel-accounts/${accountId}`).set('Authorization', `Bearer ${managerToken}`);
    expect(read.body).toMatchObject({
      channel: 'telegram',
      secretsSet: ['botToken', 'webhookSecret'],
      webhookUrl: `https://sportello.example.it/webhooks/telegram/${accountId}`,
    });
    expect(JSON.stringify(read.body)).not.toContain(TOKEN);
    expect(JSON.stringify(read.body)).not.toContain(SECRET);
  });

  it('refuses updates without or with a wrong secret token, storing nothing', async () => {
    const before = await countMessages();
    const missing = await post({ message: message(9001, { text: 'senza segreto' }) }, null);
    expect(missing.status).toBe(401);
    const forged = await post({ message: message(9001, { text: 'segreto sbagliato' }) }, 'not-the-secret-at-all-123');
    expect(forged.status).toBe(403);
    const unknownBot = await post({ message: message(9001, { text: 'bot inesistente' }) }, SECRET, 999999);
    expect(unknownBot.status).toBe(404);
    expect(await countMessages()).toBe(before);
  });

  it('greets /start in Italian without opening a ticket', async () => {
    const before = await countMessages();
    const res = await post({ message: message(9002, { text: '/start', entities: [{ offset: 0, length: 6, type: 'bot_command' }] }) });
    expect(res.status).toBe(200);
    const sent = await tg.next((r) => r.path.endsWith('/sendMessage') && TelegramStandin.params(r).chat_id === 9002);
    expect(TelegramStandin.params(sent).text).toContain('Benvenuta/o! Questo è il servizio URP del Comune di Bari');
    expect(TelegramStandin.params(sent).text).toContain('/stato');
    expect(await countMessages()).toBe(before);
  });

  it('carries a citizen message to Bari’s operator and the operator’s reply back to the same chat', async () => {
    const agent = await connectAgent(t, operatorToken);
    sockets.push(agent);
    const offered = nextEvent(agent, 'ticket.offered', (p: any) => p.ticket.channel === 'telegram');
    const res = await post({ message: message(9003, { text: 'Buongiorno, a che ora apre l’ufficio anagrafe?' }) });
    expect(res.status).toBe(200);
    const offer = await offered;
    expect(offer.ticket.reference).toMatch(/^BA-\d{4}-\d{6}$/);

    const reply = await t.http
      .post(`/api/tickets/${offer.ticket.id}/messages`)
      .set('Authorization', `Bearer ${operatorToken}`)
      .send({ text: 'L’anagrafe apre alle 9:00, dal lunedì al venerdì.' });
    expect(reply.status).toBe(201);
    // The chat also gets the «presa in carico» notice when the ticket is assigned, before or after
    // the reply (the notifier polls): the reply is the call that carries its text.
    await tg.next(
      (r) =>
        r.path.endsWith('/sendMessage') &&
        String(TelegramStandin.params(r).chat_id) === '9003' &&
        TelegramStandin.params(r).text === 'L’anagrafe apre alle 9:00, dal lunedì al venerdì.',
    );
    const status = await eventually(async () => {
      const [m] = await t.ds.query(`SELECT delivery_status, external_id FROM messages WHERE id = $1`, [reply.body.id]);
      return m.delivery_status === 'sent' ? m : null;
    });
    expect(status.external_id).toMatch(new RegExp(`^${accountId}:9003:\\d+$`));
  });

  it('stores a message delivered five times at once only once', async () => {
    const body = { update_id: 777001, message: message(9004, { text: 'Segnalo una perdita d’acqua in via Sparano' }, 424242) };
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.http
          .post(`/webhooks/telegram/${accountId}`)
          .set('Content-Type', 'application/json')
          .set('X-Telegram-Bot-Api-Secret-Token', SECRET)
          .send(JSON.stringify(body)),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const rows = await stored(`${accountId}:9004:424242`);
    expect(rows).toHaveLength(1);
    const tickets = await t.ds.query(
      `SELECT count(*)::int AS n FROM tickets t JOIN citizen_identities i ON i.id = t.citizen_identity_id WHERE i.address = $1`,
      [`${accountId}:9004`],
    );
    expect(tickets[0].n).toBe(1);
  });

  it('downloads photos, voice notes and documents, checked by content', async () => {
    tg.addFile('photo-big', 'photos/file_1.jpg', JPEG_1PX);
    tg.addFile('voice-1', 'voice/file_2.oga', OGG_VOICE);
    tg.addFile('doc-1', 'documents/file_3.pdf', PDF_DOC);
    tg.addFile('doc-fake', 'documents/file_4.pdf', Buffer.from('MZ this is a program, not a PDF'));
    const photo = message(9005, {
      photo: [
        { file_id: 'photo-small', file_unique_id: 'a', width: 90, height: 90, file_size: 100 },
        { file_id: 'photo-big', file_unique_id: 'b', width: 1280, height: 960, file_size: JPEG_1PX.length },
      ],
      caption: 'Buca in via Calefati',
    });
    expect((await post({ message: photo })).status).toBe(200);
    const voice = message(9005, {
      voice: { file_id: 'voice-1', file_unique_id: 'c', duration: 3, mime_type: 'audio/ogg', file_size: OGG_VOICE.length },
    });
    expect((await post({ message: voice })).status).toBe(200);
    const doc = message(9005, {
      document: {
        file_id: 'doc-1',
        file_unique_id: 'd',
        file_name: 'istanza.pdf',
        mime_type: 'application/pdf',
        file_size: PDF_DOC.length,
      },
    });
    expect((await post({ message: doc })).status).toBe(200);
    const fake = message(9005, {
      document: { file_id: 'doc-fake', file_unique_id: 'e', file_name: 'modulo.pdf', mime_type: 'application/pdf', file_size: 31 },
    });
    expect((await post({ message: fake })).status).toBe(200);

    const rows = await t.ds.query(
      `SELECT m.external_id, m.text, a.filename, a.content_type FROM messages m LEFT JOIN attachments a ON a.message_id = m.id
        WHERE m.channel = 'telegram' AND m.external_id = ANY($1) ORDER BY m.id`,
      [[photo, voice, doc, fake].map((x) => `${accountId}:9005:${x.message_id}`)],
    );
    expect(rows.map((r: any) => [r.text, r.content_type])).toEqual([
      ['Buca in via Calefati', 'image/jpeg'],
      [null, 'audio/ogg'],
      [null, 'application/pdf'],
      ['[allegato «modulo.pdf» non accettato: tipo di file non ammesso]', null],
    ]);
    expect(rows[2].filename).toBe('istanza.pdf');
    // Only the largest size of the photo was fetched.
    expect(tg.method('getFile').map((r) => TelegramStandin.params(r).file_id)).not.toContain('photo-small');
  });

  it('answers a re-delivered update without storing it twice or fetching its file again', async () => {
    const doc = message(9007, {
      document: {
        file_id: 'doc-again',
        file_unique_id: 'g',
        file_name: 'ricevuta.pdf',
        mime_type: 'application/pdf',
        file_size: PDF_DOC.length,
      },
    });
    const fetched = () => tg.method('getFile').filter((r) => TelegramStandin.params(r).file_id === 'doc-again').length;
    expect((await post({ message: doc })).status).toBe(200);
    expect(fetched()).toBe(1);
    const before = await countMessages();
    // Telegram delivers an update again when our answer did not reach it.
    expect((await post({ message: doc })).status).toBe(200);
    expect(await countMessages()).toBe(before);
    expect(fetched()).toBe(1);
    expect(await stored(`${accountId}:9007:${doc.message_id}`)).toHaveLength(1);
  });

  it('turns a location into a report positioned where it was sent, and keeps a shared contact as text', async () => {
    const loc = message(9006, { location: { latitude: 41.1253, longitude: 16.8667 } });
    expect((await post({ message: loc })).status).toBe(200);
    const [row] = await stored(`${accountId}:9006:${loc.message_id}`);
    expect(row.type).toBe('report');
    expect(Number(row.lat)).toBeCloseTo(41.1253, 4);

    const contact = message(9006, {
      contact: { phone_number: '+393331234567', first_name: 'Giuseppe', last_name: 'Verdi', user_id: 9006 },
    });
    expect((await post({ message: contact })).status).toBe(200);
    const [c] = await stored(`${accountId}:9006:${contact.message_id}`);
    expect(c.text).toBe('Contatto condiviso: Giuseppe Verdi, tel. +393331234567');
  });

  it('keeps a position sent from the sea with the bot’s comune, noting the point instead of taking it as the report’s place', async () => {
    const sea = message(9011, { location: { latitude: 41.2, longitude: 16.95 } });
    expect((await post({ message: sea })).status).toBe(200);
    const [row] = await t.ds.query(
      `SELECT m.text, t.type, t.location IS NULL AS no_place, c.slug FROM messages m JOIN tickets t ON t.id = m.ticket_id JOIN comuni c ON c.id = t.comune_id
        WHERE m.channel = 'telegram' AND m.external_id = $1`,
      [`${accountId}:9011:${sea.message_id}`],
    );
    expect(row).toEqual({
      text: '[Posizione inviata fuori dal territorio dei comuni della Città metropolitana di Bari (41.20000, 16.95000): non registrata come luogo della pratica]',
      type: 'request',
      no_place: true,
      slug: 'bari',
    });
  });

  it('updates the stored message when the citizen edits it, keeping the old text in the event log', async () => {
    const original = message(9007, { text: 'Il lampione di via Argiro è spento' });
    await post({ message: original }).expect(200);
    const edited = { ...original, text: 'Il lampione di via Argiro 12 è spento da due giorni', edit_date: Math.floor(Date.now() / 1000) };
    await post({ edited_message: edited }).expect(200);
    await post({ edited_message: edited }).expect(200);
    const rows = await stored(`${accountId}:9007:${original.message_id}`);
    expect(rows).toHaveLength(1);
    expect(rows[0].text).toBe('Il lampione di via Argiro 12 è spento da due giorni');
    const events = await t.ds.query(`SELECT data FROM ticket_events WHERE ticket_id = $1 AND type = 'message.edited'`, [rows[0].ticket_id]);
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({
      previousText: 'Il lampione di via Argiro è spento',
      text: 'Il lampione di via Argiro 12 è spento da due giorni',
    });
  });

  it('answers /stato with the state of the chat’s own ticket, and not of someone else’s', async () => {
    const [mine] = await stored(`${accountId}:9007:${messageSeq - 1}`);
    await post({
      message: message(9007, { text: `/stato ${mine.reference}`, entities: [{ offset: 0, length: 6, type: 'bot_command' }] }),
    }).expect(200);
    const answer = await tg.next((r) => r.path.endsWith('/sendMessage') && String(TelegramStandin.params(r).chat_id) === '9007');
    expect(TelegramStandin.params(answer).text).toMatch(new RegExp(`^La pratica ${mine.reference} .* è ricevuta`));

    await post({ message: message(9008, { text: `/stato ${mine.reference}` }) }).expect(200);
    const other = await tg.next((r) => r.path.endsWith('/sendMessage') && String(TelegramStandin.params(r).chat_id) === '9008');
    expect(TelegramStandin.params(other).text).toContain(`Non ho trovato la pratica ${mine.reference}`);
  });

  describe('outbound retries', () => {
    let ticketId: string;
    const sendTo = (chat: number) => tg.method('sendMessage').filter((r) => String(TelegramStandin.params(r).chat_id) === String(chat));

    beforeAll(async () => {
      await post({ message: message(9010, { text: 'Vorrei un certificato di residenza' }) }).expect(200);
      const [row] = await stored(`${accountId}:9010:${messageSeq - 1}`);
      ticketId = String(row.ticket_id);
    });

    const reply = async (text: string) => {
      const res = await t.http.post(`/api/tickets/${ticketId}/messages`).set('Authorization', `Bearer ${managerToken}`).send({ text });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const finalState = (id: string) =>
      eventually(async () => {
        const [m] = await t.ds.query(`SELECT delivery_status, delivery_error FROM messages WHERE id = $1`, [id]);
        return ['sent', 'failed'].includes(m.delivery_status) ? m : null;
      }, 15000);

    it('waits out a 429 retry_after, then delivers', async () => {
      tg.plan(
        '/sendMessage',
        {
          status: 429,
          body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } },
        },
        1,
        (r) => TelegramStandin.params(r).text === 'Risposta dopo il limite',
      );
      const id = await reply('Risposta dopo il limite');
      expect(await finalState(id)).toMatchObject({ delivery_status: 'sent' });
      const calls = sendTo(9010).filter((r) => TelegramStandin.params(r).text === 'Risposta dopo il limite');
      expect(calls).toHaveLength(2);
      expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(950);
    });

    it('retries a 5xx with backoff', async () => {
      tg.plan(
        '/sendMessage',
        { status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } },
        2,
        (r) => TelegramStandin.params(r).text === 'Risposta dopo un errore del server',
      );
      const id = await reply('Risposta dopo un errore del server');
      expect(await finalState(id)).toMatchObject({ delivery_status: 'sent' });
      expect(sendTo(9010).filter((r) => TelegramStandin.params(r).text === 'Risposta dopo un errore del server')).toHaveLength(3);
    });

    it('does not retry a permanent refusal and tells the operator why, in Italian', async () => {
      const agent = await connectAgent(t, managerToken);
      sockets.push(agent);
      tg.plan(
        '/sendMessage',
        { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } },
        1,
        (r) => TelegramStandin.params(r).text === 'Risposta a chi ha bloccato il bot',
      );
      const failed = nextEvent(agent, 'message.updated', (p: any) => p.message.deliveryStatus === 'failed');
      const id = await reply('Risposta a chi ha bloccato il bot');
      const pushed = await failed;
      expect(pushed.message).toMatchObject({ id, deliveryError: 'Telegram ha rifiutato il messaggio: il cittadino ha bloccato il bot' });
      // The job itself is over for good after one attempt: a retry would have left it delayed (and,
      // the planned 403 used up, completed); failed is final in BullMQ.
      const job = await failedDeliveryJob(t, 'telegram', id);
      expect(job.attemptsMade).toBe(1);
      expect(job.opts.attempts).toBeGreaterThan(1); // retries were possible: the refusal is what stopped them
      expect(sendTo(9010).filter((r) => TelegramStandin.params(r).text === 'Risposta a chi ha bloccato il bot')).toHaveLength(1);
    });

    it('paces two replies to the same chat at least a second apart', async () => {
      await reply('Prima risposta');
      const second = await reply('Seconda risposta');
      await finalState(second);
      const calls = sendTo(9010).filter((r) => ['Prima risposta', 'Seconda risposta'].includes(TelegramStandin.params(r).text));
      expect(calls).toHaveLength(2);
      expect(Math.abs(calls[1].at - calls[0].at)).toBeGreaterThanOrEqual(950);
    });
  });

  describe('when the Bot API fails', () => {
    // Saving the account again makes a new telegraf instance for the bot, as after a restart.
    const resave = (label: string) =>
      t.http.patch(`/api/channel-accounts/${accountId}`).set('Authorization', `Bearer ${managerToken}`).send({ label });

    it('stores the first update after a restart although getMe answers 502, and the next one', async () => {
      expect((await resave('Bot URP Bari (riavviato)')).status).toBe(200);
      tg.plan('/getMe', { status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } }, 1);
      const first = message(9020, { text: 'Scrivo mentre Telegram ha un guasto' });
      expect((await post({ message: first })).status).toBe(200);
      const second = message(9020, { text: 'E scrivo di nuovo quando è passato' });
      expect((await post({ message: second })).status).toBe(200);
      expect(await stored(`${accountId}:9020:${first.message_id}`)).toHaveLength(1);
      expect(await stored(`${accountId}:9020:${second.message_id}`)).toHaveLength(1);
    });

    it('stores updates while the Bot API cannot be reached at all (no getMe needed for inbound)', async () => {
      await tg.stop();
      const saved = await resave('Bot URP Bari (API irraggiungibile)');
      expect(saved.status).toBe(200);
      expect(saved.body.connection.ok).toBe(false);
      const m = message(9021, { text: 'Il semaforo di corso Cavour è guasto' });
      expect((await post({ message: m })).status).toBe(200);
      const [row] = await stored(`${accountId}:9021:${m.message_id}`);
      expect(row.text).toBe('Il semaforo di corso Cavour è guasto');
    });
  });
});
