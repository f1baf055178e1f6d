import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { clearRedisPrefix, createTestDatabase, eventually, startApp, type TestApp } from '../support/harness.js';
import { REDIS_URL } from '../support/env.js';

/**
 * The ingest's events do not notify at commit (a notifying commit holds PostgreSQL's
 * notification-queue lock until it is flushed, so every ingest queued behind the previous one):
 * the ingest wakes the analytics worker itself. With the worker's safety-net poll at 10 minutes,
 * the metrics of a message still follow within moments, in one process and with the worker apart.
 */
describe('analytics wake-up after an ingest', () => {
  const QUIET_POLL = { ANALYTICS_POLL_MS: '600000' };
  const post = (t: TestApp, id: string, citizen: string) =>
    t.http
      .post('/api/app/v1/messages')
      .set('X-Api-Key', 'demo-app-key-bari')
      .send({ messageId: id, citizen: { id: citizen }, text: `Messaggio ${id}` });
  const recomputed = (t: TestApp, reference: string) =>
    eventually(
      async () => {
        const [r] = await t.ds.query(
          `SELECT (SELECT count(*) FROM analytics_dirty d WHERE d.ticket_id = t.id)::int AS marks,
              (SELECT count(*) FROM ticket_metrics m WHERE m.ticket_id = t.id)::int AS metrics
         FROM tickets t WHERE t.reference = $1`,
          [reference],
        );
        return r.marks === 0 && r.metrics === 1;
      },
      5000,
      `metrics of ticket ${reference} recomputed`,
    );

  it('one process: the worker recomputes at once, and the ingest commits send no notification', async () => {
    const t = await startApp(QUIET_POLL);
    const listener = new pg.Client({ connectionString: t.config.databaseUrl });
    try {
      await listener.connect();
      let notified = 0;
      listener.on('notification', () => {
        notified++;
      });
      await listener.query('LISTEN analytics_dirty');

      const first = await post(t, 'wake-1', 'wake-a').expect(201);
      // Routing writes its own event (and notifies, as every writer but the ingest does).
      await eventually(
        async () =>
          (await t.ds.query(`SELECT queue_state FROM tickets WHERE reference = $1`, [first.body.ticketReference]))[0].queue_state !==
          'unrouted',
        5000,
        'routed',
      );
      await recomputed(t, first.body.ticketReference);
      await new Promise((r) => setTimeout(r, 200));
      const before = notified;
      const second = await post(t, 'wake-2', 'wake-a').expect(201);
      expect(second.body.ticketReference).toBe(first.body.ticketReference);
      await recomputed(t, first.body.ticketReference);
      await new Promise((r) => setTimeout(r, 200));
      expect(notified).toBe(before);
    } finally {
      await listener.end();
      await t.close();
    }
  });

  it('API and worker in separate processes: the API wakes the worker', async () => {
    const db = await createTestDatabase();
    const prefix = `test-wake-${randomBytes(4).toString('hex')}`;
    const worker = await startApp({ ...QUIET_POLL, SPORTELLO_ROLE: 'worker', REDIS_PREFIX: prefix }, db);
    const api = await startApp({ ...QUIET_POLL, SPORTELLO_ROLE: 'api', REDIS_PREFIX: prefix }, db);
    try {
      for (let i = 0; i < 3; i++) {
        const res = await post(api, `split-${i}`, `wake-b${i % 2}`).expect(201);
        await recomputed(worker, res.body.ticketReference);
      }
    } finally {
      await api.close();
      await worker.close();
      await db.drop();
      await clearRedisPrefix(REDIS_URL, prefix);
    }
  });
});
