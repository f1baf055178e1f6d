import type { Socket } from 'socket.io-client';
import { connectAgent, eventually, failedDeliveryJob, login, nextEvent, startApp, type TestApp } from '../support/harness.js';
import { GraphStandin, hubSignature, waNotification } from './support/graph-standin.js';
import { JPEG_1PX, OGG_VOICE, PDF_DOC } from './support/telegram-standin.js';

/**
 * The WhatsApp Business Cloud API channel end to end: the real app, a stand-in Graph API on
 * 127.0.0.1 (GRAPH_API_BASE_URL), webhook payloads as Meta documents them.
 */
const PHONE_ID = '106540352242922';
const ACCESS_TOKEN = 'EAAG-test-access-token-for-the-stand-in';
const APP_SECRET = 'meta-app-secret-for-tests';
const VERIFY_TOKEN = 'verify-token-bari-1';

describe('WhatsApp Cloud API channel', () => {
  let t: TestApp;
  let graph: GraphStandin;
  let accountId: number;
  let managerToken: string;
  let operatorToken: string;
  const sockets: Socket[] = [];
  let seq = 1;

  const textMessage = (from: string, body: string, id = `wamid.IN${seq++}`) => ({
    from,
    id,
    timestamp: String(Math.floor(Date.now() / 1000)),
    type: 'text',
    text: { body },
  });
  const contact = (waId: string, name = 'Maria Rossi') => ({ profile: { name }, wa_id: waId });
  const deliver = (payload: unknown, sign: string | null = APP_SECRET, id = accountId) => {
    const body = JSON.stringify(payload);
    const req = t.http.post(`/webhooks/whatsapp/${id}`).set('Content-Type', 'application/json');
    if (sign !== null) req.set('X-Hub-Signature-256', hubSignature(body, sign));
    return req.send(body);
  };
  const stored = (externalId: string) =>
    t.ds.query(
      `SELECT m.*, t.type, ST_Y(t.location::geometry) AS lat, (SELECT json_agg(a.content_type) FROM attachments a WHERE a.message_id = m.id) AS types
       FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.channel = 'whatsapp' AND m.external_id = $1`,
      [externalId],
    );
  const count = async () => (await t.ds.query(`SELECT count(*)::int AS n FROM messages WHERE channel = 'whatsapp'`))[0].n as number;

  beforeAll(async () => {
    graph = await new GraphStandin(ACCESS_TOKEN).start();
    t = await startApp({ GRAPH_API_BASE_URL: graph.baseUrl });
    managerToken = await login(t, 'manager@bari.demo');
    operatorToken = await login(t, 'operatore@bari.demo');
    const res = await t.http
      .post('/api/channel-accounts')
      .set('Authorization', `Bearer ${managerToken}`)
      .send({
        channel: 'whatsapp',
        label: 'WhatsApp URP Bari (test)',
        config: { phoneNumberId: PHONE_ID, displayPhoneNumber: '+39 080 5771111' },
        secrets: { accessToken: ACCESS_TOKEN, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN },
      });
    expect(res.status).toBe(201);
    accountId = res.body.id;
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await t?.close();
    await graph?.stop();
  });

  it('answers Meta’s verification handshake only with the right verify token', async () => {
    const ok = await t.http
      .get(`/webhooks/whatsapp/${accountId}`)
      .query({ 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1158201444' });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('1158201444');
    const wrong = await t.http
      .get(`/webhooks/whatsapp/${accountId}`)
      .query({ 'hub.mode': 'subscribe', 'hub.verify_token': 'guess-guess', 'hub.challenge': '1158201444' });
    expect(wrong.status).toBe(403);
    expect(wrong.text).not.toContain('1158201444');
  });

  it('rejects missing and forged signatures before storing anything', async () => {
    const before = await count();
    const payload = waNotification(PHONE_ID, {
      contacts: [contact('393330000001')],
      messages: [textMessage('393330000001', 'firma mancante')],
    });
    expect((await deliver(payload, null)).status).toBe(401);
    expect((await deliver(payload, 'not-the-app-secret')).status).toBe(403);
    // A valid signature of a different body.
    const body = JSON.stringify(payload);
    const tampered = await t.http
      .post(`/webhooks/whatsapp/${accountId}`)
      .set('Content-Type', 'application/json')
      .set('X-Hub-Signature-256', hubSignature(body, APP_SECRET))
      .send(body.replace('firma mancante', 'testo alterato'));
    expect(tampered.status).toBe(403);
    expect(await count()).toBe(before);
  });

  it('carries a citizen message to Bari’s operator and the reply to the same number, then tracks delivery and read', async () => {
    const agent = await connectAgent(t, operatorToken);
    sockets.push(agent);
    const offered = nextEvent(agent, 'ticket.offered', (p: any) => p.ticket.channel === 'whatsapp');
    const res = await deliver(
      waNotification(PHONE_ID, {
        contacts: [contact('393331112222')],
        messages: [textMessage('393331112222', "Buongiorno, a che ora apre l'ufficio anagrafe?")],
      }),
    );
    expect(res.status).toBe(200);
    const offer = await offered;
    const reply = await t.http
      .post(`/api/tickets/${offer.ticket.id}/messages`)
      .set('Authorization', `Bearer ${operatorToken}`)
      .send({ text: "L'anagrafe apre alle 9:00." });
    expect(reply.status).toBe(201);
    const call = await graph.next((r) => r.path === `/v21.0/${PHONE_ID}/messages` && r.json?.to === '393331112222');
    expect(call.json).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '393331112222',
      type: 'text',
      text: { body: "L'anagrafe apre alle 9:00.", preview_url: false },
    });
    expect(call.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    const sent = await eventually(async () => {
      const [m] = await t.ds.query(`SELECT delivery_status, external_id FROM messages WHERE id = $1`, [reply.body.id]);
      return m.delivery_status === 'sent' ? m : null;
    });
    const status = (s: string, extra = {}) => ({
      id: sent.external_id,
      status: s,
      timestamp: String(Math.floor(Date.now() / 1000)),
      recipient_id: '393331112222',
      ...extra,
    });

    const readPushed = nextEvent(
      agent,
      'message.updated',
      (p: any) => p.message.id === reply.body.id && p.message.deliveryStatus === 'read',
    );
    await deliver(waNotification(PHONE_ID, { statuses: [status('read')] })).expect(200);
    await readPushed;
    // A late "delivered" does not move the message back.
    await deliver(waNotification(PHONE_ID, { statuses: [status('delivered')] })).expect(200);
    const [m] = await t.ds.query(`SELECT delivery_status FROM messages WHERE id = $1`, [reply.body.id]);
    expect(m.delivery_status).toBe('read');
  });

  it('records a failed status with Meta’s error, in Italian', async () => {
    await deliver(
      waNotification(PHONE_ID, {
        contacts: [contact('393331113333')],
        messages: [textMessage('393331113333', 'Buonasera, info sugli orari?')],
      }),
    ).expect(200);
    const [inbound] = await t.ds.query(`SELECT ticket_id FROM messages WHERE channel = 'whatsapp' ORDER BY id DESC LIMIT 1`);
    const reply = await t.http
      .post(`/api/tickets/${inbound.ticket_id}/messages`)
      .set('Authorization', `Bearer ${managerToken}`)
      .send({ text: 'Orari: 9-12.' });
    const sent = await eventually(async () => {
      const [m] = await t.ds.query(`SELECT external_id, delivery_status FROM messages WHERE id = $1`, [reply.body.id]);
      return m.delivery_status === 'sent' ? m : null;
    });
    await deliver(
      waNotification(PHONE_ID, {
        statuses: [
          {
            id: sent.external_id,
            status: 'failed',
            timestamp: '1700000000',
            recipient_id: '393331113333',
            errors: [
              {
                code: 131026,
                title: 'Message undeliverable',
                message: 'Message undeliverable',
                error_data: { details: 'Message Undeliverable.' },
              },
            ],
          },
        ],
      }),
    ).expect(200);
    const [m] = await t.ds.query(`SELECT delivery_status, delivery_error FROM messages WHERE id = $1`, [reply.body.id]);
    expect(m).toEqual({
      delivery_status: 'failed',
      delivery_error: 'WhatsApp non ha potuto consegnare il messaggio: il numero non è raggiungibile su WhatsApp.',
    });
  });

  it('keeps a status that overtakes the Graph API’s answer, and shows it once the send returns', async () => {
    const waId = '393335550000';
    await deliver(
      waNotification(PHONE_ID, { contacts: [contact(waId)], messages: [textMessage(waId, 'Quando passa la raccolta ingombranti?')] }),
    ).expect(200);
    const [inbound] = await t.ds.query(
      `SELECT ticket_id FROM messages WHERE channel = 'whatsapp' AND direction = 'inbound' ORDER BY id DESC LIMIT 1`,
    );
    const agent = await connectAgent(t, managerToken);
    sockets.push(agent);
    const text = 'Il martedì, prenotando al numero verde.';
    const release = graph.holdSend((r) => r.json?.text?.body === text, 'wamid.EARLY-1');
    const reply = await t.http
      .post(`/api/tickets/${inbound.ticket_id}/messages`)
      .set('Authorization', `Bearer ${managerToken}`)
      .send({ text });
    expect(reply.status).toBe(201);
    await graph.next((r) => r.json?.text?.body === text); // Meta has it; our call still waits for the answer

    // Meta's statuses come first, one of them twice: each is acknowledged.
    const status = (s: string) => ({
      id: 'wamid.EARLY-1',
      status: s,
      timestamp: String(Math.floor(Date.now() / 1000)),
      recipient_id: waId,
    });
    await deliver(waNotification(PHONE_ID, { statuses: [status('sent'), status('delivered')] })).expect(200);
    await deliver(waNotification(PHONE_ID, { statuses: [status('delivered')] })).expect(200);
    const [waiting] = await t.ds.query(`SELECT delivery_status, external_id FROM messages WHERE id = $1`, [reply.body.id]);
    expect(waiting).toEqual({ delivery_status: 'queued', external_id: null });

    const delivered = nextEvent(
      agent,
      'message.updated',
      (p: any) => p.message.id === reply.body.id && p.message.deliveryStatus === 'delivered',
    );
    release();
    await delivered;
    const shown = async () =>
      (
        (await t.http.get(`/api/tickets/${inbound.ticket_id}`).set('Authorization', `Bearer ${managerToken}`).expect(200)).body
          .messages as any[]
      ).find((m) => m.id === reply.body.id);
    expect(await shown()).toMatchObject({ deliveryStatus: 'delivered', deliveryError: null });
    expect(await t.ds.query(`SELECT 1 FROM early_delivery_reports WHERE external_id = 'wamid.EARLY-1'`)).toEqual([]);

    // Late duplicates change nothing; what follows still moves it on.
    await deliver(waNotification(PHONE_ID, { statuses: [status('delivered'), status('sent')] })).expect(200);
    expect(await shown()).toMatchObject({ deliveryStatus: 'delivered' });
    await deliver(waNotification(PHONE_ID, { statuses: [status('read')] })).expect(200);
    expect(await shown()).toMatchObject({ deliveryStatus: 'read' });
  });

  it('drops statuses of ids never stored after an hour', async () => {
    await t.ds.query(
      `INSERT INTO early_delivery_reports (channel, external_id, status, received_at) VALUES ('whatsapp', 'wamid.STALE', 'delivered', now() - interval '61 minutes')`,
    );
    await deliver(
      waNotification(PHONE_ID, {
        statuses: [{ id: 'wamid.NEVER-STORED', status: 'delivered', timestamp: '1700000000', recipient_id: '393330000009' }],
      }),
    ).expect(200);
    const rows = await t.ds.query(
      `SELECT external_id, status, reported_at FROM early_delivery_reports WHERE external_id IN ('wamid.STALE', 'wamid.NEVER-STORED') ORDER BY id`,
    );
    expect(rows).toEqual([{ external_id: 'wamid.NEVER-STORED', status: 'delivered', reported_at: new Date(1700000000 * 1000) }]);
  });

  it('stores a message delivered five times at once only once', async () => {
    const payload = waNotification(PHONE_ID, {
      contacts: [contact('393334445555')],
      messages: [textMessage('393334445555', 'Buca pericolosa in via Capruzzi', 'wamid.DUP-1')],
    });
    const results = await Promise.all(Array.from({ length: 5 }, () => deliver(payload)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await stored('wamid.DUP-1')).toHaveLength(1);
    expect(results.map((r) => r.body.stored).reduce((a: number, b: number) => a + b, 0)).toBe(1);
  });

  it('normalizes image, document, voice, location and contacts messages', async () => {
    graph.addMedia('1037543291543636', JPEG_1PX, 'image/jpeg');
    graph.addMedia('2037543291543637', PDF_DOC, 'application/pdf');
    graph.addMedia('3037543291543638', OGG_VOICE, 'audio/ogg; codecs=opus');
    const from = '393336667777';
    const ts = String(Math.floor(Date.now() / 1000));
    const messages = [
      {
        from,
        id: 'wamid.IMG',
        timestamp: ts,
        type: 'image',
        image: { caption: 'Rifiuti abbandonati', mime_type: 'image/jpeg', sha256: 'abc', id: '1037543291543636' },
      },
      {
        from,
        id: 'wamid.DOC',
        timestamp: ts,
        type: 'document',
        document: { caption: 'Istanza', filename: 'istanza.pdf', mime_type: 'application/pdf', sha256: 'def', id: '2037543291543637' },
      },
      {
        from,
        id: 'wamid.AUD',
        timestamp: ts,
        type: 'audio',
        audio: { mime_type: 'audio/ogg; codecs=opus', sha256: 'ghi', id: '3037543291543638', voice: true },
      },
      {
        from,
        id: 'wamid.LOC',
        timestamp: ts,
        type: 'location',
        location: { latitude: 41.1177, longitude: 16.8718, name: 'Piazza Ferrarese', address: 'Piazza Ferrarese, Bari' },
      },
      {
        from,
        id: 'wamid.CON',
        timestamp: ts,
        type: 'contacts',
        contacts: [
          {
            name: { formatted_name: 'Giuseppe Verdi', first_name: 'Giuseppe', last_name: 'Verdi' },
            phones: [{ phone: '+39 333 1234567', wa_id: '393331234567', type: 'CELL' }],
          },
        ],
      },
    ];
    await deliver(waNotification(PHONE_ID, { contacts: [contact(from, 'Anna')], messages })).expect(200);
    const [img] = await stored('wamid.IMG');
    expect([img.text, img.types]).toEqual(['Rifiuti abbandonati', ['image/jpeg']]);
    const [doc] = await stored('wamid.DOC');
    expect([doc.text, doc.types]).toEqual(['Istanza', ['application/pdf']]);
    const [aud] = await stored('wamid.AUD');
    expect([aud.text, aud.types]).toEqual([null, ['audio/ogg']]);
    const [loc] = await stored('wamid.LOC');
    expect(loc.text).toBe('Piazza Ferrarese, Piazza Ferrarese, Bari');
    const [con] = await stored('wamid.CON');
    expect(con.text).toBe('Contatto condiviso: Giuseppe Verdi, tel. +39 333 1234567');
    // The citizen had an open ticket already: the position is given to it.
    const [ticket] = await t.ds.query(`SELECT ST_Y(location::geometry) AS lat FROM tickets WHERE id = $1`, [loc.ticket_id]);
    expect(Number(ticket.lat)).toBeCloseTo(41.1177, 4);
    // A location as a citizen's first message opens a report.
    await deliver(
      waNotification(PHONE_ID, {
        contacts: [contact('393338889999')],
        messages: [
          { from: '393338889999', id: 'wamid.LOC2', timestamp: ts, type: 'location', location: { latitude: 41.1253, longitude: 16.8667 } },
        ],
      }),
    ).expect(200);
    const [report] = await stored('wamid.LOC2');
    expect(report.type).toBe('report');
  });

  describe('outbound', () => {
    let ticketId: string;
    const waId = '393339990000';
    const reply = async (text: string) => {
      const res = await t.http.post(`/api/tickets/${ticketId}/messages`).set('Authorization', `Bearer ${managerToken}`).send({ text });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const settled = (id: string) =>
      eventually(async () => {
        const [m] = await t.ds.query(`SELECT delivery_status, delivery_error FROM messages WHERE id = $1`, [id]);
        return ['sent', 'failed'].includes(m.delivery_status) ? m : null;
      }, 15000);
    const callsWith = (text: string) => graph.sends(PHONE_ID).filter((r) => r.json?.text?.body === text);

    beforeAll(async () => {
      await deliver(waNotification(PHONE_ID, { contacts: [contact(waId)], messages: [textMessage(waId, 'Vorrei un certificato')] })).expect(
        200,
      );
      const [m] = await t.ds.query(
        `SELECT ticket_id FROM messages WHERE channel = 'whatsapp' AND direction = 'inbound' ORDER BY id DESC LIMIT 1`,
      );
      ticketId = String(m.ticket_id);
    });

    it('retries 429 and 5xx answers, then delivers', async () => {
      const ours = (r: any) => r.json?.text?.body === 'Risposta dopo due errori temporanei';
      graph.plan(`/${PHONE_ID}/messages`, { status: 429, body: GraphStandin.error(130429, 'Rate limit hit') }, 1, ours);
      graph.plan(`/${PHONE_ID}/messages`, { status: 500, body: GraphStandin.error(1, 'An unknown error occurred') }, 1, ours);
      const id = await reply('Risposta dopo due errori temporanei');
      expect(await settled(id)).toMatchObject({ delivery_status: 'sent' });
      expect(callsWith('Risposta dopo due errori temporanei')).toHaveLength(3);
    });

    it('does not retry a permanent error', async () => {
      graph.plan(
        `/${PHONE_ID}/messages`,
        { status: 400, body: GraphStandin.error(131026, 'Message undeliverable', 'Message Undeliverable.') },
        1,
        (r) => r.json?.text?.body === 'Risposta a un numero non raggiungibile',
      );
      const id = await reply('Risposta a un numero non raggiungibile');
      expect(await settled(id)).toEqual({
        delivery_status: 'failed',
        delivery_error: 'WhatsApp non ha potuto consegnare il messaggio: il numero non è raggiungibile su WhatsApp.',
      });
      // The job is over for good after one attempt: a retry would have left it delayed (and, the
      // planned error used up, completed); failed is final in BullMQ.
      const job = await failedDeliveryJob(t, 'whatsapp', id);
      expect(job.attemptsMade).toBe(1);
      expect(job.opts.attempts).toBeGreaterThan(1); // retries were possible: the permanent error is what stopped them
      expect(callsWith('Risposta a un numero non raggiungibile')).toHaveLength(1);
    });

    it('refuses a free-text reply outside the 24-hour window, telling the operator why, without calling Meta', async () => {
      await t.ds.query(`UPDATE messages SET created_at = now() - interval '25 hours' WHERE ticket_id = $1 AND direction = 'inbound'`, [
        ticketId,
      ]);
      const agent = await connectAgent(t, managerToken);
      sockets.push(agent);
      const failed = nextEvent(
        agent,
        'message.updated',
        (p: any) => p.message.deliveryStatus === 'failed' && p.message.text === 'Risposta tardiva',
      );
      const id = await reply('Risposta tardiva');
      const pushed = await failed;
      expect(pushed.message.id).toBe(id);
      expect(pushed.message.deliveryError).toMatch(
        /^Non inviato: sono passate più di 24 ore dall’ultimo messaggio del cittadino su WhatsApp/,
      );
      expect(callsWith('Risposta tardiva')).toHaveLength(0);

      // The citizen writes again: the window reopens and replies go out.
      await deliver(waNotification(PHONE_ID, { contacts: [contact(waId)], messages: [textMessage(waId, 'Ci siete?')] })).expect(200);
      const again = await reply('Sì, eccoci.');
      expect(await settled(again)).toMatchObject({ delivery_status: 'sent' });
    });
  });
});
