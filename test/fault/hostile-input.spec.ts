import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { io, type Socket } from 'socket.io-client';
import { connectCitizen, startApp, type TestApp } from '../support/harness.js';

/**
 * Malformed and hostile input, generated with fast-check (fixed seed, so a failure replays), sent
 * to every public entry point: the app channel, the WhatsApp and Telegram webhooks, login, the web
 * chat's handshake and its socket events. Every answer must be a 4xx, the process must survive,
 * and nothing may be stored. 10,000 inputs in all, shared out below (FAULT_FUZZ_RUNS changes the total).
 */
const TOTAL = Number(process.env.FAULT_FUZZ_RUNS ?? 10_000);
const SHARE = { app: 0.3, login: 0.1, whatsapp: 0.15, telegram: 0.15, webchat: 0.28, handshake: 0.02 };
const RUNS = Object.fromEntries(Object.entries(SHARE).map(([k, f]) => [k, Math.round(TOTAL * f)])) as Record<keyof typeof SHARE, number>;
const SEED = 20260521;

/** A value of any JSON-ish shape, including the hostile classics. */
const junk = fc.oneof(
  fc.anything({ maxDepth: 3, withNullPrototype: true, withBigInt: false }),
  fc.constantFrom(
    '__proto__',
    '{"__proto__":{"admin":true}}',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    '\u0000',
    '\uD800',
    '../../etc/passwd',
    '%00',
    'x'.repeat(70_000),
  ),
  fc.string({ unit: 'binary', maxLength: 300 }),
);
const badString = fc.oneof(
  fc.constant(''),
  fc.string({ unit: 'binary', minLength: 121, maxLength: 400 }),
  fc.constantFrom('a b', 'é', '../x', 'x\u0000y', '<b>'),
);
/** Wrong types for a field; null is left out where a field is optional (null means "absent" there). */
const wrongType = fc.oneof(fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 3 }), fc.object({ maxDepth: 1 }));
const notString = fc.oneof(wrongType, fc.constant(null));
const goodApp = { messageId: 'm-1', citizen: { id: 'u-1' }, text: 'ciao' };
/** App-channel bodies with at least one thing wrong in them. */
const appBody = fc.oneof(
  junk,
  fc.record({ messageId: fc.oneof(badString, notString) }).map((b) => ({ ...goodApp, ...b })),
  fc.record({ citizen: fc.oneof(notString, fc.record({ id: fc.oneof(badString, notString) })) }).map((b) => ({ ...goodApp, ...b })),
  fc
    .record({ text: fc.oneof(notString, fc.constant(' \n\t '), fc.string({ minLength: 4001, maxLength: 4100 })) })
    .map((b) => ({ ...goodApp, ...b })),
  fc
    .record({
      location: fc.oneof(wrongType, fc.record({ lat: fc.oneof(fc.double({ min: 90.0001, noNaN: true }), notString), lng: fc.double() })),
    })
    .map((b) => ({ ...goodApp, ...b })),
  fc
    .record({ type: fc.string() })
    .filter((b) => b.type !== 'request')
    .map((b) => ({ ...goodApp, ...b })),
  fc
    .record({
      photos: fc.oneof(
        fc.integer(),
        fc.boolean(),
        fc.string(),
        fc.object({ maxDepth: 1 }),
        fc.array(
          fc.record({
            data: fc.oneof(
              badString,
              notString,
              fc.string({ minLength: 4, maxLength: 40 }).map((s) => Buffer.from(s).toString('base64')),
            ),
          }),
          { minLength: 1, maxLength: 5 },
        ),
      ),
    })
    .map((b) => ({ ...goodApp, ...b })),
  fc
    .dictionary(
      fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !(k in goodApp)),
      fc.jsonValue(),
      { minKeys: 1, maxKeys: 3 },
    )
    .map((extra) => ({ ...goodApp, ...extra })),
);
/** Web-chat `message` payloads with at least one thing wrong in them. */
const chatBody = fc.oneof(
  junk.filter(
    (v) =>
      typeof v !== 'object' ||
      v === null ||
      Array.isArray(v) ||
      typeof (v as { text?: unknown }).text !== 'string' ||
      !(v as { text: string }).text.trim(),
  ),
  fc.record({ text: notString }),
  fc.record({ text: fc.constant('ciao'), clientMessageId: fc.oneof(badString, wrongType) }),
  fc.record({
    text: fc.constant('ciao'),
    location: fc.oneof(
      fc.constantFrom(1, 'x', true, []),
      fc.record({ lat: fc.oneof(fc.double({ min: 90.0001, noNaN: true }), notString), lng: fc.integer() }),
    ),
  }),
  fc.record({ text: fc.string({ minLength: 4001, maxLength: 4100 }) }),
  fc.record({ text: fc.constantFrom('', '   ', '\n') }),
);

