import { parse as parseContentDisposition } from 'content-disposition';
import { io } from 'socket.io-client';
import { login, startApp, type TestApp } from '../support/harness.js';
import { groupId } from '../support/factories.js';

const BARI_SITE = 'https://www.comune.bari.it';
const EVIL = 'https://evil.example';

/**
 * Findings of the outside security review of the HTTP surface, each against the real app:
 * attachment names beyond Latin-1, body limits, integer ids beyond PostgreSQL's int4.
 */
// A 1×1 PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('HTTP hardening', () => {
  let t: TestApp;
  let admin: string;
  let supervisor: string;

  beforeAll(async () => {
    t = await startApp({ WIDGET_ORIGINS: `${BARI_SITE},https://www.comune.modugno.ba.it` });
    [admin, supervisor] = await Promise.all([login(t, 'admin@metro.demo'), login(t, 'supervisore@bari.demo')]);
  }, 60_000);
  afterAll(async () => t?.close());

  describe('attachment download (RFC 6266)', () => {
    it.each([['fattura €2026 日本.pdf'], ['l’anagrafe di Bari.png'], ['plain "quoted" name.png']])(
      'serves %s with filename*= and no 500',
      async (name) => {
        const sent = await t.http
          .post('/api/app/v1/messages')
          .set('X-Api-Key', 'demo-app-key-bari')
          .send({
            messageId: `cd-${Buffer.from(name).toString('hex').slice(0, 40)}`,
            citizen: { id: 'cd' },
            text: 'allegato',
            photos: [{ data: PNG }],
          });
        expect(sent.status).toBe(201);
        const [a] = await t.ds.query(`SELECT a.id FROM attachments a WHERE a.message_id = $1`, [sent.body.messageId]);
        await t.ds.query(`UPDATE attachments SET filename = $2 WHERE id = $1`, [a.id, name]);
        const res = await t.http.get(`/api/attachments/${a.id}`).set('Authorization', `Bearer ${admin}`);
        expect(res.status).toBe(200);
        const cd = parseContentDisposition(res.headers['content-disposition']);
        expect(cd.type).toBe('attachment');
        expect(cd.parameters.filename).toBe(name);
        expect(res.headers['content-disposition']).toMatch(/^[\x20-\x7e]+$/);
      },
    );
  });

  describe('request body limits', () => {
    it('refuses a large body on login with 413 from its Content-Length, naming the limit', async () => {
      const res = await t.http
        .post('/api/auth/login')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ email: 'x@y.it', password: 'p'.repeat(2 * 1024 * 1024) }));
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large', fields: [{ field: 'body' }] });
      expect(res.body.message).toMatch(/request body is larger than 102400 bytes/);
    });

    it('refuses 200 kB of JSON on an operator route, accepts it where photos travel', async () => {
      const big = 'a'.repeat(200 * 1024);
      const reply = await t.http.patch('/api/tickets/1').set('Authorization', `Bearer ${supervisor}`).send({ category: big });
      expect(reply.status).toBe(413);
      const photo = Buffer.concat([Buffer.from(PNG, 'base64'), Buffer.alloc(150 * 1024)]).toString('base64');
      const app = await t.http
        .post('/api/app/v1/messages')
        .set('X-Api-Key', 'demo-app-key-bari')
        .send({ messageId: 'big-photo-1', citizen: { id: 'big' }, text: 'foto grande', photos: [{ data: photo }] });
      expect(app.status).toBe(201);
    });
  });

  describe('integer parameters beyond PostgreSQL int4', () => {
    const routes: Array<[string, string, string, string?]> = [
      ['get', '/api/tickets?groupId=3000000000', 'groupId'],
      ['get', '/api/tickets?assigneeId=3000000000', 'assigneeId'],
      ['get', '/api/tickets?limit=99999999999', 'limit'],
      ['get', '/api/analytics/live?groupId=3000000000', 'groupId'],
      ['get', '/api/analytics/live?comuneId=3000000000', 'comuneId'],
      ['get', '/api/analytics/backlog?groupId=3000000000', 'groupId'],
      ['get', '/api/analytics/response-times?operatorId=3000000000', 'operatorId'],
      ['get', '/api/analytics/volumes?comuneId=3000000000', 'comuneId'],
      ['get', '/api/analytics/drilldown?metric=created&groupId=3000000000', 'groupId'],
      ['get', '/api/analytics/calendars/3000000000', 'comuneId'],
      ['put', '/api/analytics/calendars/3000000000', 'comuneId'],
      ['get', '/api/analytics/sla-policies?groupId=3000000000', 'groupId'],
      ['put', '/api/analytics/sla-policies/3000000000', 'id'],
      ['delete', '/api/analytics/sla-policies/3000000000', 'id'],
      ['get', '/api/channel-accounts?comuneId=3000000000', 'comuneId'],
      ['get', '/api/console/canned-responses?groupId=3000000000', 'groupId'],
      ['get', '/api/console/comuni/3000000000/boundary', 'id'],
    ];
    it.each(routes)('%s %s → 400 naming %s', async (method, path, field) => {
      const res = await (t.http as any)
        [method](path)
        .set('Authorization', `Bearer ${admin}`)
        .send(method === 'get' || method === 'delete' ? undefined : {});
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.body.fields).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });

    it('bigint ids beyond their range answer 404, in range still work', async () => {
      for (const path of [
        '/api/tickets/99999999999999999999',
        '/api/attachments/99999999999999999999',
        '/api/console/tickets/99999999999999999999/citizen',
      ]) {
        const res = await t.http.get(path).set('Authorization', `Bearer ${admin}`);
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
      }
      // The largest int4 is a valid number: it names no group, which answers as another comune's would (404), not 400.
      expect((await t.http.get('/api/tickets?groupId=2147483647').set('Authorization', `Bearer ${admin}`)).status).toBe(404);
      expect(
        (await t.http.get(`/api/tickets?groupId=${await groupId(t.ds, 'bari', 'urp')}`).set('Authorization', `Bearer ${admin}`)).status,
      ).toBe(200);
      expect(
        (await t.http.post('/api/tickets/1/transfer').set('Authorization', `Bearer ${admin}`).send({ groupId: 3000000000 })).status,
      ).toBe(400);
    });
  });

  describe('CORS: an explicit allow-list, the comuni sites for the widget only', () => {
    const handshake = (ns: string, origin: string | undefined, auth: object) =>
      new Promise<string>((resolve) => {
        const s = io(`${t.url}${ns}`, {
          auth,
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
          extraHeaders: origin ? { Origin: origin } : {},
        });
        s.once('connect', () => {
          s.disconnect();
          resolve('connected');
        });
        s.once('connect_error', (e) => {
          s.disconnect();
          resolve(`refused: ${e.message}`);
        });
      });

    it('gives a foreign Origin no Access-Control-Allow-Origin, on the API and the widget routes', async () => {
      const api = await t.http.get('/api/me').set('Origin', EVIL).set('Authorization', `Bearer ${admin}`);
      expect(api.headers['access-control-allow-origin']).toBeUndefined();
      expect(api.headers['access-control-allow-credentials']).toBeUndefined();
      const pre = await t.http.options('/api/auth/login').set('Origin', EVIL).set('Access-Control-Request-Method', 'POST');
      expect(pre.headers['access-control-allow-origin']).toBeUndefined();
      const widget = await t.http
        .options('/api/webchat/bari/leave-message')
        .set('Origin', EVIL)
        .set('Access-Control-Request-Method', 'POST');
      expect(widget.headers['access-control-allow-origin']).toBeUndefined();
    });

    it("admits the console's origin on the API, and a comune's site on the widget's routes only", async () => {
      const own = await t.http.get('/api/me').set('Origin', 'http://localhost:3000').set('Authorization', `Bearer ${admin}`);
      expect(own.headers['access-control-allow-origin']).toBe('http://localhost:3000');
      expect(own.headers['access-control-allow-credentials']).toBe('true');
      const site = await t.http.get('/api/webchat/bari/availability').set('Origin', BARI_SITE);
      expect(site.status).toBe(200);
      expect(site.headers['access-control-allow-origin']).toBe(BARI_SITE);
      const siteOnApi = await t.http.options('/api/auth/login').set('Origin', BARI_SITE).set('Access-Control-Request-Method', 'POST');
      expect(siteOnApi.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('refuses a Socket.IO handshake from a foreign origin; the comune site gets /webchat, not /agent', async () => {
      expect(await handshake('/webchat', EVIL, { tenant: 'bari' })).toMatch(/^refused/);
      expect(await handshake('/agent', EVIL, { token: admin })).toMatch(/^refused/);
      expect(await handshake('/webchat', BARI_SITE, { tenant: 'bari' })).toBe('connected');
      expect(await handshake('/agent', BARI_SITE, { token: admin })).toMatch(/^refused/);
      expect(await handshake('/agent', 'http://localhost:3000', { token: admin })).toBe('connected');
      // Servers and apps send no Origin.
      expect(await handshake('/webchat', undefined, { tenant: 'bari' })).toBe('connected');
    });
  });

  describe('security headers, metrics, API docs, queue dashboard', () => {
    it('sends nosniff everywhere, a strict CSP and DENY framing on the admin pages, HSTS only over TLS', async () => {
      for (const path of ['/health', '/api/webchat/bari/availability', '/demo/bari']) {
        const res = await t.http.get(path);
        expect({ path, nosniff: res.headers['x-content-type-options'] }).toEqual({ path, nosniff: 'nosniff' });
        expect(res.headers['strict-transport-security']).toBeUndefined();
      }
      const docs = await t.http.get('/api/docs').set('Authorization', `Bearer ${admin}`);
      expect(docs.status).toBe(200);
      expect(docs.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(docs.headers['content-security-policy']).toMatch(/script-src 'self'/);
      expect(docs.headers['x-frame-options']).toBe('DENY');
      const board = await t.http.get('/admin/queues').set('Authorization', `Bearer ${admin}`);
      expect(board.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      const tls = await t.http.get('/health').set('X-Forwarded-Proto', 'https');
      expect(tls.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    });

    it('keeps /metrics from anonymous clients behind a proxy, and the API docs for operators', async () => {
      expect((await t.http.get('/metrics')).status).toBe(200); // a scraper on this machine
      expect((await t.http.get('/metrics').set('X-Forwarded-For', '203.0.113.5')).status).toBe(401);
      expect((await t.http.get('/api/docs-json')).status).toBe(401);
      expect((await t.http.get('/api/docs')).status).toBe(401);
      expect((await t.http.get('/api/docs-json').set('Authorization', `Bearer ${supervisor}`)).status).toBe(200);
    });

    it('opens Bull Board to a metropolitan admin logged in from the browser (HttpOnly cookie)', async () => {
      const res = await t.http.post('/api/auth/login').send({ email: 'admin@metro.demo', password: 'test-password' });
      const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
      const admin = cookies.find((c) => c.includes('Path=/admin'));
      expect(admin).toMatch(/^sportello_token=[^;]+;.*HttpOnly/);
      expect(admin).toMatch(/SameSite=Strict/);
      const pair = admin!.split(';')[0];
      const page = await t.http.get('/admin/queues').set('Cookie', pair);
      expect(page.status).toBe(200);
      expect(page.text).toContain('<html');
      expect((await t.http.get('/api/docs').set('Cookie', pair)).status).toBe(200);
      const out = await t.http.post('/api/auth/logout');
      expect(
        ([] as string[])
          .concat(out.headers['set-cookie'] ?? [])
          .some((c) => c.includes('Path=/admin') && /Expires=Thu, 01 Jan 1970/.test(c)),
      ).toBe(true);
    });
  });
});
