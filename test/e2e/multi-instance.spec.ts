import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import {
  citizenSays,
  clearRedisPrefix,
  connectAgent,
  connectCitizen,
  createTestDatabase,
  eventually,
  login,
  nextEvent,
  startApp,
  type TestApp,
} from '../support/harness.js';
import { REDIS_URL } from '../support/env.js';

/**
 * Two API processes and a separate worker process over one PostgreSQL and one Redis: the citizen
 * is connected to one API, the operator to the other, routing and delivery run in the worker.
 */
describe('several instances through Redis', () => {
  const apps: TestApp[] = [];
  const sockets: Socket[] = [];
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const prefix = `test-multi-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    for (const role of ['api', 'api', 'worker']) apps.push(await startApp({ SPORTELLO_ROLE: role, REDIS_PREFIX: prefix }, db));
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    for (const a of apps) await a.close();
    await db.drop();
    await clearRedisPrefix(REDIS_URL, prefix);
  });

  it('offers on one API, answers from it, and reaches the citizen on the other', async () => {
    const [apiA, apiB, worker] = apps;
    expect((await worker.http.get('/health')).body.role).toBe('worker');
    expect((await worker.http.get('/api/tickets')).status).toBe(404); // the worker serves no API

    const token = await login(apiA, 'operatore@bari.demo');
    const operator = await connectAgent(apiA, token);
    const citizen = await connectCitizen(apiB, 'bari');
    sockets.push(operator, citizen.socket);

    const offered = nextEvent(operator, 'ticket.offered');
    const ack = await citizenSays(citizen.socket, 'Salve, vorrei un certificato di residenza', 'multi-1');
    const offer = await offered;
    expect(offer.ticket.reference).toBe(ack.ticketReference);

    const reply = nextEvent(citizen.socket, 'message');
    await apiA.http
      .post(`/api/tickets/${offer.ticket.id}/messages`)
      .set('Authorization', `Bearer ${token}`)
      .send({ text: 'Può richiederlo online con SPID.' })
      .expect(201);
    expect((await reply).text).toBe('Può richiederlo online con SPID.');
    // The worker records "sent" right after handing the message to the socket: wait for it.
    await eventually(
      async () => {
        const [m] = await apiA.ds.query(`SELECT delivery_status FROM messages WHERE text = 'Può richiederlo online con SPID.'`);
        return m.delivery_status === 'sent';
      },
      5000,
      'delivery status sent',
    );
  });
});
