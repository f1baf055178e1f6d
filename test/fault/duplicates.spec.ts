import { createHmac } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { connectCitizen, startApp, type TestApp } from '../support/harness.js';
import { TelegramStandin } from '../channels/support/telegram-standin.js';

/** The demo seed's Telegram bot of Bari (its getMe goes to the stand-in). */
const DEMO_BOT_TOKEN = '1000000001:demo-telegram-bot-token-replace-me';

/**
 * Providers and clients retry: the same message arrives 5 times at once. Each entry point must
 * store it once (duplicated: nothing) and acknowledge every copy (lost: nothing), the copies after
 * the first as duplicates of the same message.
 */
describe('fault: the same message delivered 5 times concurrently', () => {
  let t: TestApp;
  let tg: TelegramStandin;
  const sockets: Socket[] = [];
  const count = async (channel: string, like: string) =>
    (await t.ds.query(`SELECT count(*)::int AS n FROM messages WHERE channel = $1 AND external_id LIKE $2`, [channel, like]))[0]
      .n as number;
  const account = async (channel: string) =>
    (
      await t.ds.query(
        `SELECT a.id, a.secrets FROM channel_accounts a JOIN comuni c ON c.id = a.comune_id WHERE a.channel = $1 AND c.slug = 'bari'`,
        [channel],
      )
    )[0];

  beforeAll(async () => {
    tg = await new TelegramStandin(DEMO_BOT_TOKEN).start();
    t = await startApp({ TELEGRAM_API_ROOT: tg.url });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await t?.close();
    await tg?.stop();
  });

  it('web chat: one client message id sent on 5 connections of the same session', async () => {
    const first = await connectCitizen(t, 'bari');
    const others = await Promise.all(Array.from({ length: 4 }, () => connectCitizen(t, 'bari', first.sessionToken)));
    const all = [first, ...others].map((c) => c.socket);
    sockets.push(...all);
    const acks = await Promise.all(
      all.map((s) => s.timeout(5000).emitWithAck('message', { text: 'Inviato cinque volte', clientMessageId: 'dup-5x' })),
    );
    expect(acks.every((a) => a.ok)).toBe(true);
    expect(acks.filter((a) => !a.duplicate)).toHaveLength(1);
    expect(new Set(acks.map((a) => a.messageId)).size).toBe(1);
    expect({ stored: await count('webchat', '%:dup-5x') }).toEqual({ stored: 1 });
  });

  it('app channel: one messageId posted 5 times', async () => {
    const res = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.http
          .post('/api/app/v1/messages')
          .set('X-Api-Key', 'demo-app-key-bari')
          .send({ messageId: 'dup-app-5x', citizen: { id: 'dup-app-citizen' }, text: 'Inviato cinque volte' }),
      ),
    );
    expect(res.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(res.map((r) => r.body.messageId)).size).toBe(1);
    expect({ stored: await count('app', '%:dup-app-5x') }).toEqual({ stored: 1 });
  });

  it('WhatsApp webhook: one wamid notified 5 times', async () => {
    const wa = await account('whatsapp');
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'waba-1',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { phone_number_id: '100000000000001', display_phone_number: '390805771111' },
                contacts: [{ profile: { name: 'Maria Rossi' }, wa_id: '393330005555' }],
                messages: [
                  {
                    from: '393330005555',
                    id: 'wamid.DUP5X',
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    type: 'text',
                    text: { body: 'Inviato cinque volte' },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    const sig = `sha256=${createHmac('sha256', wa.secrets.appSecret).update(body).digest('hex')}`;
    const res = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.http.post(`/webhooks/whatsapp/${wa.id}`).set('Content-Type', 'application/json').set('X-Hub-Signature-256', sig).send(body),
      ),
    );
    expect(res.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect({ stored: await count('whatsapp', '%wamid.DUP5X') }).toEqual({ stored: 1 });
  });

  it('Telegram webhook: one update delivered 5 times', async () => {
    const tg = await account('telegram');
    const update = JSON.stringify({
      update_id: 990001,
      message: {
        message_id: 4242,
        date: Math.floor(Date.now() / 1000),
        chat: { id: 55501, type: 'private', first_name: 'Gianni' },
        from: { id: 55501, is_bot: false, first_name: 'Gianni' },
        text: 'Inviato cinque volte',
      },
    });
    const res = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.http
          .post(`/webhooks/telegram/${tg.id}`)
          .set('Content-Type', 'application/json')
          .set('X-Telegram-Bot-Api-Secret-Token', tg.secrets.webhookSecret)
          .send(update),
      ),
    );
    expect(res.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const [n] = await t.ds.query(
      `SELECT count(*)::int AS n FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.channel = 'telegram' AND m.text = 'Inviato cinque volte'`,
    );
    expect({ stored: n.n }).toEqual({ stored: 1 });
  });
});
