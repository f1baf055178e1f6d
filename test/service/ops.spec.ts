import type { Socket } from 'socket.io-client';
import { citizenSays, connectAgent, connectCitizen, eventually, login, nextEvent, startApp, type TestApp } from '../support/harness.js';
import { createOperator } from '../support/factories.js';

describe('operations: health, metrics, API docs, queue dashboard, correlation ids', () => {
  let t: TestApp;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await t.close();
  });

  it('answers liveness and readiness', async () => {
    expect((await t.http.get('/health')).body).toEqual({ status: 'ok', role: 'all' });
    expect((await t.http.get('/health/ready')).body).toEqual({ status: 'ready', postgres: 'up', redis: 'up' });
  });

  it('serves the OpenAPI document with the pinned routes', async () => {
    // Operators only unless API_DOCS_PUBLIC=true (test/e2e/http-hardening.spec.ts).
    const token = await login(t, 'operatore@bari.demo');
    const doc = await t.http.get('/api/docs-json').set('Authorization', `Bearer ${token}`);
    expect(doc.status).toBe(200);
    for (const path of ['/api/auth/login', '/api/tickets', '/api/tickets/{id}', '/api/tickets/{id}/messages', '/api/app/v1/messages']) {
      expect(Object.keys(doc.body.paths)).toContain(path);
    }
    expect((await t.http.get('/api/docs').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });

  it('exposes Prometheus metrics: ingest counts, queue depths, job durations, socket connections', async () => {
    const sock = await connectAgent(t, await login(t, 'operatore@bari.demo'), 'away');
    sockets.push(sock);
    await t.http
      .post('/api/app/v1/messages')
      .set('X-Api-Key', 'demo-app-key-bari')
      .send({ messageId: 'metrics-1', citizen: { id: 'm' }, text: 'ciao' })
      .expect(201);
    // The routing job runs after the acknowledgement: scrape until it has been timed.
    const body = await eventually(
      async () => {
        const text = (await t.http.get('/metrics')).text;
        return /job="ticket.route",outcome="completed"/.test(text) ? text : null;
      },
      10_000,
      'ticket.route timed in /metrics',
    );
    expect(body).toMatch(/sportello_ingest_messages_total\{channel="app",outcome="stored"\} 1/);
    expect(body).toMatch(/sportello_queue_jobs\{queue="routing",state="waiting"\} \d+/);
    expect(body).toMatch(/sportello_socket_connections\{namespace="\/agent"\} 1/);
    expect(body).toMatch(/sportello_job_duration_seconds_count\{queue="routing",job="ticket.route",outcome="completed"\} \d+/);
  });

  it('opens the queue dashboard to the metropolitan administrator only', async () => {
    expect((await t.http.get('/admin/queues')).status).toBe(401);
    const op = await login(t, 'operatore@bari.demo');
    expect((await t.http.get('/admin/queues').set('Authorization', `Bearer ${op}`)).status).toBe(403);
    const admin = await login(t, 'admin@metro.demo');
    const page = await t.http.get('/admin/queues').set('Cookie', `sportello_token=${admin}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html');
    // Every channel's outbound queue is on the board, phone and desk included.
    const queues = await t.http.get('/admin/queues/api/queues').set('Cookie', `sportello_token=${admin}`);
    expect(queues.status).toBe(200);
    const names = (queues.body.queues as Array<{ name: string }>).map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining(['routing', 'outbound-telegram', 'outbound-phone', 'outbound-desk']));
  });

  it('carries the correlation id of an inbound message to the operator’s socket event', async () => {
    const op = await createOperator(t.ds, { comune: 'bitetto', groups: ['urp'] });
    const sock = await connectAgent(t, await login(t, op.email));
    sockets.push(sock);
    const created = nextEvent(sock, 'ticket.created');
    await t.http
      .post('/api/app/v1/messages')
      .set('X-Api-Key', 'demo-app-key-bitetto')
      .set('X-Correlation-Id', 'trace-0123456789')
      .send({ messageId: 'corr-1', citizen: { id: 'c' }, text: 'ciao' })
      .expect(201);
    expect((await created).correlationId).toBe('trace-0123456789');
    // A web-chat message gets its own id at the socket, which follows it to the routing job's event.
    const fromWeb = nextEvent(sock, 'ticket.created', (p: any) => p.ticket.channel === 'webchat');
    const citizen = await connectCitizen(t, 'bitetto');
    sockets.push(citizen.socket);
    await citizenSays(citizen.socket, 'dal web', 'corr-2');
    const { correlationId } = await fromWeb;
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
    const [entry] = await t.ds.query(`SELECT payload->>'correlationId' AS id FROM outbox WHERE payload->>'correlationId' = $1`, [
      correlationId,
    ]);
    expect(entry?.id).toBe(correlationId);
  });

  it('answers 404 as JSON for unknown routes and never leaks internals', async () => {
    const res = await t.http.get('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toMatch(/at \w+ \(/);
  });
});
