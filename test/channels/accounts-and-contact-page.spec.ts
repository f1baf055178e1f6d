import QRCode from 'qrcode';
import { login, startApp, type TestApp } from '../support/harness.js';
import { TelegramStandin } from './support/telegram-standin.js';

/** The channel accounts admin API (roles, tenants, write-only secrets) and the public contact page. */
describe('channel accounts and the contact page', () => {
  let t: TestApp;
  let tg: TelegramStandin;
  const TOKEN = '7000000002:AAH-accounts-test-token-xxxxxxxxx';

  beforeAll(async () => {
    tg = await new TelegramStandin(TOKEN, 'urp_modugno_bot').start();
    t = await startApp({ TELEGRAM_API_ROOT: tg.url, PUBLIC_BASE_URL: 'https://urp.example.it' });
  });
  afterAll(async () => {
    await t?.close();
    await tg?.stop();
  });

  it('lets the comune’s manager and the metropolitan admin manage accounts, never showing secrets', async () => {
    const manager = await login(t, 'manager@modugno.demo');
    const operator = await login(t, 'operatore@modugno.demo');
    const bariManager = await login(t, 'manager@bari.demo');
    const admin = await login(t, 'admin@metro.demo');
    const body = {
      channel: 'whatsapp',
      label: 'WhatsApp URP Modugno',
      config: { phoneNumberId: '123456789012', displayPhoneNumber: '+39 080 5865111' },
      secrets: { accessToken: 'EAAG-secret-token-modugno', appSecret: 'app-secret-modugno', verifyToken: 'verify-modugno-1' },
    };

    expect((await t.http.post('/api/channel-accounts').set('Authorization', `Bearer ${operator}`).send(body)).status).toBe(403);
    const created = await t.http.post('/api/channel-accounts').set('Authorization', `Bearer ${manager}`).send(body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      channel: 'whatsapp',
      secretsSet: ['accessToken', 'appSecret', 'verifyToken'],
      webhookUrl: `https://urp.example.it/webhooks/whatsapp/${created.body.id}`,
    });
    expect(JSON.stringify(created.body)).not.toMatch(/secret-token-modugno|app-secret-modugno|verify-modugno-1/);

    // Another comune's manager does not see it; the metropolitan admin does.
    expect((await t.http.get(`/api/channel-accounts/${created.body.id}`).set('Authorization', `Bearer ${bariManager}`)).status).toBe(404);
    const all = await t.http.get('/api/channel-accounts').set('Authorization', `Bearer ${admin}`);
    expect(all.body.map((a: any) => a.id)).toContain(created.body.id);

    // A secret can be replaced without sending the others; a bad one is refused naming the field.
    const bad = await t.http
      .patch(`/api/channel-accounts/${created.body.id}`)
      .set('Authorization', `Bearer ${manager}`)
      .send({ secrets: { verifyToken: 'short' } });
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toEqual([{ field: 'secrets.verifyToken', message: 'must be at least 8 characters without spaces' }]);
    const rotated = await t.http
      .patch(`/api/channel-accounts/${created.body.id}`)
      .set('Authorization', `Bearer ${manager}`)
      .send({ secrets: { accessToken: 'EAAG-rotated-token-modugno' } });
    expect(rotated.status).toBe(200);
    const [row] = await t.ds.query(`SELECT secrets FROM channel_accounts WHERE id = $1`, [created.body.id]);
    expect(row.secrets).toEqual({
      accessToken: 'EAAG-rotated-token-modugno',
      appSecret: 'app-secret-modugno',
      verifyToken: 'verify-modugno-1',
    });

    const missing = await t.http
      .post('/api/channel-accounts')
      .set('Authorization', `Bearer ${manager}`)
      .send({ ...body, config: { displayPhoneNumber: '+39 080 1' } });
    expect(missing.status).toBe(400);
    expect(missing.body.fields[0].field).toBe('config.phoneNumberId');
    const twice = await t.http
      .post('/api/channel-accounts')
      .set('Authorization', `Bearer ${admin}`)
      .send({ ...body, comuneId: created.body.comuneId });
    expect(twice.status).toBe(409);

    const disabled = await t.http.delete(`/api/channel-accounts/${created.body.id}`).set('Authorization', `Bearer ${manager}`);
    expect(disabled.body.enabled).toBe(false);
    expect(
      (
        await t.http
          .get(`/webhooks/whatsapp/${created.body.id}`)
          .query({ 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-modugno-1', 'hub.challenge': '42' })
      ).status,
    ).toBe(404);
  });

  it('shows a contact page with QR codes for WhatsApp, Telegram and the web chat', async () => {
    const manager = await login(t, 'manager@modugno.demo');
    await t.http
      .post('/api/channel-accounts')
      .set('Authorization', `Bearer ${manager}`)
      .send({
        channel: 'whatsapp',
        label: 'WhatsApp',
        config: { phoneNumberId: '223456789012', displayPhoneNumber: '+39 080 5865222' },
        secrets: { accessToken: 'EAAG-secret-token-modugno2', appSecret: 'app-secret-modugno2', verifyToken: 'verify-modugno-2' },
      })
      .expect(201);
    await t.http
      .post('/api/channel-accounts')
      .set('Authorization', `Bearer ${manager}`)
      .send({
        channel: 'telegram',
        label: 'Bot',
        config: { botUsername: 'urp_modugno_bot' },
        secrets: { botToken: TOKEN, webhookSecret: 'modugno-webhook-secret-1' },
      })
      .expect(201);

    const page = await t.http.get('/contatti/modugno');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('<html lang="it">');
    expect(page.text).toContain('Contatta l’URP del Comune di Modugno');
    expect(page.text).toContain('href="https://wa.me/390805865222"');
    expect(page.text).toContain('href="https://t.me/urp_modugno_bot"');
    expect(page.text).toContain('href="https://urp.example.it/contatti/modugno#chat"');
    for (const link of ['https://wa.me/390805865222', 'https://t.me/urp_modugno_bot', 'https://urp.example.it/contatti/modugno#chat']) {
      const svg = await QRCode.toString(link, {
        type: 'svg',
        errorCorrectionLevel: 'M',
        margin: 2,
        color: { dark: '#000000', light: '#ffffff' },
      });
      const path = /<path[^>]*stroke="#000000"[^>]*d="([^"]+)"/.exec(svg)![1];
      expect(page.text).toContain(path);
    }
    expect(page.text.match(/role="img"/g)).toHaveLength(3);
    expect(page.text).not.toMatch(/secret|EAAG/);

    const en = await t.http.get('/contatti/modugno?lang=en');
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('Contact the public relations office (URP) of Modugno');
    // A comune with no messaging account still offers the web chat.
    const other = await t.http.get('/contatti/bitonto');
    expect(other.text.match(/role="img"/g)).toHaveLength(1);
    expect((await t.http.get('/contatti/atlantide')).status).toBe(404);
  });

  it('seeds Bari with one account of each messaging channel, ready for the webhooks and the contact page', async () => {
    const rows = await t.ds.query(`SELECT a.id, a.channel FROM channel_accounts a JOIN comuni c ON c.id = a.comune_id
      WHERE c.slug = 'bari' AND a.channel IN ('whatsapp', 'telegram', 'whatsapp-web') ORDER BY a.channel`);
    expect(rows.map((r: any) => r.channel)).toEqual(['telegram', 'whatsapp', 'whatsapp-web']);
    const wa = rows.find((r: any) => r.channel === 'whatsapp');
    const verify = await t.http
      .get(`/webhooks/whatsapp/${wa.id}`)
      .query({ 'hub.mode': 'subscribe', 'hub.verify_token': 'demo-whatsapp-verify-token', 'hub.challenge': '31337' });
    expect(verify.text).toBe('31337');
    const page = await t.http.get('/contatti/bari');
    expect(page.text).toContain('href="https://wa.me/390805771111"');
    expect(page.text).toContain('href="https://t.me/urp_bari_demo_bot"');
  });
});
