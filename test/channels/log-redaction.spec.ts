import { PinoLogger } from 'nestjs-pino';
import { pino } from 'pino';
import { connectCitizen, eventually, login, startApp, type TestApp } from '../support/harness.js';

/**
 * The request log (pino-http, JSON on standard output) must not carry the channels' secrets: the
 * WhatsApp webhook verification token comes in the query string, the web-chat session token in a
 * header. The app runs with LOG_LEVEL=info and what pino writes to its destination is captured.
 */
const VERIFY_TOKEN = 'verify-token-that-must-not-be-logged-71';

describe('request log redaction', () => {
  let t: TestApp;
  const lines: string[] = [];

  beforeAll(async () => {
    t = await startApp({ LOG_LEVEL: 'info' });
    // The one pino-http logger of the process (nestjs-pino's root): what it writes is kept here.
    const destination = (PinoLogger.root as any)[pino.symbols.streamSym];
    destination.write = (chunk: string | Buffer) => {
      lines.push(String(chunk));
      return true;
    };
  });
  afterAll(async () => {
    await t?.close();
  });

  const logOf = (path: string) =>
    eventually(
      async () =>
        lines
          .join('')
          .split('\n')
          .filter((l) => l.includes(path)),
      5000,
      `a log line for ${path}`,
    ).then((found) => (found.length ? found : Promise.reject(new Error(`no log line for ${path}`))));

  it('does not log hub.verify_token of the WhatsApp verification request', async () => {
    const manager = await login(t, 'manager@bari.demo');
    const created = await t.http
      .post('/api/channel-accounts')
      .set('Authorization', `Bearer ${manager}`)
      .send({
        channel: 'whatsapp',
        label: 'WhatsApp (log test)',
        config: { phoneNumberId: '106540352249999', displayPhoneNumber: '+39 080 5779999' },
        secrets: { accessToken: 'EAAG-access-token-log-test', appSecret: 'app-secret-log-test', verifyToken: VERIFY_TOKEN },
      });
    expect(created.status).toBe(201);
    const path = `/webhooks/whatsapp/${created.body.id}`;
    const res = await t.http.get(`${path}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(res.status).toBe(200);
    const wrong = await t.http.get(`${path}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}-wrong&hub.challenge=42`);
    expect(wrong.status).toBe(403);

    const logged = await eventually(
      async () => {
        const found = lines
          .join('')
          .split('\n')
          .filter((l) => l.includes(path) && l.includes('hub.challenge'));
        return found.length >= 2 ? found : null;
      },
      5000,
      'both verification requests logged',
    );
    // The requests are logged (with the rest of their query), the token is not.
    expect(logged.join('\n')).toContain('hub.verify_token=[Redacted]');
    expect(logged.join('\n')).toContain('1158201444');
    expect(lines.join('')).not.toContain(VERIFY_TOKEN);
  });

  it('does not log the X-Webchat-Session token', async () => {
    const citizen = await connectCitizen(t, 'bari');
    citizen.socket.disconnect();
    const token = citizen.sessionToken;
    const path = '/api/webchat/bari/photos?clientMessageId=log-test-1';
    const res = await t.http
      .post(path)
      .set('X-Webchat-Session', token)
      .set('Content-Type', 'image/png')
      .send(Buffer.from('not really an image'));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const logged = await logOf('log-test-1');
    expect(logged.join('\n')).toContain('"x-webchat-session":"[Redacted]"');
    expect(lines.join('')).not.toContain(token);
    expect(lines.join('')).not.toContain(token.split('.').at(-1)!);
  });
});
