import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import wwebjs from 'whatsapp-web.js';
import type { Socket } from 'socket.io-client';
import { loadConfig } from '../../src/config/config.js';
import { ChannelAccountsService } from '../../src/channels/accounts/channel-accounts.service.js';
import { defaultFactory, WhatsappWebSessions } from '../../src/channels/whatsapp-web/wwebjs-sessions.js';
import type { WwebjsMessage } from '../../src/channels/whatsapp-web/wwebjs-normalize.js';
import { connectAgent, eventually, login, nextEvent, startApp, type TestApp } from '../support/harness.js';
import { JPEG_1PX } from './support/telegram-standin.js';

/**
 * whatsapp-web.js drives WhatsApp Web in Chromium, which cannot reach WhatsApp here. What is tested:
 * the session's event handling (QR, ready, disconnect) through the real app and its pairing
 * endpoint, message normalization from Message objects shaped as the library makes them, and the
 * outbound path to the client's sendMessage, with a client made of loopback pieces (an EventEmitter
 * standing in for the browser-backed client) and the library's own MessageMedia.
 */
class LoopbackClient extends EventEmitter {
  readonly sent: Array<{ chatId: string; content: unknown }> = [];
  destroyed = false;
  async initialize(): Promise<void> {
    /* the browser part: not reachable here */
  }
  async sendMessage(chatId: string, content: unknown) {
    this.sent.push({ chatId, content });
    return { id: { _serialized: `true_${chatId}_3EB0${this.sent.length}` } };
  }
  async destroy(): Promise<void> {
    this.destroyed = true;
  }
}

function message(over: Omit<Partial<WwebjsMessage>, 'id'> & { id: string }): WwebjsMessage {
  const { id, ...rest } = over;
  return {
    id: { fromMe: false, remote: rest.from ?? '393471112233@c.us', id, _serialized: `false_${rest.from ?? '393471112233@c.us'}_${id}` },
    from: '393471112233@c.us',
    to: '390805771111@c.us',
    body: '',
    type: 'chat',
    timestamp: Math.floor(Date.now() / 1000),
    fromMe: false,
    hasMedia: false,
    isStatus: false,
    broadcast: false,
    _data: { notifyName: 'Carla' },
    downloadMedia: async () => undefined,
    ...rest,
  };
}

