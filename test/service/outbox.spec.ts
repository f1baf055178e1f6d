import type { Socket } from 'socket.io-client';
import { connectAgent, eventually, login, startApp, type TestApp } from '../support/harness.js';
import { createOperator, ticketByReference } from '../support/factories.js';
import { DisposableRedis } from '../support/redis-server.js';

/**
 * Redis stopped while messages arrive: every acknowledged message is stored in PostgreSQL with
 * its routing job in the outbox, and is routed to an operator once Redis is back.
 */
describe('transactional outbox with Redis down', () => {
  let redis: DisposableRedis;
  let t: TestApp;
  let agent: Socket | undefined;

  beforeAll(async () => {
    redis = await DisposableRedis.create();
    await redis.start();
    t = await startApp({ REDIS_URL: redis.url, OUTBOX_POLL_MS: '100' });
  });
  afterAll(async () => {
    agent?.disconnect();
    await redis.start().catch(() => undefined);
    await t.close();
    await redis.stop();
  });

  it('acknowledges and stores while Redis is down, then routes everything once it is back', async () => {
    const op = await createOperator(t.ds, { comune: 'turi', groups: ['urp'], capacity: 20 });
    agent = await connectAgent(t, await login(t, op.email));

    await redis.stop();
    const ready = await t.http.get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.redis).toMatch(/^down/);
    expect(ready.body.postgres).toBe('up');

    const refs: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await t.http
        .post('/api/app/v1/messages')
        .set('X-Api-Key', 'demo-app-key-turi')
        .send({ messageId: `down-${i}`, citizen: { id: `down-citizen-${i}` }, text: `Messaggio ${i} mentre Redis è fermo` });
      expect(res.status).toBe(201);
      refs.push(res.body.ticketReference);
    }
    // Stored, waiting in the outbox, not routed.
    for (const ref of refs) expect((await ticketByReference(t.ds, ref)).queue_state).toBe('unrouted');
    const [pending] = await t.ds.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL AND topic = 'ticket.route'`);
    expect(pending.n).toBe(10);

    await redis.start();
    await eventually(
      async () => {
        const rows = await t.ds.query(
          `SELECT count(*)::int AS n FROM tickets WHERE reference = ANY($1) AND queue_state = 'offered' AND offered_to_id = $2`,
          [refs, op.id],
        );
        return rows[0].n === 10;
      },
      20000,
      'all 10 tickets offered after Redis came back',
    );

    // Nothing lost, nothing twice: 10 tickets, 10 messages, one routing each.
    const [msgs] = await t.ds.query(`SELECT count(*)::int AS n FROM messages WHERE external_id LIKE '%:down-%'`);
    expect(msgs.n).toBe(10);
    const routed = await t.ds.query(
      `SELECT ticket_id, count(*)::int AS n FROM ticket_events WHERE type = 'ticket.routed'
      AND ticket_id IN (SELECT id FROM tickets WHERE reference = ANY($1)) GROUP BY ticket_id`,
      [refs],
    );
    expect(routed).toHaveLength(10);
    expect(routed.every((r: any) => r.n === 1)).toBe(true);
    expect((await t.http.get('/health/ready')).status).toBe(200);
  }, 60000);
});
