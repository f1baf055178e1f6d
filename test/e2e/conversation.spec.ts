import type { Socket } from 'socket.io-client';
import { citizenSays, collect, connectAgent, connectCitizen, login, nextEvent, startApp, type TestApp } from '../support/harness.js';

/**
 * The story, end to end over HTTP and Socket.IO against real PostgreSQL and Redis:
 * a citizen writes in Bari's web chat, Bari's URP operator is offered the ticket within a second,
 * reads and answers it, the citizen sees the answer live; Modugno's operator sees nothing.
 */
describe('citizen ↔ operator conversation through the web chat', () => {
  let t: TestApp;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await t.close();
  });

  it('routes the citizen to Bari’s operator, carries the reply back, and keeps Modugno out', async () => {
    const bariToken = await login(t, 'operatore@bari.demo');
    const modugnoToken = await login(t, 'operatore@modugno.demo');
    const bari = await connectAgent(t, bariToken);
    const modugno = await connectAgent(t, modugnoToken);
    sockets.push(bari, modugno);
    const modugnoSaw = [
      ...['ticket.created', 'ticket.offered', 'ticket.assigned', 'ticket.updated', 'message.created'].map((e) => collect(modugno, e)),
    ];

    const citizen = await connectCitizen(t, 'bari');
    sockets.push(citizen.socket);
    expect(citizen.history).toEqual({ ticketReference: null, messages: [] });

    const offered = nextEvent(bari, 'ticket.offered');
    const sentAt = Date.now();
    const ack = await citizenSays(citizen.socket, "Buongiorno, a che ora apre l'ufficio anagrafe?", 'c-1');
    expect(ack).toMatchObject({ ok: true, duplicate: false });
    expect(ack.ticketReference).toMatch(/^BA-\d{4}-\d{6}$/);

    const offer = await offered;
    expect(Date.now() - sentAt).toBeLessThan(1000);
    expect(offer.ticket.reference).toBe(ack.ticketReference);
    expect(offer.ticket.channel).toBe('webchat');

    const detail = await t.http.get(`/api/tickets/${offer.ticket.id}`).set('Authorization', `Bearer ${bariToken}`);
    expect(detail.status).toBe(200);
    expect(detail.body.messages.map((m: any) => m.text)).toEqual(["Buongiorno, a che ora apre l'ufficio anagrafe?"]);
    expect(detail.body.groupId).not.toBeNull();

    const reply = nextEvent(citizen.socket, 'message');
    const sent = await t.http
      .post(`/api/tickets/${offer.ticket.id}/messages`)
      .set('Authorization', `Bearer ${bariToken}`)
      .send({ text: "L'anagrafe apre alle 9:00." });
    expect(sent.status).toBe(201);
    const got = await reply;
    expect(got).toMatchObject({ text: "L'anagrafe apre alle 9:00.", author: 'operator', ticketReference: ack.ticketReference });

    // Replying took the offer: the ticket is now the operator's.
    const after = await t.http.get(`/api/tickets/${offer.ticket.id}`).set('Authorization', `Bearer ${bariToken}`);
    expect(after.body).toMatchObject({ status: 'open', queueState: 'assigned' });

    // Modugno's operator: nothing pushed, nothing readable.
    expect(modugnoSaw.flat()).toEqual([]);
    const peek = await t.http.get(`/api/tickets/${offer.ticket.id}`).set('Authorization', `Bearer ${modugnoToken}`);
    expect(peek.status).toBe(404);
    const list = await t.http.get('/api/tickets').set('Authorization', `Bearer ${modugnoToken}`);
    expect(list.body.map((x: any) => x.id)).not.toContain(offer.ticket.id);
  });

  it('keeps internal notes from the citizen and resumes the conversation after a reload', async () => {
    // The TARI question is routed to "Tributi locali": the URP operator does not see it, the supervisor does.
    const token = await login(t, 'supervisore@bari.demo');
    const first = await connectCitizen(t, 'bari');
    sockets.push(first.socket);
    const ack = await citizenSays(first.socket, 'Vorrei informazioni sulla TARI', 'n-1');
    const [ticket] = (await t.http.get('/api/tickets').query({ q: ack.ticketReference }).set('Authorization', `Bearer ${token}`)).body;
    const urpOnly = await login(t, 'operatore@bari.demo');
    await t.http.get(`/api/tickets/${ticket.id}`).set('Authorization', `Bearer ${urpOnly}`).expect(404);

    const heard = collect(first.socket, 'message');
    await t.http
      .post(`/api/tickets/${ticket.id}/messages`)
      .set('Authorization', `Bearer ${token}`)
      .send({ text: 'Nota: cittadino già sentito ieri', internal: true })
      .expect(201);
    const answer = nextEvent(first.socket, 'message');
    await t.http
      .post(`/api/tickets/${ticket.id}/messages`)
      .set('Authorization', `Bearer ${token}`)
      .send({ text: 'La TARI si paga in quattro rate.' })
      .expect(201);
    await answer;
    expect(heard.map((m) => m.text)).toEqual(['La TARI si paga in quattro rate.']);

    // Reload: same session (its token renewed), same conversation, still without the note.
    first.socket.disconnect();
    const again = await connectCitizen(t, 'bari', first.sessionToken);
    sockets.push(again.socket);
    expect(again.sessionToken.split('.')[1]).toBe(first.sessionToken.split('.')[1]);
    expect(again.history.ticketReference).toBe(ack.ticketReference);
    expect(again.history.messages.map((m: any) => m.text)).toEqual(['Vorrei informazioni sulla TARI', 'La TARI si paga in quattro rate.']);

    // The citizen's next message goes to the same ticket.
    const more = await citizenSays(again.socket, 'Grazie, e le scadenze?', 'n-2');
    expect(more.ticketReference).toBe(ack.ticketReference);
  });

  it('refuses unknown comuni and bad messages with a reason, storing nothing', async () => {
    await expect(connectCitizen(t, 'atlantide')).rejects.toThrow('unknown comune "atlantide"');
    const c = await connectCitizen(t, 'bari');
    sockets.push(c.socket);
    const before = await t.ds.query('SELECT count(*)::int AS n FROM messages');
    const tooLong = await citizenSays(c.socket, 'x'.repeat(t.config.maxMessageLength + 1));
    expect(tooLong).toEqual({
      ok: false,
      error: { status: 413, field: 'text', message: `is longer than ${t.config.maxMessageLength} characters` },
    });
    const empty = await citizenSays(c.socket, '   ');
    expect(empty.ok).toBe(false);
    expect(empty.error.field).toBe('text');
    const notAnObject = await c.socket.timeout(5000).emitWithAck('message', 'ciao');
    expect(notAnObject.ok).toBe(false);
    const after = await t.ds.query('SELECT count(*)::int AS n FROM messages');
    expect(after[0].n).toBe(before[0].n);
  });
});
