import { ComuniService } from '../../src/comuni/comuni.service.js';
import { connectAgent, connectCitizen, citizenSays, login, nextEvent, startApp, type TestApp } from '../support/harness.js';

/** The REST endpoints the console and the widget add: refusals name the field, scope is enforced. */
describe('console and widget API', () => {
  let t: TestApp;
  // Many citizens' web-chat sessions from 127.0.0.1: above the per-address defaults (test/e2e/throttling.spec.ts).
  beforeAll(async () => {
    t = await startApp({ WEBCHAT_MAX_SESSIONS_PER_ADDRESS: '1000', WEBCHAT_MAX_NEW_TICKETS_PER_ADDRESS: '1000' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('lets supervisors manage canned responses of their own comune’s groups, and operators read their groups’ ones', async () => {
    const sup = await login(t, 'supervisore@bari.demo');
    const op = await login(t, 'operatore@bari.demo');
    const [urp] = await t.ds.query(
      `SELECT g.id FROM competence_groups g JOIN comuni c ON c.id = g.comune_id WHERE c.slug = 'bari' AND g.code = 'urp'`,
    );
    const [tributi] = await t.ds.query(
      `SELECT g.id FROM competence_groups g JOIN comuni c ON c.id = g.comune_id WHERE c.slug = 'bari' AND g.code = 'tributi'`,
    );
    const [modugnoGroup] = await t.ds.query(
      `SELECT g.id FROM competence_groups g JOIN comuni c ON c.id = g.comune_id WHERE c.slug = 'modugno' LIMIT 1`,
    );
    const auth = (tok: string) => ({ Authorization: `Bearer ${tok}` });

    await t.http
      .post('/api/console/canned-responses')
      .set(auth(sup))
      .send({ groupId: urp.id, shortcut: 'orari', title: 'Orari', body: 'Dalle 9 alle 12.' })
      .expect(201);
    await t.http
      .post('/api/console/canned-responses')
      .set(auth(sup))
      .send({ groupId: tributi.id, shortcut: 'tari', title: 'TARI', body: 'Quattro rate.' })
      .expect(201);
    const dup = await t.http
      .post('/api/console/canned-responses')
      .set(auth(sup))
      .send({ groupId: urp.id, shortcut: 'orari', title: 'x', body: 'y' });
    expect(dup.status).toBe(400);
    expect(dup.body.fields).toEqual([{ field: 'shortcut', message: '"/orari" is already used in this group' }]);
    const bad = await t.http
      .post('/api/console/canned-responses')
      .set(auth(sup))
      .send({ groupId: urp.id, shortcut: 'Con Spazi', title: '', body: 'y' });
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((f: any) => f.field).sort()).toEqual(['shortcut', 'title']);
    const foreign = await t.http
      .post('/api/console/canned-responses')
      .set(auth(sup))
      .send({ groupId: modugnoGroup.id, shortcut: 'x', title: 'x', body: 'x' });
    expect(foreign.status).toBe(404);
    expect(foreign.body.fields[0].field).toBe('groupId');
    await t.http
      .post('/api/console/canned-responses')
      .set(auth(op))
      .send({ groupId: urp.id, shortcut: 'mio', title: 'x', body: 'x' })
      .expect(403);

    const seen = await t.http.get('/api/console/canned-responses').set(auth(op)).expect(200);
    expect(seen.body.map((c: any) => c.shortcut)).toEqual(['orari']);
    const modugnoSup = await login(t, 'supervisore@modugno.demo');
    expect((await t.http.get('/api/console/canned-responses').set(auth(modugnoSup))).body).toEqual([]);
    await t.http.delete(`/api/console/canned-responses/${seen.body[0].id}`).set(auth(modugnoSup)).expect(404);
  });

  it('refuses a phone request without consent or with a bad contact, naming the field, and stores nothing', async () => {
    const op = await login(t, 'operatore@bari.demo');
    const before = await t.ds.query(`SELECT count(*)::int AS n FROM tickets`);
    const noConsent = await t.http
      .post('/api/console/tickets')
      .set('Authorization', `Bearer ${op}`)
      .send({ channel: 'phone', citizen: { phone: '0801234567' }, text: 'Richiesta' });
    expect(noConsent.status).toBe(400);
    expect(noConsent.body.fields.map((f: any) => f.field)).toEqual(['privacyConsent']);
    const refused = await t.http
      .post('/api/console/tickets')
      .set('Authorization', `Bearer ${op}`)
      .send({ channel: 'phone', citizen: { phone: '0801234567' }, text: 'Richiesta', privacyConsent: false });
    expect(refused.body.fields).toEqual([
      { field: 'privacyConsent', message: 'the citizen must agree to the privacy notice before the request is recorded' },
    ]);
    const badPhone = await t.http
      .post('/api/console/tickets')
      .set('Authorization', `Bearer ${op}`)
      .send({ channel: 'desk', citizen: { phone: 'non ho telefono' }, text: 'Richiesta', privacyConsent: true });
    expect(badPhone.status).toBe(400);
    expect(badPhone.body.fields[0].field).toBe('citizen.phone');
    const badChannel = await t.http
      .post('/api/console/tickets')
      .set('Authorization', `Bearer ${op}`)
      .send({ channel: 'fax', citizen: {}, text: 'Richiesta', privacyConsent: true });
    expect(badChannel.body.fields[0]).toEqual({ field: 'channel', message: 'must be one of phone, desk' });
    const reportWithoutPlace = await t.http
      .post('/api/console/tickets')
      .set('Authorization', `Bearer ${op}`)
      .send({ channel: 'desk', type: 'report', citizen: {}, text: 'Buca in strada', privacyConsent: true });
    expect(reportWithoutPlace.status).toBe(400);
    expect(reportWithoutPlace.body.fields[0].field).toBe('location');
    expect(await t.ds.query(`SELECT count(*)::int AS n FROM tickets`)).toEqual(before);
  });

  it('marks a written reply on a desk request as not delivered, with the reason', async () => {
    const op = await login(t, 'supervisore@bari.demo');
    const created = await t.http
      .post('/api/console/tickets')
      .set('Authorization', `Bearer ${op}`)
      .send({ channel: 'desk', citizen: { name: 'Anna Bianchi' }, text: 'Informazioni sulla mensa scolastica', privacyConsent: true })
      .expect(201);
    const sent = await t.http
      .post(`/api/tickets/${created.body.ticketId}/messages`)
      .set('Authorization', `Bearer ${op}`)
      .send({ text: 'Le scriviamo a breve' })
      .expect(201);
    const [m] = await (async () => {
      for (let i = 0; i < 100; i++) {
        const rows = await t.ds.query(`SELECT delivery_status, delivery_error FROM messages WHERE id = $1`, [sent.body.id]);
        if (rows[0].delivery_status === 'failed') return rows;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('reply never settled');
    })();
    expect(m.delivery_error).toMatch(/desk request cannot receive written replies/);
  });

  it('takes a photo from the widget only when its bytes are an image, and only for a genuine session', async () => {
    const citizen = await connectCitizen(t, 'bari');
    await citizenSays(citizen.socket, 'Il lampione è spento', 'p-1');
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEklEQVR4nGP4z8CAFWEXHbQSACj/P8Fu7N9hAAAAAElFTkSuQmCC',
      'base64',
    );
    const ok = await t.http
      .post('/api/webchat/bari/photos?clientMessageId=ph-1&filename=lampione.jpg')
      .set('X-Webchat-Session', citizen.sessionToken)
      .set('Content-Type', 'image/jpeg')
      .send(png);
    expect(ok.status).toBe(201);
    const again = await t.http
      .post('/api/webchat/bari/photos?clientMessageId=ph-1')
      .set('X-Webchat-Session', citizen.sessionToken)
      .set('Content-Type', 'image/png')
      .send(png);
    expect(again.body).toMatchObject({ duplicate: true, messageId: ok.body.messageId });
    const [a] = await t.ds.query(
      `SELECT filename, content_type FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.id = $1`,
      [ok.body.messageId],
    );
    expect(a).toEqual({ filename: 'lampione.png', content_type: 'image/png' });

    const html = await t.http
      .post('/api/webchat/bari/photos')
      .set('X-Webchat-Session', citizen.sessionToken)
      .set('Content-Type', 'image/png')
      .send(Buffer.from('<html><script>alert(1)</script></html>'));
    expect(html.status).toBe(400);
    expect(html.body.fields[0]).toEqual({ field: 'body', message: 'is not a JPEG, PNG, GIF or WebP image' });
    const forged = await t.http
      .post('/api/webchat/bari/photos')
      .set('X-Webchat-Session', 'bari.forged.token')
      .set('Content-Type', 'image/png')
      .send(png);
    expect(forged.status).toBe(400);
    expect(forged.body.fields[0].field).toBe('X-Webchat-Session');
    const otherComune = await t.http
      .post('/api/webchat/modugno/photos')
      .set('X-Webchat-Session', citizen.sessionToken)
      .set('Content-Type', 'image/png')
      .send(png);
    expect(otherComune.status).toBe(400);
    const tooBig = await t.http
      .post('/api/webchat/bari/photos')
      .set('X-Webchat-Session', citizen.sessionToken)
      .set('Content-Type', 'image/png')
      .send(Buffer.alloc(t.config.maxAttachmentBytes + 1, 1));
    expect(tooBig.status).toBe(413);
    citizen.socket.disconnect();
  });

  it('says when the web chat is live, and refuses a left message without consent or contact', async () => {
    const [{ id: bari }] = await t.ds.query(
      `INSERT INTO comune_calendars (comune_id, opening_hours, national_holidays, patron_day) SELECT id, '{}'::jsonb, false, NULL FROM comuni WHERE slug = 'bari' ON CONFLICT (comune_id) DO UPDATE SET opening_hours = EXCLUDED.opening_hours, national_holidays = false, patron_day = NULL, closures = '{}' RETURNING comune_id AS id`,
    );
    // Written behind the application's back: drop the calendar it may have cached (the analytics
    // worker reads it for business time), as the settings API does after a change.
    t.app.get(ComuniService).forgetCalendar(bari);
    const closed = await t.http.get('/api/webchat/bari/availability').expect(200);
    expect(closed.body).toMatchObject({ open: false, live: false, comune: { slug: 'bari', name: 'Bari' } });
    await t.http.get('/api/webchat/atlantide/availability').expect(404);

    const citizen = await connectCitizen(t, 'bari');
    const send = (body: Record<string, unknown>) =>
      t.http
        .post('/api/webchat/bari/leave-message')
        .send({ sessionToken: citizen.sessionToken, text: 'Richiamatemi', contact: '3331234567', ...body });
    expect((await send({})).body.fields[0].field).toBe('privacyConsent');
    expect((await send({ privacyConsent: false })).body.fields[0]).toEqual({
      field: 'privacyConsent',
      message: 'you must accept the privacy notice to leave a message',
    });
    expect((await send({ privacyConsent: true, contact: 'boh' })).body.fields[0].field).toBe('contact');
    const ok = await send({ privacyConsent: true, clientMessageId: 'lm-1' });
    expect(ok.status).toBe(201);
    const [c] = await t.ds.query(
      `SELECT contact, granted FROM citizen_consents WHERE purpose = 'updates' AND ticket_id = (SELECT id FROM tickets WHERE reference = $1)`,
      [ok.body.ticketReference],
    );
    expect(c).toEqual({ contact: '+393331234567', granted: true });
    citizen.socket.disconnect();
  });

  it('relays typing both ways and the operator’s read state to the citizen', async () => {
    const token = await login(t, 'supervisore@modugno.demo');
    const agent = await connectAgent(t, token);
    const citizen = await connectCitizen(t, 'modugno');
    const offered = nextEvent(agent, 'ticket.offered');
    const ack = await citizenSays(citizen.socket, 'Salve', 't-1');
    const { ticket } = await offered;
    const typing = nextEvent(agent, 'citizen.typing');
    citizen.socket.emit('typing', { typing: true });
    await expect(typing).resolves.toEqual({ ticketId: ticket.id, typing: true });
    const opTyping = nextEvent(citizen.socket, 'typing');
    agent.emit('typing', { ticketId: ticket.id, typing: true });
    await expect(opTyping).resolves.toEqual({ typing: true });
    const read = nextEvent(citizen.socket, 'read');
    await expect(agent.timeout(3000).emitWithAck('ticket.read', { ticketId: ticket.id, upToMessageId: ack.messageId })).resolves.toEqual({
      ok: true,
    });
    await expect(read).resolves.toEqual({ upToMessageId: ack.messageId });
    expect(await t.ds.query(`SELECT delivery_status FROM messages WHERE id = $1`, [ack.messageId])).toEqual([{ delivery_status: 'read' }]);
    // Another comune's operator cannot mark it, nor reach the citizen.
    const bari = await connectAgent(t, await login(t, 'supervisore@bari.demo'));
    await expect(bari.timeout(3000).emitWithAck('ticket.read', { ticketId: ticket.id, upToMessageId: ack.messageId })).resolves.toEqual({
      ok: false,
      error: `ticket ${ticket.id} not found`,
    });
    [agent, bari, citizen.socket].forEach((s) => s.disconnect());
  });
});