const sample = <T>(arb: fc.Arbitrary<T>, n: number, seed: number): T[] => fc.sample(arb, { numRuns: n, seed });

/** Runs `fn` over the items with at most `width` in flight. */
async function pool<T, R>(items: T[], width: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

describe('fault: malformed and hostile input to every public entry point', () => {
  let t: TestApp;
  let before: Record<string, number>;
  const counts = async () =>
    (
      await t.ds.query(
        `SELECT (SELECT count(*) FROM messages)::int AS messages, (SELECT count(*) FROM tickets)::int AS tickets,
            (SELECT count(*) FROM citizens)::int AS citizens, (SELECT count(*) FROM attachments)::int AS attachments,
            (SELECT count(*) FROM outbox)::int AS outbox`,
      )
    )[0];
  const account = async (channel: string) =>
    (
      await t.ds.query(
        `SELECT a.id, a.secrets FROM channel_accounts a JOIN comuni c ON c.id = a.comune_id WHERE a.channel = $1 AND c.slug = 'bari'`,
        [channel],
      )
    )[0];

  /** Sends raw bodies; returns the statuses that were not 4xx, with what caused them. */
  const send = async (path: string, bodies: Array<{ body: string; headers: Record<string, string> }>) => {
    const wrong: Array<{ status: number; body: string }> = [];
    await pool(bodies, 24, async ({ body, headers }) => {
      const r = await fetch(`${t.url}${path}`, { method: 'POST', body, headers });
      await r.arrayBuffer();
      if (r.status < 400 || r.status >= 500) wrong.push({ status: r.status, body: body.slice(0, 200) });
    });
    return wrong;
  };
  const asBody = (v: unknown) => {
    try {
      return JSON.stringify(v) ?? String(v);
    } catch {
      return String(v);
    }
  };

  beforeAll(async () => {
    // Thousands of hostile inputs from 127.0.0.1 (wrong keys, bad logins, handshakes): the throttles are
    // tested in test/e2e/throttling.spec.ts; here every input must reach its parser.
    t = await startApp({
      WEBCHAT_MAX_SESSIONS_PER_ADDRESS: '100000',
      WEBCHAT_MAX_NEW_TICKETS_PER_ADDRESS: '100000',
      API_KEY_MAX_FAILURES_PER_ADDRESS: '100000',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '100000',
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '100000',
    });
    before = await counts();
  });
  afterAll(async () => {
    await t?.close();
  });

  it(`app channel: ${RUNS.app} bodies and keys → only 4xx`, async () => {
    const bodies = sample(appBody, RUNS.app, SEED).map((b, i) => {
      const headers: Record<string, string> = { 'content-type': i % 10 === 9 ? 'text/plain' : 'application/json' };
      // Mostly the right key (so validation is what answers), some missing or forged keys.
      if (i % 7 !== 0) headers['x-api-key'] = i % 13 === 0 ? `demo-app-key-${'x'.repeat(i % 50)}` : 'demo-app-key-bari';
      return { body: typeof b === 'string' && i % 3 === 0 ? b : asBody(b), headers };
    });
    expect(await send('/api/app/v1/messages', bodies)).toEqual([]);
  }, 120_000);

  it(`login: ${RUNS.login} malformed bodies → only 4xx`, async () => {
    const login = fc.oneof(
      junk,
      fc.record({ email: fc.oneof(notString, badString), password: fc.oneof(notString, fc.string()) }),
      fc.record({ password: fc.string() }),
    );
    const bodies = sample(login, RUNS.login, SEED + 1).map((b) => ({ body: asBody(b), headers: { 'content-type': 'application/json' } }));
    expect(await send('/api/auth/login', bodies)).toEqual([]);
  }, 120_000);

  it(`WhatsApp webhook: ${RUNS.whatsapp} unsigned, forged or signed-garbage notifications → only 4xx`, async () => {
    const wa = await account('whatsapp');
    const bodies = sample(junk, RUNS.whatsapp, SEED + 2).map((b, i) => {
      const body = asBody(b);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const key = i % 3 === 0 ? 'forged-secret' : wa.secrets.appSecret;
      if (i % 5 !== 0)
        headers['x-hub-signature-256'] = i % 11 === 0 ? 'sha256=zz' : `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
      return { body, headers };
    });
    expect(await send(`/webhooks/whatsapp/${wa.id}`, bodies)).toEqual([]);
    expect(await send('/webhooks/whatsapp/999999', bodies.slice(0, 100))).toEqual([]);
  }, 120_000);

  it(`Telegram webhook: ${RUNS.telegram} updates without, with a wrong or with the right secret → only 4xx`, async () => {
    const tg = await account('telegram');
    const update = junk.filter((v) => typeof (v as { update_id?: unknown } | null)?.update_id !== 'number');
    const bodies = sample(update, RUNS.telegram, SEED + 3).map((b, i) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (i % 5 !== 0) headers['x-telegram-bot-api-secret-token'] = i % 3 === 0 ? `guess-${i}` : tg.secrets.webhookSecret;
      return { body: asBody(b), headers };
    });
    expect(await send(`/webhooks/telegram/${tg.id}`, bodies)).toEqual([]);
  }, 120_000);

  it(`web chat: ${RUNS.webchat} socket events and ${RUNS.handshake} handshakes → only 4xx acks, refused handshakes, no crash`, async () => {
    // 10 messages per citizen stay under the burst limit, so every payload reaches validation.
    const payloads = sample(chatBody, RUNS.webchat, SEED + 4);
    const perSocket = 10;
    const wrong: unknown[] = [];
    await pool(
      Array.from({ length: Math.ceil(RUNS.webchat / perSocket) }, (_, i) => i),
      16,
      async (i) => {
        const { socket } = await connectCitizen(t, 'bari');
        try {
          for (const p of payloads.slice(i * perSocket, (i + 1) * perSocket)) {
            const ack = await socket.timeout(5000).emitWithAck('message', p);
            if (ack.ok || !(ack.error.status >= 400 && ack.error.status < 500)) wrong.push({ p, ack });
            socket.emit('typing', p);
            socket.emit('read', p);
          }
          expect(socket.connected).toBe(true);
        } finally {
          socket.disconnect();
        }
      },
    );
    expect(wrong).toEqual([]);

    const auths = sample(fc.oneof(junk, fc.record({ tenant: junk, sessionToken: junk })), RUNS.handshake, SEED + 5);
    const accepted: unknown[] = [];
    await pool(auths, 16, async (auth) => {
      const s: Socket = io(`${t.url}/webchat`, { auth: auth as object, transports: ['websocket'], reconnection: false, forceNew: true });
      // Refused with connect_error, or never let in: anything but a connection is right.
      const outcome = await new Promise<string>((ok) => {
        const timer = setTimeout(() => ok('not let in'), 2000);
        s.once('connect', () => {
          clearTimeout(timer);
          ok('connected');
        });
        s.once('connect_error', () => {
          clearTimeout(timer);
          ok('refused');
        });
        s.once('disconnect', () => {
          clearTimeout(timer);
          ok('closed');
        });
      });
      s.disconnect();
      if (outcome === 'connected') accepted.push(auth);
    });
    expect(accepted).toEqual([]);
  }, 180_000);

  it('stored nothing, and the application still works', async () => {
    expect(await counts()).toEqual(before);
    const ok = await t.http
      .post('/api/app/v1/messages')
      .set('X-Api-Key', 'demo-app-key-bari')
      .send({ messageId: 'after-fuzz', citizen: { id: 'u-after' }, text: 'Ancora vivo' });
    expect(ok.status).toBe(201);
  });
});
