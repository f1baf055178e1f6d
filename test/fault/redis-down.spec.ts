import type { Socket } from 'socket.io-client';
import { citizenSays, connectAgent, connectCitizen, eventually, login, startApp, type TestApp } from '../support/harness.js';
import { createOperator, everyoneOffline } from '../support/factories.js';
import { DisposableRedis } from '../support/redis-server.js';

/**
 * Redis stopped while citizens write through the web chat AND the app channel at the same time:
 * every acknowledged message must be in PostgreSQL, and every ticket routed exactly once after
 * Redis is back. Lost = acknowledged but not stored or never routed; duplicated = stored or routed
 * more than once. Both must be zero.
 */
describe('fault: Redis down while web chat and app channel messages arrive', () => {
  let redis: DisposableRedis;
  let t: TestApp;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    redis = await DisposableRedis.create();
    await redis.start();
    t = await startApp({ REDIS_URL: redis.url, OUTBOX_POLL_MS: '100' });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await redis.start().catch(() => undefined);
    await t.close();
    await redis.stop();
  });

  it('loses nothing and duplicates nothing', async () => {
    await everyoneOffline(t.ds);
    const op = await createOperator(t.ds, { comune: 'molfetta', groups: ['urp'], capacity: 100 });
    const agent = await connectAgent(t, await login(t, op.email));
    sockets.push(agent);
    const citizens = await Promise.all(Array.from({ length: 10 }, () => connectCitizen(t, 'molfetta')));
    sockets.push(...citizens.map((c) => c.socket));

    await redis.stop();

    // 10 web-chat citizens × 2 messages and 20 app messages, all in flight together.
    const webchat = citizens.flatMap((c, i) => [0, 1].map((k) => citizenSays(c.socket, `Web chat ${i}.${k} senza Redis`, `rd-${i}-${k}`)));
    const app = Array.from({ length: 20 }, (_, i) =>
      t.http
        .post('/api/app/v1/messages')
        .set('X-Api-Key', 'demo-app-key-molfetta')
        .send({ messageId: `rd-app-${i}`, citizen: { id: `rd-app-citizen-${i}` }, text: `App ${i} senza Redis` }),
    );
    const acks = await Promise.all(webchat);
    const answers = await Promise.all(app);

    // Every answer is a positive acknowledgement: PostgreSQL was up, so refusing would itself be a loss.
    expect(acks.filter((a) => !a.ok)).toEqual([]);
    expect(answers.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
    const ackedIds = [...acks.map((a) => a.messageId), ...answers.map((r) => r.body.messageId)];
    const refs = [...new Set([...acks.map((a) => a.ticketReference), ...answers.map((r) => r.body.ticketReference)])];
    expect(refs).toHaveLength(30); // 10 web-chat conversations + 20 app citizens

    const stored = await t.ds.query(`SELECT id::text FROM messages WHERE id = ANY($1::bigint[])`, [ackedIds]);
    const lostBeforeRestart = ackedIds.filter((id) => !stored.some((s: any) => s.id === id));
    expect({ lost: lostBeforeRestart }).toEqual({ lost: [] });
    const [pending] = await t.ds.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL AND topic = 'ticket.route'`);
    expect(pending.n).toBe(30);

    await redis.start();
    await eventually(
      async () => {
        const [r] = await t.ds.query(`SELECT count(*)::int AS n FROM tickets WHERE reference = ANY($1) AND offered_to_id = $2`, [
          refs,
          op.id,
        ]);
        return r.n === 30;
      },
      30_000,
      'all 30 tickets offered after Redis came back',
    );

    const perMessage = await t.ds.query(
      `SELECT external_id, count(*)::int AS n FROM messages WHERE external_id LIKE '%rd-%' GROUP BY external_id`,
    );
    const routed = await t.ds.query(
      `SELECT ticket_id, count(*)::int AS n FROM ticket_events WHERE type = 'ticket.routed'
      AND ticket_id IN (SELECT id FROM tickets WHERE reference = ANY($1)) GROUP BY ticket_id`,
      [refs],
    );
    const report = {
      lost: { messages: 40 - perMessage.length, routings: 30 - routed.length },
      duplicated: { messages: perMessage.filter((m: any) => m.n > 1).length, routings: routed.filter((r: any) => r.n > 1).length },
    };
    expect(report).toEqual({ lost: { messages: 0, routings: 0 }, duplicated: { messages: 0, routings: 0 } });
  }, 60_000);
});