describe('WhatsApp through whatsapp-web.js', () => {
  let t: TestApp;
  let client: LoopbackClient;
  let accountId: number;
  let manager: string;
  let operator: string;
  const sockets: Socket[] = [];
  const stored = (id: string) =>
    t.ds.query(
      `SELECT m.*, t.type, (SELECT json_agg(a.content_type) FROM attachments a WHERE a.message_id = m.id) AS types
       FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.channel = 'whatsapp-web' AND m.external_id LIKE $1`,
      [`%_${id}`],
    );

  beforeAll(async () => {
    t = await startApp();
    manager = await login(t, 'manager@bari.demo');
    operator = await login(t, 'operatore@bari.demo');
    const res = await t.http
      .post('/api/channel-accounts')
      .set('Authorization', `Bearer ${manager}`)
      .send({ channel: 'whatsapp-web', label: 'WhatsApp Web URP', config: { displayPhoneNumber: '+39 080 5771111' } });
    expect(res.status).toBe(201);
    accountId = res.body.id;
    const account = (await t.app.get(ChannelAccountsService).load(accountId, 'whatsapp-web'))!;
    client = new LoopbackClient();
    t.app.get(WhatsappWebSessions).attach(account, client, (m, d, f) => new wwebjs.MessageMedia(m, d, f));
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await t?.close();
  });

  const pairing = () => t.http.get(`/api/channel-accounts/${accountId}/pairing`).set('Authorization', `Bearer ${manager}`);

  it('shows the QR code to the comune’s administrators while pairing, then the ready state', async () => {
    client.emit('qr', '2@Xq8YbZc1,Kp0Lm3Nn4Oo5Pp6Qq7Rr8Ss9Tt0Uu=,AbCdEfGh=,IjKlMnOp=');
    const qr = await eventually(async () => {
      const r = await pairing();
      return r.body.state === 'qr' ? r.body : null;
    });
    expect(qr.qr).toBe('2@Xq8YbZc1,Kp0Lm3Nn4Oo5Pp6Qq7Rr8Ss9Tt0Uu=,AbCdEfGh=,IjKlMnOp=');
    expect(qr.qrImage).toMatch(/^data:image\/png;base64,/);
    expect((await t.http.get(`/api/channel-accounts/${accountId}/pairing`).set('Authorization', `Bearer ${operator}`)).status).toBe(403);
    const otherManager = await login(t, 'manager@modugno.demo');
    expect((await t.http.get(`/api/channel-accounts/${accountId}/pairing`).set('Authorization', `Bearer ${otherManager}`)).status).toBe(
      404,
    );

    client.emit('authenticated');
    client.emit('ready');
    const ready = await eventually(async () => {
      const r = await pairing();
      return r.body.state === 'ready' ? r.body : null;
    });
    expect(ready.qrImage).toBeNull();
  });

  it('carries a citizen message to Bari’s operator and the reply back through the session', async () => {
    const agent = await connectAgent(t, operator);
    sockets.push(agent);
    const offered = nextEvent(agent, 'ticket.offered', (p: any) => p.ticket.channel === 'whatsapp-web');
    client.emit('message', message({ id: '3EB0A1', body: "Buongiorno, a che ora apre l'ufficio anagrafe?" }));
    const offer = await offered;
    const reply = await t.http
      .post(`/api/tickets/${offer.ticket.id}/messages`)
      .set('Authorization', `Bearer ${operator}`)
      .send({ text: "L'anagrafe apre alle 9:00." });
    expect(reply.status).toBe(201);
    await eventually(async () => client.sent.length > 0 || null);
    expect(client.sent[0]).toEqual({ chatId: '393471112233@c.us', content: "L'anagrafe apre alle 9:00." });
    const m = await eventually(async () => {
      const [r] = await t.ds.query(`SELECT delivery_status, external_id FROM messages WHERE id = $1`, [reply.body.id]);
      return r.delivery_status === 'sent' ? r : null;
    });
    expect(m.external_id).toBe(`${accountId}:true_393471112233@c.us_3EB01`);
  });

  it('normalizes media, location and contact cards, and ignores groups, status updates and its own messages', async () => {
    const from = '393479998877@c.us';
    client.emit(
      'message',
      message({
        id: 'IMG1',
        from,
        type: 'image',
        hasMedia: true,
        body: 'Marciapiede rotto',
        _data: { notifyName: 'Pino', caption: 'Marciapiede rotto' },
        downloadMedia: async () => new wwebjs.MessageMedia('image/jpeg', JPEG_1PX.toString('base64'), null),
      }),
    );
    client.emit(
      'message',
      message({
        id: 'LOC1',
        from: '393470000001@c.us',
        type: 'location',
        location: { latitude: '41.1171', longitude: '16.8719', description: 'Via Sparano' },
      }),
    );
    client.emit(
      'message',
      message({
        id: 'VC1',
        from,
        type: 'vcard',
        body: 'BEGIN:VCARD\nVERSION:3.0\nFN:Giuseppe Verdi\nitem1.TEL;waid=393331234567:+39 333 1234567\nEND:VCARD',
        vCards: ['BEGIN:VCARD\nVERSION:3.0\nFN:Giuseppe Verdi\nitem1.TEL;waid=393331234567:+39 333 1234567\nEND:VCARD'],
      }),
    );
    client.emit('message', message({ id: 'GRP1', from: '120363025246125486@g.us', body: 'messaggio di gruppo' }));
    client.emit('message', message({ id: 'STA1', from: 'status@broadcast', isStatus: true, body: 'stato' }));
    client.emit('message', message({ id: 'OWN1', fromMe: true, body: 'scritto da noi' }));
    // The same event twice at once stores one message.
    client.emit('message', message({ id: 'DUP1', from, body: 'Doppio' }));
    client.emit('message', message({ id: 'DUP1', from, body: 'Doppio' }));

    const [img] = await eventually(async () => {
      const r = await stored('IMG1');
      return r.length ? r : null;
    });
    expect([img.text, img.types]).toEqual(['Marciapiede rotto', ['image/jpeg']]);
    const [loc] = await eventually(async () => {
      const r = await stored('LOC1');
      return r.length ? r : null;
    });
    expect([loc.text, loc.type]).toEqual(['Via Sparano', 'report']);
    const [vc] = await eventually(async () => {
      const r = await stored('VC1');
      return r.length ? r : null;
    });
    expect(vc.text).toBe('Contatto condiviso: Giuseppe Verdi, tel. +39 333 1234567');
    await eventually(async () => (await stored('DUP1')).length > 0 || null);
    expect(await stored('DUP1')).toHaveLength(1);
    for (const ignored of ['GRP1', 'STA1', 'OWN1']) expect(await stored(ignored)).toHaveLength(0);
  });

  it('holds replies while the session is disconnected and sends them once it is back', async () => {
    const [row] = await stored('3EB0A1');
    client.emit('disconnected', 'NAVIGATION');
    await eventually(async () => (await pairing()).body.state === 'disconnected' || null);
    const before = client.sent.length;
    const reply = await t.http
      .post(`/api/tickets/${row.ticket_id}/messages`)
      .set('Authorization', `Bearer ${manager}`)
      .send({ text: 'Risposta dopo la riconnessione' });
    await new Promise((r) => setTimeout(r, 300));
    expect(client.sent.length).toBe(before);
    client.emit('ready');
    await eventually(async () => client.sent.some((s) => s.content === 'Risposta dopo la riconnessione') || null, 10000);
    // The session took it; its state is stored when the adapter's call returns, a moment later.
    await eventually(
      async () =>
        (await t.ds.query(`SELECT delivery_status FROM messages WHERE id = $1`, [reply.body.id]))[0].delivery_status === 'sent' || null,
      5000,
      'state "sent"',
    );
  });

  it('builds the real client with LocalAuth in the data dir and the system Chromium, without starting it', async () => {
    const config = loadConfig({ WHATSAPP_WEB_DATA_DIR: '/tmp/sportello-wwebjs-test', CHROMIUM_PATH: '/usr/bin/chromium' });
    const { client: real } = await defaultFactory(config)({
      id: 77,
      comuneId: 1,
      channel: 'whatsapp-web',
      label: 'x',
      config: {},
      secrets: {},
      enabled: true,
    });
    const options = (real as any).options;
    expect(options.puppeteer.executablePath).toBe('/usr/bin/chromium');
    expect(options.authStrategy).toBeInstanceOf(wwebjs.LocalAuth);
    expect(options.authStrategy.dataPath).toBe(resolve('/tmp/sportello-wwebjs-test'));
    expect(options.authStrategy.clientId).toBe('account-77');
  });
});
