import { IngestService } from '../../src/conversations/ingest.service.js';
import { eventually, startApp, type TestApp } from '../support/harness.js';
import { comuneId, ticketByReference } from '../support/factories.js';

// 1×1 PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe('ingest pipeline and the app channel', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (body: object, key = 'demo-app-key-bari') => t.http.post('/api/app/v1/messages').set('X-Api-Key', key).send(body);
  const count = async (sql: string, params: unknown[] = []) => (await t.ds.query(sql, params))[0].n as number;

  it('stores a re-delivered message once and answers it as a duplicate', async () => {
    const body = { messageId: 'dup-1', citizen: { id: 'u-dup', name: 'Anna' }, text: 'Buongiorno' };
    const first = await post(body);
    const second = await post(body);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ ...first.body, duplicate: true });
    expect(await count(`SELECT count(*)::int AS n FROM messages WHERE external_id LIKE '%:dup-1'`)).toBe(1);
  });

  it('stores the same provider message delivered 5 times concurrently exactly once', async () => {
    const ingest = t.app.get(IngestService);
    const bari = await comuneId(t.ds, 'bari');
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        ingest.ingest({
          channel: 'app',
          comuneId: bari,
          externalId: 'race-1',
          sender: { address: 'race-citizen' },
          text: 'Tutti insieme',
        }),
      ),
    );
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.messageId)).size).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM messages WHERE channel = 'app' AND external_id = 'race-1'`)).toBe(1);
    expect(
      await count(
        `SELECT count(*)::int AS n FROM tickets t JOIN citizen_identities i ON i.id = t.citizen_identity_id WHERE i.address = 'race-citizen'`,
      ),
    ).toBe(1);
  });

  it('stores a burst together (group commit): each message once, each sender one ticket, a bad one refused alone', async () => {
    const ingest = t.app.get(IngestService);
    const bari = await comuneId(t.ds, 'bari');
    const before = { ...ingest.batcher.stats };
    // 30 senders × 4 messages, each delivered twice, all at once; and one message for a comune that does not exist.
    const sends = Array.from({ length: 240 }, (_, i) => ({
      channel: 'app',
      comuneId: bari,
      externalId: `burst-${i % 120}`,
      sender: { address: `burst-citizen-${i % 30}` },
      text: `Messaggio ${i % 120}`,
    }));
    const pending = sends.map((m) => ingest.ingest(m));
    // In the middle of the burst: it fails its batch, which is then stored message by message.
    const bad = ingest.ingest({
      channel: 'app',
      comuneId: 999_999,
      externalId: 'burst-nowhere',
      sender: { address: 'burst-nowhere' },
      text: 'Dove?',
    });
    pending.push(...sends.slice(0, 20).map((m) => ingest.ingest({ ...m, externalId: `${m.externalId}-late`, text: 'Ancora' })));
    const results = await Promise.all(pending);
    await expect(bad).rejects.toMatchObject({ status: 404 });

    expect(ingest.batcher.stats.batchedMessages - before.batchedMessages).toBeGreaterThan(100);
    expect(ingest.batcher.stats.splitBatches - before.splitBatches).toBe(1);
    expect(results.slice(240).every((r) => !r.duplicate)).toBe(true);
    expect(results.slice(0, 240).filter((r) => !r.duplicate)).toHaveLength(120);
    for (let i = 0; i < 120; i++) expect(results[i + 120].messageId).toBe(results[i].messageId);
    expect(await count(`SELECT count(*)::int AS n FROM messages WHERE channel = 'app' AND external_id LIKE 'burst-%'`)).toBe(140);
    const perSender = await t.ds.query(
      `SELECT i.address, count(DISTINCT t.id)::int AS tickets, count(m.id)::int AS messages FROM citizen_identities i
         JOIN tickets t ON t.citizen_identity_id = i.id JOIN messages m ON m.ticket_id = t.id
        WHERE i.address LIKE 'burst-citizen-%' GROUP BY i.address`,
    );
    expect(perSender).toHaveLength(30);
    expect(perSender.every((r: any) => r.tickets === 1 && r.messages === (Number(r.address.split('-').pop()) < 20 ? 5 : 4))).toBe(true);
    // Every new ticket has its routing job in the outbox, once.
    expect(
      await count(`SELECT count(*)::int AS n FROM tickets t JOIN citizen_identities i ON i.id = t.citizen_identity_id
      WHERE i.address LIKE 'burst-citizen-%' AND NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'ticket.created')`),
    ).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM messages WHERE external_id = 'burst-nowhere'`)).toBe(0);
  });

  it('continues the citizen’s open ticket, and opens a new one after it is resolved', async () => {
    const a = await post({ messageId: 'c-1', citizen: { id: 'u-cont' }, text: 'Prima' });
    const b = await post({ messageId: 'c-2', citizen: { id: 'u-cont' }, text: 'Seconda' });
    expect(b.body.ticketReference).toBe(a.body.ticketReference);
    await t.ds.query(`UPDATE tickets SET status = 'resolved', queue_state = 'done' WHERE reference = $1`, [a.body.ticketReference]);
    const c = await post({ messageId: 'c-3', citizen: { id: 'u-cont' }, text: 'Nuova questione' });
    expect(c.body.ticketReference).not.toBe(a.body.ticketReference);
  });

  it('gives a geolocated report to the comune where it happened, with its photo', async () => {
    // Sent through Bari's key, but the point is in Modugno's territory.
    const res = await post({
      messageId: 'rep-1',
      citizen: { id: 'u-rep' },
      type: 'report',
      category: 'illuminazione',
      text: 'Lampione spento',
      location: { lat: 41.0835, lng: 16.7825 },
      photos: [{ filename: 'lampione.png', data: PNG.toString('base64') }],
    });
    expect(res.status).toBe(201);
    expect(res.body.ticketReference).toMatch(/^M[A-Z]{2}-\d{4}-\d{6}$/);
    const ticket = await ticketByReference(t.ds, res.body.ticketReference);
    expect(ticket.comune_id).toBe(await comuneId(t.ds, 'modugno'));
    expect(ticket.type).toBe('report');
    const [att] = await t.ds.query(`SELECT a.* FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.ticket_id = $1`, [
      ticket.id,
    ]);
    expect(att).toMatchObject({ filename: 'lampione.png', content_type: 'image/png', size_bytes: PNG.length });
    // Routed by category to public works.
    await eventually(async () => (await ticketByReference(t.ds, res.body.ticketReference)).group_id !== null, 5000, 'routed');
    const [g] = await t.ds.query(`SELECT code FROM competence_groups WHERE id = (SELECT group_id FROM tickets WHERE id = $1)`, [ticket.id]);
    expect(g.code).toBe('lavori-pubblici');
  });

  it('takes a position sent later in the conversation as the ticket’s, and logs it', async () => {
    const first = await post({ messageId: 'loc-1', citizen: { id: 'u-loc' }, text: 'C’è un problema in piazza' });
    await post({ messageId: 'loc-2', citizen: { id: 'u-loc' }, location: { lat: 41.1257, lng: 16.8686 } }).expect(201);
    const [t1] = await t.ds.query(
      `SELECT id, ST_Y(location::geometry) AS lat, ST_X(location::geometry) AS lng FROM tickets WHERE reference = $1`,
      [first.body.ticketReference],
    );
    expect({ lat: Number(t1.lat), lng: Number(t1.lng) }).toEqual({ lat: 41.1257, lng: 16.8686 });
    const events = await t.ds.query(`SELECT data FROM ticket_events WHERE ticket_id = $1 AND type = 'location.changed'`, [t1.id]);
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({ lat: 41.1257, lng: 16.8686, channel: 'app' });
  });

  it('refuses bad input with a 4xx naming the field and stores nothing', async () => {
    const before = await count(`SELECT count(*)::int AS n FROM messages`);
    const cases: Array<[object, string | undefined, number, string]> = [
      [{ messageId: 'x', citizen: { id: 'u' }, text: 'ciao' }, undefined, 401, ''],
      [{ messageId: 'x', citizen: { id: 'u' }, text: 'ciao' }, 'wrong-key', 401, ''],
      [{ citizen: { id: 'u' }, text: 'ciao' }, 'demo-app-key-bari', 400, 'messageId'],
      [{ messageId: 'x', text: 'ciao' }, 'demo-app-key-bari', 400, 'citizen'],
      [{ messageId: 'x', citizen: { id: 'u' }, text: 'ciao', location: { lat: 120, lng: 16 } }, 'demo-app-key-bari', 400, 'location.lat'],
      [{ messageId: 'x', citizen: { id: 'u' }, type: 'report', text: 'buca' }, 'demo-app-key-bari', 400, 'location'],
      [{ messageId: 'x', citizen: { id: 'u' }, type: 'petition', text: 'firma' }, 'demo-app-key-bari', 400, 'type'],
      [{ messageId: 'x', citizen: { id: 'u' }, text: 'x'.repeat(5000) }, 'demo-app-key-bari', 413, 'text'],
      [{ messageId: 'x', citizen: { id: 'u' } }, 'demo-app-key-bari', 400, 'text'],
      [
        { messageId: 'x', citizen: { id: 'u' }, text: 'foto', photos: [{ data: Buffer.from('%PDF-1.4 not an image').toString('base64') }] },
        'demo-app-key-bari',
        400,
        'photos[0].data',
      ],
      [{ messageId: 'x', citizen: { id: 'u' }, text: 'ciao', admin: true }, 'demo-app-key-bari', 400, 'admin'],
    ];
    for (const [body, key, status, field] of cases) {
      const req = t.http.post('/api/app/v1/messages');
      if (key) req.set('X-Api-Key', key);
      const res = await req.send(body);
      expect({ body, status: res.status }).toEqual({ body, status });
      if (field) expect(res.body.fields.map((f: any) => f.field)).toContain(field);
    }
    const malformed = await t.http
      .post('/api/app/v1/messages')
      .set('X-Api-Key', 'demo-app-key-bari')
      .set('Content-Type', 'application/json')
      .send('{"messageId": ');
    expect(malformed.status).toBe(400);
    const nul = await post({ messageId: 'nul-1', citizen: { id: 'u-nul' }, text: 'ciao\u0000mondo' });
    expect(nul.status).toBe(201);
    expect(await count(`SELECT count(*)::int AS n FROM messages`)).toBe(before + 1);
    const [m] = await t.ds.query(`SELECT text FROM messages WHERE external_id LIKE '%:nul-1'`);
    expect(m.text).toBe('ciaomondo');
  });

  it('shows the citizen their ticket without internal notes', async () => {
    const sent = await post({ messageId: 'view-1', citizen: { id: 'u-view' }, text: 'Come sta la mia pratica?' });
    const ticket = await ticketByReference(t.ds, sent.body.ticketReference);
    await t.ds.query(
      `INSERT INTO messages (ticket_id, comune_id, direction, author_type, internal, text, channel, delivery_status)
      VALUES ($1, $2, 'outbound', 'operator', true, 'nota riservata', 'app', 'not_sent')`,
      [ticket.id, ticket.comune_id],
    );
    const view = await t.http
      .get(`/api/app/v1/tickets/${sent.body.ticketReference}`)
      .query({ citizenId: 'u-view' })
      .set('X-Api-Key', 'demo-app-key-bari');
    expect(view.status).toBe(200);
    expect(view.body.messages.map((m: any) => m.text)).toEqual(['Come sta la mia pratica?']);
    const stranger = await t.http
      .get(`/api/app/v1/tickets/${sent.body.ticketReference}`)
      .query({ citizenId: 'someone-else' })
      .set('X-Api-Key', 'demo-app-key-bari');
    expect(stranger.status).toBe(404);
  });

  it('keeps the event log append-only', async () => {
    await expect(t.ds.query(`UPDATE ticket_events SET type = 'forged'`)).rejects.toThrow('append-only');
    await expect(t.ds.query(`DELETE FROM ticket_events`)).rejects.toThrow('append-only');
  });
});
