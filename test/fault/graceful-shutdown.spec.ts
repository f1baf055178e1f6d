import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { clearRedisPrefix, createTestDatabase, eventually, startApp, type TestApp } from '../support/harness.js';
import { ticketByReference } from '../support/factories.js';
import { REDIS_URL } from '../support/env.js';
import { ChildApp } from './support/child-app.js';
import { holdTicketRow } from './support/row-lock.js';

/**
 * SIGTERM to a worker in the middle of a job (a deploy, a scale-down): the worker stops taking
 * new jobs, finishes the one it is running, and exits cleanly; the job is not run twice.
 */
describe('graceful shutdown of a worker process', () => {
  const prefix = `test-term-${randomBytes(4).toString('hex')}`;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: TestApp;
  let worker: ChildApp | undefined;
  let routing: Queue;

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startApp({ SPORTELLO_ROLE: 'api', REDIS_PREFIX: prefix, OUTBOX_POLL_MS: '100' }, db);
    routing = new Queue('routing', { connection: { host: '127.0.0.1', port: Number(new URL(REDIS_URL).port || 6379) }, prefix });
  }, 60_000);
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await routing?.close();
    await api?.close();
    await db?.drop();
    await clearRedisPrefix(REDIS_URL, prefix);
  });

  it('finishes the running job before exiting', async () => {
    const res = await api.http
      .post('/api/app/v1/messages')
      .set('X-Api-Key', 'demo-app-key-terlizzi')
      .send({ messageId: 'term-1', citizen: { id: 'term-citizen' }, text: 'Messaggio durante un riavvio' });
    expect(res.status).toBe(201);
    const ticket = await ticketByReference(api.ds, res.body.ticketReference);
    const jobId = `route-${ticket.id}`;
    await eventually(async () => (await routing.getJob(jobId)) !== undefined, 10_000, 'routing job published');

    // Hold the ticket's row so the worker's routing transaction waits halfway through the job.
    const held = await holdTicketRow(db.url, ticket.id);
    worker = await ChildApp.start({
      SPORTELLO_ROLE: 'worker',
      DATABASE_URL: db.url,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      SWEEP_INTERVAL_MS: '600000',
    });
    await eventually(async () => (await routing.getJob(jobId))?.processedOn !== undefined, 30_000, 'worker inside the routing job');

    const exited = new Promise<{ code: number | null; signal: string | null }>((ok) =>
      worker!.proc.once('exit', (code, signal) => ok({ code, signal })),
    );
    worker.proc.kill('SIGTERM');
    // Still running while its job is held: it does not abandon it.
    await new Promise((r) => setTimeout(r, 500));
    expect(worker.proc.exitCode).toBeNull();
    expect((await ticketByReference(api.ds, res.body.ticketReference)).queue_state).toBe('unrouted');

    await held.release();
    // NestJS re-raises the signal once its shutdown hooks are done: a clean end is exit code 0 or SIGTERM itself.
    const end = await exited;
    expect(end.code === 0 || end.signal === 'SIGTERM').toBe(true);
    expect(worker.log).not.toMatch(/"level":(50|60)/);

    const job = (await routing.getJob(jobId))!;
    expect(job.finishedOn).toBeDefined();
    expect(job.failedReason).toBeFalsy();
    const routed = await api.ds.query(`SELECT count(*)::int AS n FROM ticket_events WHERE ticket_id = $1 AND type = 'ticket.routed'`, [
      ticket.id,
    ]);
    expect({ lost: 1 - routed[0].n, duplicated: routed[0].n - 1 }).toEqual({ lost: 0, duplicated: 0 });
    expect((await ticketByReference(api.ds, res.body.ticketReference)).queue_state).toBe('queued');
  }, 120_000);
});
