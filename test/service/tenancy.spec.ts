import type { Socket } from 'socket.io-client';
import { io } from 'socket.io-client';
import {
  citizenSays,
  collect,
  connectAgent,
  connectCitizen,
  eventually,
  login,
  nextEvent,
  startApp,
  type TestApp,
} from '../support/harness.js';
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
    const res = await t.http
      .post('/api/app/v1/messages')
      .set('X-Api-Key', 'demo-app-key-bari')
      .send({ messageId: 'iso-1', citizen: { id: 'iso' }, text: 'Informazioni orari', photos: [{ data: png }] });
    bariTicket = { id: '', reference: res.body.ticketReference };
    const [row] = await t.ds.query(`SELECT id FROM tickets WHERE reference = $1`, [res.body.ticketReference]);
    bariTicket.id = String(row.id);
    const [a] = await t.ds.query(`SELECT a.id FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.ticket_id = $1`, [row.id]);
    attachmentId = String(a.id);
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await t.close();
  });

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
    const [row] = await t.ds.query(
      `SELECT status, (SELECT count(*)::int FROM messages WHERE ticket_id = $1) AS n FROM tickets WHERE id = $1`,
      [id],
    );
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
    await expect(
      new Promise<void>((res, rej) => {
        anonymous.once('connect', () => res());
        anonymous.once('connect_error', rej);
      }),
    ).rejects.toThrow(/missing access token/);
    anonymous.disconnect();
  });

  it('pushes a comune’s events only to its own rooms; the metropolitan admin hears every comune', async () => {
    const bariSup = await connectAgent(t, tokens.bariSup, 'away');
    const modSup = await connectAgent(t, tokens.modSup, 'away');
    const admin = await connectAgent(t, tokens.admin, 'away');
    sockets.push(bariSup, modSup, admin);
    const modugnoHeard = [
      'ticket.created',
      'ticket.offered',
      'ticket.assigned',
      'ticket.updated',
      'message.created',
      'message.updated',
    ].flatMap((e) => [collect(modSup, e)]);

    const citizen = await connectCitizen(t, 'bari');
    sockets.push(citizen.socket);
    const bariCreated = collect<any>(bariSup, 'ticket.created');
    const supSees = nextEvent(bariSup, 'message.created', (p: any) => p.message.text === 'Ciao dal centro');
    const adminSees = nextEvent(admin, 'message.created', (p: any) => p.message.text === 'Ciao dal centro');
    await citizenSays(citizen.socket, 'Ciao dal centro', 'room-1');
    const bariTicketId: string = (await supSees).ticketId;
    await adminSees;
    // The routing job's event (the ticket in its group) is the last one of Bari's flow: no operator
    // of Bari is online, so no offer follows it. Bari's supervisor hears it, so it was published.
    await eventually(
      async () => bariCreated.some((p) => p.ticket.id === bariTicketId && p.ticket.groupId !== null),
      5000,
      'Bari’s routed ticket event',
    );

    // Positive control, published after all of Bari's events: a Modugno citizen writes, and Modugno's
    // supervisor hears it. Every event goes through one Redis publisher and reaches each socket in
    // the order published, so an event of Bari's sent to Modugno's rooms would have come before it.
    const modCitizen = await connectCitizen(t, 'modugno');
    sockets.push(modCitizen.socket);
    const control = nextEvent(modSup, 'message.created', (p: any) => p.message.text === 'Ciao da Modugno');
    await citizenSays(modCitizen.socket, 'Ciao da Modugno', 'room-2');
    const modugnoTicketId: string = (await control).ticketId;
    const heard: any[] = modugnoHeard.flat();
    const ticketOf = (p: any): string => p.ticketId ?? p.ticket?.id;
    expect(heard.map(ticketOf)).toContain(modugnoTicketId); // the collectors do hear Modugno's events
    expect(heard.filter((p) => ticketOf(p) !== modugnoTicketId)).toEqual([]);

    // A citizen of another comune cannot resume Bari's session with its token.
    const elsewhere = await connectCitizen(t, 'modugno', citizen.sessionToken);
    sockets.push(elsewhere.socket);
    expect(elsewhere.sessionToken).not.toBe(citizen.sessionToken);
    expect(elsewhere.history.messages).toEqual([]);
  });
});
