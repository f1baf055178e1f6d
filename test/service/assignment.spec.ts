import type { Socket } from 'socket.io-client';
import { connectAgent, eventually, login, nextEvent, startApp, type TestApp } from '../support/harness.js';
import { createOperator, groupId, ticketByReference } from '../support/factories.js';

/** A ticket arriving from the app channel of comune `slug`, routed to the URP group (no keywords match). */
async function newTicket(t: TestApp, text: string, n: number, slug = 'noci'): Promise<string> {
  const res = await t.http
    .post('/api/app/v1/messages')
    .set('X-Api-Key', `demo-app-key-${slug}`)
    .send({ messageId: `m-${n}-${Date.now()}`, citizen: { id: `citizen-${n}` }, text });
  expect(res.status).toBe(201);
  return res.body.ticketReference;
}

describe('assignment: FIFO queues, offers, re-offer, hand-back, transfer', () => {
  let t: TestApp;
  const sockets: Socket[] = [];
  // Noci: a comune whose demo accounts stay disconnected, so these operators are the only ones online.
  beforeAll(async () => {
    t = await startApp({ OFFER_TIMEOUT_MS: '1000', PRESENCE_GRACE_MS: '100' });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await t.close();
  });

  const agent = async (email: string) => {
    const token = await login(t, email);
    const s = await connectAgent(t, token);
    sockets.push(s);
    return { token, socket: s };
  };

  it('queues tickets first-in-first-out while nobody is free, and offers the oldest when capacity frees', async () => {
    const op = await createOperator(t.ds, { comune: 'noci', groups: ['urp'], capacity: 1 });
    const refs = [await newTicket(t, 'Prima domanda', 1), await newTicket(t, 'Seconda domanda', 2), await newTicket(t, 'Terza domanda', 3)];
    await eventually(async () => (await ticketByReference(t.ds, refs[2])).queue_state === 'queued', 5000, 'tickets queued');

    const a = await agent(op.email);
    const first = await nextEvent(a.socket, 'ticket.offered');
    expect(first.ticket.reference).toBe(refs[0]);
    // Capacity 1: the others wait, in order.
    expect((await ticketByReference(t.ds, refs[1])).queue_state).toBe('queued');
    await t.http.post(`/api/tickets/${first.ticket.id}/accept`).set('Authorization', `Bearer ${a.token}`).expect(204);

    const second = nextEvent(a.socket, 'ticket.offered');
    await t.http
      .patch(`/api/tickets/${first.ticket.id}`)
      .set('Authorization', `Bearer ${a.token}`)
      .send({ status: 'resolved' })
      .expect(200);
    expect((await second).ticket.reference).toBe(refs[1]);
    expect((await ticketByReference(t.ds, refs[2])).queue_state).toBe('queued');
  });

  it('moves an offer nobody accepts to the next operator, least loaded first', async () => {
    await t.ds.query(`UPDATE operators SET presence = 'offline' WHERE comune_id = (SELECT id FROM comuni WHERE slug = 'noci')`);
    await t.ds.query(
      `UPDATE tickets SET queue_state = 'done', status = 'closed' WHERE comune_id = (SELECT id FROM comuni WHERE slug = 'noci')`,
    );
    const slow = await createOperator(t.ds, { comune: 'noci', groups: ['urp'], capacity: 3 });
    const quick = await createOperator(t.ds, { comune: 'noci', groups: ['urp'], capacity: 3 });
    const s = await agent(slow.email);
    const q = await agent(quick.email);

    const offeredToSomeone = Promise.race([
      nextEvent(s.socket, 'ticket.offered').then((e) => ({ who: 'slow', e })),
      nextEvent(q.socket, 'ticket.offered').then((e) => ({ who: 'quick', e })),
    ]);
    const ref = await newTicket(t, 'Chi mi risponde?', 10);
    const firstOffer = await offeredToSomeone;
    const [firstSock, otherSock, otherName] = firstOffer.who === 'slow' ? [s, q, 'quick'] : [q, s, 'slow'];
    expect(firstOffer.e.ticket.reference).toBe(ref);

    // Nobody accepts: after OFFER_TIMEOUT_MS the other operator gets it, and the first is told it left.
    const left = nextEvent(
      firstSock.socket,
      'ticket.updated',
      (p: any) => p.ticket.reference === ref && p.change === 'offer.expired',
      6000,
    );
    const reoffer = await nextEvent(otherSock.socket, 'ticket.offered', (p: any) => p.ticket.reference === ref, 6000);
    await left;
    expect(reoffer.ticket.offeredToId).toBe(otherName === 'quick' ? quick.id : slow.id);
    const events = await t.ds.query(`SELECT type FROM ticket_events WHERE ticket_id = $1 ORDER BY id`, [reoffer.ticket.id]);
    expect(events.map((e: any) => e.type)).toEqual(expect.arrayContaining(['offer.made', 'offer.expired']));
  });

  it('hands unanswered tickets back to the queue when their operator goes offline', async () => {
    await t.ds.query(`UPDATE operators SET presence = 'offline' WHERE comune_id = (SELECT id FROM comuni WHERE slug = 'noci')`);
    await t.ds.query(
      `UPDATE tickets SET queue_state = 'done', status = 'closed' WHERE comune_id = (SELECT id FROM comuni WHERE slug = 'noci')`,
    );
    const leaving = await createOperator(t.ds, { comune: 'noci', groups: ['urp'], capacity: 5 });
    const l = await agent(leaving.email);
    const ref1 = await newTicket(t, 'Domanda senza risposta', 20);
    const ref2 = await newTicket(t, 'Domanda con risposta', 21);
    const o1 = await nextEvent(l.socket, 'ticket.offered', (p: any) => p.ticket.reference === ref1);
    const o2 = await nextEvent(l.socket, 'ticket.offered', (p: any) => p.ticket.reference === ref2);
    await t.http.post(`/api/tickets/${o1.ticket.id}/accept`).set('Authorization', `Bearer ${l.token}`).expect(204);
    await t.http
      .post(`/api/tickets/${o2.ticket.id}/messages`)
      .set('Authorization', `Bearer ${l.token}`)
      .send({ text: 'Risposta' })
      .expect(201);

    const staying = await createOperator(t.ds, { comune: 'noci', groups: ['urp'], capacity: 5 });
    const st = await agent(staying.email);
    await t.http.post('/api/presence').set('Authorization', `Bearer ${st.token}`).send({ presence: 'away' }).expect(201);

    l.socket.disconnect();
    await eventually(async () => (await ticketByReference(t.ds, ref1)).queue_state === 'queued', 5000, 'hand-back');
    const kept = await ticketByReference(t.ds, ref2);
    expect(kept).toMatchObject({ queue_state: 'assigned', assignee_id: leaving.id });
    const [op] = await t.ds.query(`SELECT presence FROM operators WHERE id = $1`, [leaving.id]);
    expect(op.presence).toBe('offline');

    // The colleague comes back online: the handed-back ticket is offered to them.
    const offer = nextEvent(st.socket, 'ticket.offered', (p: any) => p.ticket.reference === ref1);
    await t.http.post('/api/presence').set('Authorization', `Bearer ${st.token}`).send({ presence: 'online' }).expect(201);
    expect((await offer).ticket.offeredToId).toBe(staying.id);
  });

  it('lets a supervisor transfer a ticket to another group, whose members see it arrive', async () => {
    const env = await createOperator(t.ds, { comune: 'noci', groups: ['ambiente'], capacity: 5 });
    const e = await agent(env.email);
    const sup = await login(t, 'supervisore@noci.demo');
    const ref = await newTicket(t, 'Domanda generica', 30);
    const ticket = await eventually(
      async () => {
        const x = await ticketByReference(t.ds, ref);
        return x.queue_state !== 'unrouted' ? x : null;
      },
      5000,
      'routed',
    );

    const arrived = nextEvent(e.socket, 'ticket.offered', (p: any) => p.ticket.reference === ref);
    const res = await t.http
      .post(`/api/tickets/${ticket.id}/transfer`)
      .set('Authorization', `Bearer ${sup}`)
      .send({ groupId: await groupId(t.ds, 'noci', 'ambiente'), note: 'Riguarda i rifiuti ingombranti' });
    expect(res.status).toBe(204);
    expect((await arrived).ticket.groupId).toBe(await groupId(t.ds, 'noci', 'ambiente'));
    const history = (await t.http.get(`/api/tickets/${ticket.id}/events`).set('Authorization', `Bearer ${sup}`)).body;
    expect(history.find((h: any) => h.type === 'ticket.transferred').data.note).toBe('Riguarda i rifiuti ingombranti');
    const detail = (await t.http.get(`/api/tickets/${ticket.id}`).set('Authorization', `Bearer ${sup}`)).body;
    expect(detail.messages.find((m: any) => m.internal)?.text).toBe('Riguarda i rifiuti ingombranti');

    // A group of another comune does not exist for this supervisor: 404, naming the field.
    const bad = await t.http
      .post(`/api/tickets/${ticket.id}/transfer`)
      .set('Authorization', `Bearer ${sup}`)
      .send({ groupId: await groupId(t.ds, 'bari', 'ambiente') });
    expect(bad.status).toBe(404);
    expect(bad.body.fields[0].field).toBe('groupId');
    // A plain operator who is not the assignee may not transfer.
    const urp = await login(t, 'operatore@noci.demo');
    const denied = await t.http
      .post(`/api/tickets/${ticket.id}/transfer`)
      .set('Authorization', `Bearer ${urp}`)
      .send({ groupId: await groupId(t.ds, 'noci', 'urp') });
    expect([403, 404]).toContain(denied.status);
  });
});
