import { createHmac, randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { IngestService } from '../../src/conversations/ingest.service.js';
import { WebchatSessions } from '../../src/channels/webchat/webchat-session.js';
import { citizenSays, connectCitizen, startApp, type TestApp } from '../support/harness.js';

const DAY = 24 * 3600 * 1000;

/**
 * Web-chat sessions expire when idle (WEBCHAT_SESSION_IDLE_DAYS, 30 by default) and are renewed at
 * every reconnection: the real app, socket.io-client as the widget, tokens signed with the app's
 * secret as if issued days ago.
 */
describe('web-chat session expiry', () => {
  let t: TestApp;
  let bariId: number;
  const sockets: Socket[] = [];
  const sessionId = (token: string) => token.split('.')[1];
  /** A token for session `id` as the app would have issued it `daysAgo` days ago. */
  const issuedDaysAgo = (id: string, daysAgo: number) =>
    new WebchatSessions(t.config.jwtSecret, 30 * DAY, () => Date.now() - daysAgo * DAY).issue(bariId, id).token;
  const connect = async (token?: string) => {
    const c = await connectCitizen(t, 'bari', token);
    sockets.push(c.socket);
    return c;
  };

  let first: { sessionToken: string };
  beforeAll(async () => {
    t = await startApp();
    [{ id: bariId }] = await t.ds.query(`SELECT id FROM comuni WHERE slug = 'bari'`);
    const c = await connect();
    expect((await citizenSays(c.socket, 'Vorrei sapere gli orari della biblioteca', 'exp-1')).ok).toBe(true);
    c.socket.disconnect();
    first = c;
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await t?.close();
  });

  it('renews a still-valid token on reconnection: same conversation, a token issued now', async () => {
    const old = issuedDaysAgo(sessionId(first.sessionToken), 29);
    const again = await connect(old);
    expect(sessionId(again.sessionToken)).toBe(sessionId(first.sessionToken));
    expect(again.history.messages.map((m: any) => m.text)).toEqual(['Vorrei sapere gli orari della biblioteca']);
    expect(again.sessionToken).not.toBe(old);
    const issuedAt = Number(again.sessionToken.split('.')[2]) * 1000;
    expect(Math.abs(Date.now() - issuedAt)).toBeLessThan(60_000);
    // The renewed token works on its own.
    const third = await connect(again.sessionToken);
    expect(sessionId(third.sessionToken)).toBe(sessionId(first.sessionToken));
    expect(third.history.messages).toHaveLength(1);
  });

  it('starts a new session for an expired token, without showing the old conversation', async () => {
    const expired = issuedDaysAgo(sessionId(first.sessionToken), 31);
    const c = await connect(expired);
    expect(sessionId(c.sessionToken)).not.toBe(sessionId(first.sessionToken));
    expect(c.history).toEqual({ ticketReference: null, messages: [] });
    // What the new session says opens its own ticket, not the old one.
    const ack = await citizenSays(c.socket, 'Sono di nuovo io', 'exp-2');
    const [old] = await t.ds.query(
      `SELECT t.reference FROM tickets t JOIN citizen_identities i ON i.id = t.citizen_identity_id WHERE i.channel = 'webchat' AND i.address = $1`,
      [`${bariId}:${sessionId(first.sessionToken)}`],
    );
    expect(ack.ticketReference).not.toBe(old.reference);
    // Nor can the expired token upload to the old session.
    const upload = await t.http
      .post('/api/webchat/bari/photos?clientMessageId=exp-3')
      .set('X-Webchat-Session', expired)
      .set('Content-Type', 'image/png')
      .send(Buffer.from('x'));
    expect(upload.status).toBe(400);
    expect(JSON.stringify(upload.body)).toContain('X-Webchat-Session');
  });

  it('does not resume a session from a token of the old format, which never expired', async () => {
    const id = randomUUID();
    const legacy = `${bariId}.${id}.${createHmac('sha256', t.config.jwtSecret).update(`webchat:${bariId}:${id}`).digest('base64url')}`;
    await t.app.get(IngestService).ingest({
      channel: 'webchat',
      comuneId: bariId,
      externalId: `${bariId}:${id}:legacy-1`,
      sender: { address: `${bariId}:${id}` },
      text: 'Messaggio di una sessione vecchia',
    });
    const c = await connect(legacy);
    expect(sessionId(c.sessionToken)).not.toBe(id);
    expect(c.history.messages).toEqual([]);
  });
});
