import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { REDIS_URL } from '../support/env.js';
import { citizenSays, startApp, TEST_PASSWORD, type TestApp } from '../support/harness.js';

/**
 * Throttling with the default limits (the lockout shortened to 1 s so its doubling can be seen):
 * logins per account and per address, guessed app API keys per address, web-chat sessions and new
 * conversations per address. Client addresses come from X-Forwarded-For, trusted from loopback.
 */
describe('throttling', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ LOCKOUT_SECONDS: '1' });
  }, 60_000);
  afterAll(async () => t?.close());

  const loginFrom = (address: string, email: string, password: string, lang?: string) => {
    const r = t.http.post('/api/auth/login').set('X-Forwarded-For', address);
    if (lang) r.set('Accept-Language', lang);
    return r.send({ email, password });
  };

  it('locks an account after 5 wrong passwords, even for the right one, and doubles the lockout', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await loginFrom(`203.0.113.${10 + i}`, 'supervisore@bari.demo', `wrong-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    const locked = await loginFrom('203.0.113.99', 'supervisore@bari.demo', TEST_PASSWORD);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(locked.body).toMatchObject({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(/^Troppi tentativi: riprova tra \d+ second/),
    });
    const en = await loginFrom('203.0.113.99', 'supervisore@bari.demo', TEST_PASSWORD, 'en-GB,en;q=0.8');
    expect(en.body.message).toMatch(/^Too many attempts: try again in \d+ second/);
    // Another account from the same addresses is not affected.
    expect((await loginFrom('203.0.113.10', 'operatore@bari.demo', TEST_PASSWORD)).status).toBe(200);

    // After the 1 s lockout: five more wrong ones lock it again, for twice as long.
    await new Promise((r) => setTimeout(r, 1100));
    for (let i = 0; i < 5; i++) expect((await loginFrom('203.0.113.20', 'supervisore@bari.demo', `again-${i}`)).status).toBe(401);
    const second = await loginFrom('203.0.113.20', 'supervisore@bari.demo', TEST_PASSWORD);
    expect(second.status).toBe(429);
    expect(Number(second.headers['retry-after'])).toBe(2);
    await new Promise((r) => setTimeout(r, 2100));
    expect((await loginFrom('203.0.113.20', 'supervisore@bari.demo', TEST_PASSWORD)).status).toBe(200);
  }, 60_000);

  it('throttles an address that tries 20 wrong logins on any accounts', async () => {
    for (let i = 0; i < 20; i++) expect((await loginFrom('203.0.113.50', `nobody-${i}@bari.demo`, 'x')).status).toBe(401);
    const res = await loginFrom('203.0.113.50', 'manager@bari.demo', TEST_PASSWORD);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
    expect((await loginFrom('203.0.113.51', 'manager@bari.demo', TEST_PASSWORD)).status).toBe(200);
  }, 60_000);

  it('throttles guessed X-Api-Key values per address, not the good key from elsewhere', async () => {
    const post = (address: string, key?: string) => {
      const r = t.http.post('/api/app/v1/messages').set('X-Forwarded-For', address);
      if (key) r.set('X-Api-Key', key);
      return r.send({ messageId: `k-${Math.random().toString(36).slice(2)}`, citizen: { id: 'k' }, text: 'ciao' });
    };
    // Requests without a key are no guesses.
    for (let i = 0; i < 12; i++) expect((await post('203.0.113.60')).status).toBe(401);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await post('203.0.113.60', `demo-app-key-guess-${i}`)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(30).fill(429));
    const good = await post('203.0.113.60', 'demo-app-key-bari');
    expect(good.status).toBe(429);
    expect(good.headers['retry-after']).toBeDefined();
    expect((await post('203.0.113.61', 'demo-app-key-bari')).status).toBe(201);
  }, 60_000);

  describe('web chat', () => {
    const sockets: Socket[] = [];
    afterAll(() => sockets.forEach((s) => s.disconnect()));

    const connect = (address: string, sessionToken?: string) =>
      new Promise<{ socket: Socket; token: string }>((resolve, reject) => {
        const s = io(`${t.url}/webchat`, {
          auth: { tenant: 'bari', sessionToken },
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
          extraHeaders: { 'X-Forwarded-For': address },
        });
        sockets.push(s);
        s.once('session', (p: { sessionToken: string }) => resolve({ socket: s, token: p.sessionToken }));
        s.once('connect_error', (e) => reject(e));
      });

    it('refuses a new session past the limit from one address with 429, resumes existing ones, opens at most the ticket limit', async () => {
      // The shipped defaults (this app is started without overriding them).
      const { webchatSessionsPerAddress: maxSessions, webchatTicketsPerAddress: maxTickets } = t.config.http.throttle;
      expect([maxSessions, maxTickets]).toEqual([30, 10]);
      const started = Date.now();
      const sessions = [];
      for (let i = 0; i < maxSessions; i++) sessions.push(await connect('203.0.113.70'));
      const refused = await connect('203.0.113.70').then(
        () => null,
        (e: Error & { data?: any }) => e,
      );
      expect(refused).not.toBeNull();
      expect(refused!.data).toMatchObject({ status: 429, field: 'session', retryAfter: expect.any(Number) });
      expect(refused!.data.message).toMatch(/^Troppi tentativi/);
      // A citizen who already has a session gets back in: the same session (its token renewed).
      const sessionOf = (token: string) => token.split('.').slice(0, 2).join('.');
      const resumed = await connect('203.0.113.70', sessions[0].token);
      expect(sessionOf(resumed.token)).toBe(sessionOf(sessions[0].token));
      // Another address is not affected.
      await connect('203.0.113.71');

      const acks = [];
      for (const [i, s] of sessions.entries()) acks.push(await citizenSays(s.socket, `Richiesta numero ${i}`));
      expect(acks.slice(0, maxTickets).every((a) => a.ok)).toBe(true);
      for (const a of acks.slice(maxTickets)) expect(a).toMatchObject({ ok: false, error: { status: 429, field: 'message' } });
      // Those that opened a conversation go on writing.
      expect((await citizenSays(sessions[0].socket, 'Un secondo messaggio')).ok).toBe(true);
      const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM tickets WHERE created_at >= $1 AND channel = 'webchat'`, [
        new Date(started),
      ]);
      expect(n).toBe(maxTickets);
    }, 60_000);
  });

  describe('storage', () =>
    it('keeps the counters in Redis under the instance prefix, so every process shares them', async () => {
      const r = new Redis(REDIS_URL);
      try {
        const keys = await r.keys(`${t.config.redisPrefix}:throttle:*`);
        expect(keys.some((k) => k.includes(':login-account:'))).toBe(true);
        // The keys that outlive this file's tests: an address's lockout history (kept a day, so the doubling
        // survives), and the web-chat window (10 minutes). A 1 s lockout's own counter may have expired.
        expect(keys).toEqual(
          expect.arrayContaining([
            `${t.config.redisPrefix}:throttle:apikey-address:lockouts:203.0.113.60`,
            `${t.config.redisPrefix}:throttle:webchat-session:203.0.113.70`,
          ]),
        );
      } finally {
        r.disconnect();
      }
    }));
});
