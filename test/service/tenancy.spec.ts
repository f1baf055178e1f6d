import type { Socket } from 'socket.io-client';
import { io } from 'socket.io-client';
import { citizenSays, collect, connectAgent, connectCitizen, eventually, login, nextEvent, startApp, type TestApp } from '../support/harness.js';
import { groupId } from '../support/factories.js';

/** Every REST route and every socket room keeps a comune's tickets to that comune (and the metropolitan admin). */
describe('tenant isolation', () => {
  let t: TestApp;
  const sockets: Socket[] = [];
  let bariTicket: { id: string; reference: string };
  let attachmentId: string;
  let tokens: Record<string, string>;

  beforeAll(async () => {
    t = await startApp();
    tokens = {
      bariOp: await login(t, 'operatore@bari.demo'),
      bariSup: await login(t, 'supervisore@bari.demo'),
      modOp: await login(t, 'operatore@modugno.demo'),
      modSup: await login(t, 'supervisore@modugno.demo'),
      modMgr: await login(t, 'manager@modugno.demo'),
      admin: await login(t, 'admin@metro.demo'),
    };
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const res = await t.http.post('/api/app/v1/messages').set('X-Api-Key', 'demo-app-key-bari')
      .send({ messageId: 'iso-1', citizen: { id: 'iso' }, text: 'Informazioni orari', photos: [{ data: png }] });
    bariTicket = { id: '', reference: res.body.ticketReference };
    const [row] = await t.ds.query(`SELECT id FROM tickets WHERE reference = $1`, [res.body.ticketReference]);
    bariTicket.id = String(row.id);
    const [a] = await t.ds.query(`SELECT a.id FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.ticket_id = $1`, [row.id]);
    attachmentId = String(a.id);
  });
  afterAll(async () => { sockets.forEach((s) => s.disconnect()); await t.close(); });

  it('answers 404 to another comune’s operators, supervisors and managers on every ticket route', async () => {
    const id = bariTicket.id;
    const urpBari = await groupId(t.ds, 'bari', 'urp');
    for (const who of ['modOp', 'modSup', 'modMgr'] as const) {
      const auth = { Authorization: `Bearer ${tokens[who]}` };
      const calls = [
        t.http.get(`/api/tickets/${id}`).set(auth),
        t.http.get(`/api/tickets/${id}/events`).set(auth),
        t.http.post(`/api/tickets/${id}/messages`).set(auth).send({ text: 'intrusione' }),
        t.http.post(`/api/tickets/${id}/messages`).set(auth).send({ text: 'nota', internal: true }),
        t.http.patch(`/api/tickets/${id}`).set(auth).send({ status: 'resolved' }),
        t.http.post(`/api/tickets/${id}/accept`).set(auth),
        t.http.post(`/api/tickets/${id}/decline`).set(auth),
        t.http.post(`/api/tickets/${id}/transfer`).set(auth).send({ groupId: urpBari }),
        t.http.get(`/api/attachments/${attachmentId}`).set(auth),
      ];
      const statuses = (await Promise.all(calls)).map((res) => res.status);
      expect({ who, statuses }).toEqual({ who, statuses: calls.map(() => 404) });
      const list = await t.http.get('/api/tickets').set(auth);
      expect(list.body.map((x: any) => x.reference)).not.toContain(bariTicket.reference);
      const groups = await t.http.get('/api/groups').set(auth);
      expect(new Set(groups.body.map((g: any) => g.comuneId)).size).toBe(1);
      const ops = await t.http.get('/api/operators').set(auth);
      expect(ops.body.every((o: any) => o.comuneId === groups.body[0].comuneId)).toBe(true);
    }
    const [row] = await t.ds.query(`SELECT status, (SELECT count(*)::int FROM messages WHERE ticket_id = $1) AS n FROM tickets WHERE id = $1`, [id]);
    expect(row).toEqual({ status: 'new', n: 1 });
  });

  it('lets Bari’s staff and the metropolitan admin in', async () => {
    for (const who of ['bariSup', 'admin'] as const) {
      const res = await t.http.get(`/api/tickets/${bariTicket.id}`).set('Authorization', `Bearer ${tokens[who]}`);
      expect(res.status).toBe(200);
    }
    const att = await t.http.get(`/api/attachments/${attachmentId}`).set('Authorization', `Bearer ${tokens.bariSup}`);
    expect(att.status).toBe(200);
    expect(att.headers['content-type']).toBe('image/png');
    const all = await t.http.get('/api/groups').set('Authorization', `Bearer ${tokens.admin}`);
    expect(new Set(all.body.map((g: any) => g.comuneId)).size).toBe(41);
  });

  it('refuses missing, malformed and forged tokens with 401', async () => {
    const forged = tokens.modOp.slice(0, -4) + (tokens.modOp.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (const auth of [undefined, 'Bearer', 'Bearer nonsense', `Bearer ${forged}`, `Basic ${tokens.modOp}`]) {
      const req = t.http.get('/api/tickets');
      if (auth) req.set('Authorization', auth);
      const res = await req;
      expect({ auth, status: res.status }).toEqual({ auth, status: 401 });
    }
    await expect(connectAgent(t, forged)).rejects.toThrow(/unauthorized/);
    const anonymous = io(`${t.url}/agent`, { transports: ['websocket'], reconnection: false, forceNew: true });
    await expect(new Promise<void>((res, rej) => { anonymous.once('connect', () => res()); anonymous.once('connect_error', rej); })).rejects.toThrow(/missing access token/);
    anonymous.disconnect();
  });

  it('pushes a comune’s events only to its own rooms; the metropolitan admin hears every comune', async () => {
    const bariSup = await connectAgent(t, tokens.bariSup, 'away');
    const modSup = await connectAgent(t, tokens.modSup, 'away');
    const admin = await connectAgent(t, tokens.admin, 'away');
    sockets.push(bariSup, modSup, admin);
    const modugnoHeard = ['ticket.created', 'ticket.offered', 'ticket.assigned', 'ticket.updated', 'message.created', 'message.updated']
      .flatMap((e) => [collect(modSup, e)]);

    const citizen = await connectCitizen(t, 'bari');
    sockets.push(citizen.socket);
    const supSees = nextEvent(bariSup, 'message.created', (p: any) => p.message.text === 'Ciao dal centro');
    const adminSees = nextEvent(admin, 'message.created', (p: any) => p.message.text === 'Ciao dal centro');
    await citizenSays(citizen.socket, 'Ciao dal centro', 'room-1');
    await supSees;
    await adminSees;
    // Give the routing job time to emit its own events, then check Modugno heard nothing at all.
    await eventually(async () => (await t.ds.query(`SELECT 1 FROM ticket_events WHERE type = 'ticket.routed' AND data->>'group' IS NOT NULL AND ticket_id IN (SELECT t.id FROM tickets t JOIN messages m ON m.ticket_id = t.id WHERE m.text = 'Ciao dal centro')`)).length > 0, 5000, 'routed');
    await new Promise((r) => setTimeout(r, 200));
    expect(modugnoHeard.flat()).toEqual([]);

    // A citizen of another comune cannot resume Bari's session with its token.
    const elsewhere = await connectCitizen(t, 'modugno', citizen.sessionToken);
    sockets.push(elsewhere.socket);
    expect(elsewhere.sessionToken).not.toBe(citizen.sessionToken);
    expect(elsewhere.history.messages).toEqual([]);
  });
});
