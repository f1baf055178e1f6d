import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Queue } from 'bullmq';
import type { Socket } from 'socket.io-client';
import {
  clearRedisPrefix,
  collect,
  connectAgent,
  createTestDatabase,
  eventually,
  login,
  startApp,
  type TestApp,
} from '../support/harness.js';
import { createOperator, everyoneOffline, ticketByReference } from '../support/factories.js';
import { REDIS_URL } from '../support/env.js';
import { ChildApp } from './support/child-app.js';

/**
 * A worker process (SPORTELLO_ROLE=worker, a real child process) is killed with SIGKILL while it
 * is in the middle of routing a ticket: its transaction is open and waiting on the ticket's row.
 * Another worker process must run the job again (BullMQ finds it stalled once the dead worker's
 * lock expires, 30 s by default) and the ticket must be routed and offered exactly once.
 */
describe('fault: a worker killed with SIGKILL in the middle of a job', () => {
  const prefix = `test-kill-${randomBytes(4).toString('hex')}`;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: TestApp;
  let agent: Socket | undefined;
  const children: ChildApp[] = [];
  let routing: Queue;

  beforeAll(async () => {
    db = await createTestDatabase();
    // The test's own process is only the API: every job runs in the child workers.
    api = await startApp({ SPORTELLO_ROLE: 'api', REDIS_PREFIX: prefix, OUTBOX_POLL_MS: '100' }, db);
    routing = new Queue('routing', { connection: { host: '127.0.0.1', port: Number(new URL(REDIS_URL).port || 6379) }, prefix });
  }, 60_000);
  afterAll(async () => {
    agent?.disconnect();
    for (const c of children) await c.kill('SIGKILL');
    await routing?.close();
    await api?.close();
    await db?.drop();
    await clearRedisPrefix(REDIS_URL, prefix);
  });

  // The maintenance sweep also routes tickets left unrouted for 30 s; it is kept out of the way so
  // that what routes the ticket here is the killed job running again.
  const worker = () =>
    ChildApp.start({ SPORTELLO_ROLE: 'worker', DATABASE_URL: db.url, REDIS_URL, REDIS_PREFIX: prefix, SWEEP_INTERVAL_MS: '600000' }).then(
      (c) => {
        children.push(c);
        return c;
      },
    );

  it('runs the job again in another worker, and nothing is routed or offered twice', async () => {
    await everyoneOffline(api.ds);
    const op = await createOperator(api.ds, { comune: 'bitonto', groups: ['urp'], capacity: 10 });
    agent = await connectAgent(api, await login(api, op.email));
    const offers = collect(agent, 'ticket.offered');
    const firstWorker = worker();

    const res = await api.http
      .post('/api/app/v1/messages')
      .set('X-Api-Key', 'demo-app-key-bitonto')
      .send({ messageId: 'kill-1', citizen: { id: 'kill-citizen' }, text: 'Il mio messaggio durante il crash' });
    expect(res.status).toBe(201);
    const ticket = await ticketByReference(api.ds, res.body.ticketReference);
    const jobId = `route-${ticket.id}`;
    await eventually(async () => (await routing.getJob(jobId)) !== undefined, 10_000, 'routing job published');

    // Hold the ticket's row so the worker's routing transaction stops halfway, then let it start.
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query(`SELECT id FROM tickets WHERE id = $1 FOR UPDATE`, [ticket.id]);
    const a = await firstWorker;
    await eventually(
      async () =>
        (await routing.getJob(jobId))?.processedOn !== undefined &&
        (
          await holder.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          )
        ).rows[0].n > 0,
      30_000,
      'worker A blocked inside the routing job',
    );
    expect(await (await routing.getJob(jobId))!.getState()).toBe('active');

    // The second worker boots while the first one is stuck (it finds nothing to take), so that
    // its stalled-job check is already running when the first one dies.
    await worker();
    await a.kill('SIGKILL');
    expect(a.proc.signalCode).toBe('SIGKILL');
    await holder.query('ROLLBACK');
    await holder.end();
    expect((await ticketByReference(api.ds, res.body.ticketReference)).queue_state).toBe('unrouted');

    await eventually(async () => (await routing.getJob(jobId))!.finishedOn !== undefined, 100_000, 'job run again to completion');
    expect((await ticketByReference(api.ds, res.body.ticketReference)).offered_to_id).toBe(op.id);
    const done = (await routing.getJob(jobId))!;
    // The killed run was noticed as stalled and the job ran again to completion.
    expect(done.stalledCounter).toBe(1);
    expect(done.failedReason).toBeFalsy();

    const events = await api.ds.query(`SELECT type, count(*)::int AS n FROM ticket_events WHERE ticket_id = $1 GROUP BY type`, [ticket.id]);
    const n = (type: string) => events.find((e: any) => e.type === type)?.n ?? 0;
    const [msgs] = await api.ds.query(`SELECT count(*)::int AS n FROM messages WHERE ticket_id = $1`, [ticket.id]);
    await eventually(async () => offers.length > 0, 5_000, 'offer pushed to the operator');
    const report = {
      lost: { message: 1 - msgs.n, routing: 1 - n('ticket.routed') },
      duplicated: {
        messages: msgs.n - 1,
        routings: n('ticket.routed') - 1,
        offers: offers.filter((o) => o.ticket.id === String(ticket.id)).length - 1,
      },
    };
    expect(report).toEqual({ lost: { message: 0, routing: 0 }, duplicated: { messages: 0, routings: 0, offers: 0 } });
  }, 180_000);
});
