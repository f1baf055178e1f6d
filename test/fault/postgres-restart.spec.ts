import type { Socket } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { dataSourceOptions, ensureDatabase, runMigrations } from '../../src/database/data-source.js';
import { importComuni } from '../../src/comuni/comuni-import.js';
import { seedDemo } from '../../src/cli/demo-seed.js';
import { connectCitizen, eventually, startApp, type TestApp } from '../support/harness.js';
import { SHARED_GEOJSON, TEST_PASSWORD } from '../support/env.js';
import { DisposablePostgres } from './support/disposable-postgres.js';

interface Outcome {
  channel: 'app' | 'webchat';
  key: string;
  status: number;
  messageId?: string;
  at: number;
}

/**
 * PostgreSQL restarted (immediate shutdown, then start) while app-channel clients and web-chat
 * citizens keep writing. It runs on a throwaway server of its own: the shared one is not touched.
 * While it is down the entry points answer 503; no 2xx is ever given for a message that is not
 * stored; the application resumes by itself; a client retrying its 503s ends with every message
 * stored exactly once.
 */
describe('fault: PostgreSQL restarted under load', () => {
  let server: DisposablePostgres;
  let t: TestApp;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    server = await DisposablePostgres.create();
    await server.start();
    const url = server.url('sportello');
    await ensureDatabase(url);
    await runMigrations(url);
    const ds = new DataSource(dataSourceOptions(url));
    await ds.initialize();
    await importComuni(ds, SHARED_GEOJSON);
    await seedDemo(ds, TEST_PASSWORD);
    await ds.destroy();
    // Twenty citizens from 127.0.0.1 is a load, not an abuse: the web-chat throttles (throttling.spec) are raised here.
    t = await startApp(
      { OUTBOX_POLL_MS: '100', WEBCHAT_MAX_SESSIONS_PER_ADDRESS: '1000', WEBCHAT_MAX_NEW_TICKETS_PER_ADDRESS: '1000' },
      { url, drop: async () => undefined },
    );
  }, 90_000);
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await server?.start().catch(() => undefined);
    await t?.close();
    await server?.destroy();
  });

  it('answers 503 while it is down, never 2xx for an unstored message, and resumes by itself', async () => {
    const citizens = await Promise.all(Array.from({ length: 20 }, () => connectCitizen(t, 'giovinazzo')));
    sockets.push(...citizens.map((c) => c.socket));
    const outcomes: Outcome[] = [];
    let running = true;
    let seq = 0;

    const appPost = async (key: string): Promise<Outcome> => {
      const r = await t.http
        .post('/api/app/v1/messages')
        .set('X-Api-Key', 'demo-app-key-giovinazzo')
        .send({ messageId: key, citizen: { id: `pg-${key}` }, text: `Messaggio ${key}` });
      return { channel: 'app', key, status: r.status, messageId: r.body?.messageId, at: Date.now() };
    };
    const chatSend = async (s: Socket, key: string): Promise<Outcome> => {
      const ack = await s.timeout(10_000).emitWithAck('message', { text: `Chat ${key}`, clientMessageId: key });
      return {
        channel: 'webchat',
        key,
        status: ack.ok ? (ack.duplicate ? 200 : 201) : ack.error.status,
        messageId: ack.messageId,
        at: Date.now(),
      };
    };
    const appLoop = async () => {
      while (running) outcomes.push(await appPost(`pg-app-${seq++}`));
    };
    // The web chat allows 10 messages per 10 s per citizen: each citizen writes about once a second.
    const chatLoop = async (s: Socket, i: number) => {
      for (let k = 0; running; k++) {
        outcomes.push(await chatSend(s, `pg-chat-${i}-${k}`));
        await new Promise((r) => setTimeout(r, 1_100));
      }
    };
    const load = [...Array.from({ length: 4 }, appLoop), ...citizens.map((c, i) => chatLoop(c.socket, i))];

    await eventually(async () => outcomes.filter((o) => o.status === 201).length >= 20, 10_000, 'load flowing');
    const downAt = Date.now();
    await server.stop();
    await eventually(async () => outcomes.filter((o) => o.at > downAt && o.status === 503).length >= 20, 15_000, '503s while down');
    const upAt = Date.now();
    await server.start();
    // Nobody restarts the application: it must take new messages again on its own.
    await eventually(
      async () =>
        outcomes.filter((o) => o.at > upAt && o.status === 201 && o.channel === 'app').length >= 5 &&
        outcomes.filter((o) => o.at > upAt && o.status === 201 && o.channel === 'webchat').length >= 5,
      30_000,
      'service resumed',
    );
    running = false;
    await Promise.all(load);

    const statuses = [...new Set(outcomes.map((o) => o.status))].sort();
    expect(statuses).toEqual([201, 503]);
    // While the server was down (after the in-flight requests of the stop), everything was 503.
    const firstDown503 = Math.min(...outcomes.filter((o) => o.status === 503).map((o) => o.at));
    expect(outcomes.filter((o) => o.at > firstDown503 + 500 && o.at < upAt && o.status !== 503)).toEqual([]);

    const acked = outcomes.filter((o) => o.status === 201);
    const stored = await t.ds.query(`SELECT id::text FROM messages WHERE id = ANY($1::bigint[])`, [acked.map((o) => o.messageId)]);
    const storedIds = new Set(stored.map((r: any) => r.id));
    const acknowledgedButLost = acked.filter((o) => !storedIds.has(o.messageId!));

    // A client retries what got a 503: each is then stored, once.
    const refused = outcomes.filter((o) => o.status === 503);
    const retried = await Promise.all(
      refused.map((o) => (o.channel === 'app' ? appPost(o.key) : chatSend(citizens[Number(o.key.split('-')[2])].socket, o.key))),
    );
    expect(retried.filter((o) => o.status !== 201 && o.status !== 200)).toEqual([]);
    const perKey = await t.ds.query(
      `SELECT external_id, count(*)::int AS n FROM messages WHERE external_id ~ ':pg-(app|chat)-' GROUP BY external_id`,
    );
    const report = {
      lost: { acknowledgedNotStored: acknowledgedButLost.length, afterRetries: outcomes.length - perKey.length },
      duplicated: perKey.filter((r: any) => r.n > 1).length,
    };
    expect(report).toEqual({ lost: { acknowledgedNotStored: 0, afterRetries: 0 }, duplicated: 0 });

    // Every ticket is routed once, including those whose outbox rows waited through the restart.
    await eventually(
      async () => (await t.ds.query(`SELECT count(*)::int AS n FROM tickets WHERE queue_state = 'unrouted'`))[0].n === 0,
      20_000,
      'all routed',
    );
    const twice = await t.ds.query(
      `SELECT ticket_id FROM ticket_events WHERE type = 'ticket.routed' GROUP BY ticket_id HAVING count(*) > 1`,
    );
    expect(twice).toEqual([]);
  }, 120_000);
});
