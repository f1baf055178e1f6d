import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { WhatsappWebSessions } from '../../src/channels/whatsapp-web/wwebjs-sessions.js';
import { connectAgent, createTestDatabase, eventually, login, nextEvent, startApp, type TestApp } from '../support/harness.js';

/**
 * The real whatsapp-web.js in the real Chromium (/usr/bin/chromium, never downloaded), started by
 * the application itself for a comune's account. WhatsApp's servers are not reachable here, so the
 * page the library drives is a loopback stand-in (test/channels/support/wa-web-standin.html) pinned
 * as the WhatsApp Web version through the library's own version cache (WHATSAPP_WEB_VERSION); the
 * "phone" (scanning the QR code, a citizen writing, delivery receipts) is played through it.
 * What this covers that the loopback-client spec does not: the browser launch, the QR code coming
 * from the library to the console, the library's message and receipt events, sendMessage, and the
 * session kept by LocalAuth in WHATSAPP_WEB_DATA_DIR so a restart does not ask for a new QR code.
 */
const VERSION = '2.3000.1017054665-standin';
const CITIZEN = '393471112233@c.us';

describe('WhatsApp Web in a real Chromium (whatsapp-web.js, LocalAuth)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sportello-wwebjs-'));
  const env = {
    WHATSAPP_WEB_ENABLED: 'true',
    WHATSAPP_WEB_DATA_DIR: dataDir,
    WHATSAPP_WEB_VERSION: VERSION,
    CHROMIUM_PATH: '/usr/bin/chromium',
  };
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let t: TestApp | undefined;
  let accountId: number;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    const page = readFileSync(new URL('./support/wa-web-standin.html', import.meta.url), 'utf8').replace(
      '<script>',
      `<script data-version="${VERSION}">`,
    );
    mkdirSync(join(dataDir, 'web-cache'), { recursive: true });
    writeFileSync(join(dataDir, 'web-cache', `${VERSION}.html`), page);
    db = await createTestDatabase();
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await t?.close();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const pairing = async (token: string) =>
    (await t!.http.get(`/api/channel-accounts/${accountId}/pairing`).set('Authorization', `Bearer ${token}`)).body;
  /** The Chromium page of the account's session, where the stand-in plays the phone. */
  const phone = () => {
    const sessions: any = t!.app.get(WhatsappWebSessions);
    const session = sessions.sessions.get(accountId);
    if (!session?.client?.pupPage) throw new Error('no browser page for the session');
    return session.client.pupPage as { evaluate: (fn: string) => Promise<any> };
  };

  it('starts Chromium for a new account and shows its QR code to the administrator, then becomes ready once scanned', async () => {
    t = await startApp(env, db);
    const manager = await login(t, 'manager@bari.demo');
    const res = await t.http
      .post('/api/channel-accounts')
      .set('Authorization', `Bearer ${manager}`)
      .send({ channel: 'whatsapp-web', label: 'WhatsApp Web URP', config: { displayPhoneNumber: '+39 080 5771111' } });
    expect(res.status).toBe(201);
    accountId = res.body.id;

    const qr = await eventually(
      async () => {
        const p = await pairing(manager);
        return p.state === 'qr' ? p : null;
      },
      30_000,
      'QR code',
    );
    // The library's QR payload: ref, noise key, identity key, ADV secret, platform.
    expect(qr.qr.split(',')).toHaveLength(5);
    expect(qr.qr).toMatch(/^2@/);
    expect(qr.qrImage).toMatch(/^data:image\/png;base64,/);
    expect(qr.detail).toContain('Dispositivi collegati');

    await phone().evaluate('window.__standin.scan()');
    await eventually(async () => (await pairing(manager)).state === 'ready' || null, 20_000, 'ready');
  });

  it('carries a citizen message to Bari’s operator and the reply back through the library, with its receipts', async () => {
    const operator = await login(t!, 'operatore@bari.demo');
    const agent = await connectAgent(t!, operator);
    sockets.push(agent);
    const offered = nextEvent(agent, 'ticket.offered', (p: any) => p.ticket.channel === 'whatsapp-web', 15_000);
    await phone().evaluate(
      `window.__standin.receive(${JSON.stringify({ from: CITIZEN, id: '3EB0C1A2B3', body: 'Buongiorno, il certificato di residenza si chiede online?', notifyName: 'Carla' })})`,
    );
    const offer = await offered;
    const [stored] = await t!.ds.query(`SELECT text, external_id FROM messages WHERE ticket_id = $1`, [offer.ticket.id]);
    expect(stored).toEqual({
      text: 'Buongiorno, il certificato di residenza si chiede online?',
      external_id: `${accountId}:false_${CITIZEN}_3EB0C1A2B3`,
    });

    // The same message again (a replayed event) stores nothing more.
    await phone().evaluate(
      `window.__standin.receive(${JSON.stringify({ from: CITIZEN, id: '3EB0C1A2B3', body: 'Buongiorno, il certificato di residenza si chiede online?' })})`,
    );

    expect((await t!.http.post(`/api/tickets/${offer.ticket.id}/accept`).set('Authorization', `Bearer ${operator}`)).status).toBeLessThan(
      300,
    );
    const reply = await t!.http
      .post(`/api/tickets/${offer.ticket.id}/messages`)
      .set('Authorization', `Bearer ${operator}`)
      .send({ text: 'Sì, dal portale del Comune con SPID.' });
    expect(reply.status).toBe(201);
    const sent = await eventually(
      async () => {
        const list: any[] = await phone().evaluate('window.__standin.sent');
        return list.find((s) => s.body === 'Sì, dal portale del Comune con SPID.') ?? null;
      },
      15_000,
      'sent through WhatsApp Web',
    );
    expect(sent.to).toBe(CITIZEN);
    const row = await eventually(
      async () => {
        const [r] = await t!.ds.query(`SELECT delivery_status, external_id FROM messages WHERE id = $1`, [reply.body.id]);
        return r.external_id ? r : null;
      },
      10_000,
      'external id',
    );
    expect(row.external_id).toBe(`${accountId}:${sent.id}`);

    // The citizen's phone receives it, then reads it: the console shows "read".
    const updated = nextEvent(
      agent,
      'message.updated',
      (p: any) => p.message.id === String(reply.body.id) && p.message.deliveryStatus === 'read',
      10_000,
    );
    await phone().evaluate(`window.__standin.ack(${JSON.stringify(sent.id)}, 2)`);
    await eventually(
      async () =>
        (await t!.ds.query(`SELECT 1 FROM messages WHERE id = $1 AND delivery_status = 'delivered'`, [reply.body.id])).length > 0 || null,
      10_000,
      'delivered',
    );
    await phone().evaluate(`window.__standin.ack(${JSON.stringify(sent.id)}, 3)`);
    await updated;
    const [{ count }] = await t!.ds.query(
      `SELECT count(*)::int AS count FROM messages WHERE channel = 'whatsapp-web' AND direction = 'inbound'`,
    );
    expect(count).toBe(1);
  });

  it('keeps the session across a restart: no new QR code, and messages flow again', async () => {
    await t!.close();
    t = await startApp(env, db);
    const manager = await login(t, 'manager@bari.demo');
    const seen = new Set<string>();
    await eventually(
      async () => {
        const p = await pairing(manager);
        seen.add(p.state);
        return p.state === 'ready' || null;
      },
      30_000,
      'ready after restart',
    );
    expect(seen.has('qr')).toBe(false);

    const operator = await login(t, 'operatore@bari.demo');
    const [ticket] = await t.ds.query(`SELECT id FROM tickets WHERE channel = 'whatsapp-web' ORDER BY id DESC LIMIT 1`);
    const reply = await t.http
      .post(`/api/tickets/${ticket.id}/messages`)
      .set('Authorization', `Bearer ${operator}`)
      .send({ text: 'Le scrivo ancora dopo il riavvio.' });
    expect(reply.status).toBe(201);
    await eventually(
      async () => {
        const list: any[] = await phone().evaluate('window.__standin.sent');
        return list.some((s) => s.body === 'Le scrivo ancora dopo il riavvio.' && s.to === CITIZEN) || null;
      },
      15_000,
      'sent after restart',
    );
  });
});
