import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { TenantScope } from '../../src/common/tenant-scope.js';
import type { DevIdp } from '../../src/portal/dev-idp/dev-idp.js';
import { TEST_CITIZENS } from '../../src/portal/dev-idp/test-citizens.js';
import { runInScope } from '../../src/tenancy/db-scope.js';
import { eventually, login, type TestApp } from '../support/harness.js';
import { startSmtpSink, type SmtpSink } from '../channels/email/mail-standins.js';
import { GraphStandin, hubSignature, waNotification } from '../channels/support/graph-standin.js';
import { appFetch, browser, oidcLogin, portalPost, session, startPortal, type Browser } from './support.js';

/**
 * The personal area's settings (src/portal/settings): notification preferences (validated against
 * the linked channels, honoured by the real notification scanner: WhatsApp through a Graph API
 * stand-in, e-mail caught by an SMTP sink), and the consents given to the comuni (withdrawn by a new
 * decision, never deleted; another citizen's answers 404).
 */
const PHONE_ID = '109999000222';
const WA_TOKEN = 'EAAG-settings-access-token';
const WA_SECRET = 'settings-app-secret';
const MARIA_WA = '393471234567';

describe('portal: settings of the personal area', () => {
  let t: TestApp;
  let idp: DevIdp;
  let graph: GraphStandin;
  let sink: SmtpSink;
  let waAccount: number;
  let sup: string;
  let wamid = 1;
  const maria = TEST_CITIZENS.find((c) => c.id === 'maria-rossi')!;
  const nicola = TEST_CITIZENS.find((c) => c.id === 'nicola-de-santis')!;
  let mariaB: Browser;
  let nicolaB: Browser;
  /** Maria's requests to Bari sent while logged in: notified by preference, then after a withdrawal. */
  let first: { reference: string; id: string };
  let second: { reference: string; id: string };

  beforeAll(async () => {
    graph = await new GraphStandin(WA_TOKEN).start();
    sink = await startSmtpSink();
    ({ t, idp } = await startPortal({
      GRAPH_API_BASE_URL: graph.baseUrl,
      CHANNEL_NOTIFY_POLL_MS: '100',
      EMAIL_SMTP_ENABLED: 'true',
      EMAIL_SMTP_PORT: '0',
      EMAIL_DEFAULT_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      PORTAL_MAIL_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
    }));
    const manager = await login(t, 'manager@bari.demo');
    // Bari's demo WhatsApp number has placeholder credentials: the comune's number is the one below.
    const [demoWa] = await t.ds.query(
      `SELECT a.id FROM channel_accounts a JOIN comuni c ON c.id = a.comune_id WHERE c.slug = 'bari' AND a.channel = 'whatsapp'`,
    );
    if (demoWa) await t.http.delete(`/api/channel-accounts/${demoWa.id}`).set('Authorization', `Bearer ${manager}`);
    const wa = await t.http
      .post('/api/channel-accounts')
      .set('Authorization', `Bearer ${manager}`)
      .send({
        channel: 'whatsapp',
        label: 'WA URP Bari',
        config: {
          phoneNumberId: PHONE_ID,
          displayPhoneNumber: '+39 080 5772222',
          notificationTemplate: { name: 'aggiornamento_pratica', language: 'it' },
        },
        secrets: { accessToken: WA_TOKEN, appSecret: WA_SECRET, verifyToken: 'verify-token-settings' },
      });
    expect(wa.status).toBe(201);
    waAccount = wa.body.id;
    sup = await login(t, 'supervisore@bari.demo');
    mariaB = browser();
    await oidcLogin(t, idp, mariaB, { method: 'spid', citizenId: maria.id });
    nicolaB = browser();
    await oidcLogin(t, idp, nicolaB, { method: 'cie', citizenId: nicola.id });
  });
  afterAll(async () => {
    await t?.close();
    await idp?.stop();
    await graph?.stop();
    await sink?.close();
  });

  const getJson = async (b: Browser, path: string, status = 200) => {
    const res = await appFetch(t, b, path);
    expect(res.status).toBe(status);
    return (await res.json()) as any;
  };
  const put = async (b: Browser, body: unknown, csrf?: string | null) => {
    const token = csrf === undefined ? (await session(t, b)).csrfToken : csrf;
    return appFetch(t, b, '/api/portal/v1/me/notifications', {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...(token ? { 'x-csrf-token': token } : {}) },
      body: JSON.stringify(body),
    });
  };
  const whatsappSays = async (from: string, text: string) => {
    const body = JSON.stringify(
      waNotification(PHONE_ID, {
        contacts: [{ profile: { name: 'Maria' }, wa_id: from }],
        messages: [
          { from, id: `wamid.SET${wamid++}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } },
        ],
      }),
    );
    const res = await t.http
      .post(`/webhooks/whatsapp/${waAccount}`)
      .set('Content-Type', 'application/json')
      .set('X-Hub-Signature-256', hubSignature(body, WA_SECRET))
      .send(body);
    expect(res.status).toBe(200);
  };
  const sendRequest = async (b: Browser, description: string) => {
    const res = await portalPost(t, b, '/api/portal/v1/comuni/bari/requests', {
      submissionId: `sub-${randomBytes(6).toString('hex')}`,
      category: 'tributi',
      description,
      email: maria.email,
      privacyConsent: true,
    });
    expect(res.status).toBe(201);
    const { reference } = (await res.json()) as any;
    const [{ id }] = await t.ds.query(`SELECT id::text AS id FROM tickets WHERE reference = $1`, [reference]);
    return { reference: reference as string, id: id as string };
  };
  const accept = (ticketId: string) =>
    eventually(
      async () => (await t.http.post(`/api/tickets/${ticketId}/accept`).set('Authorization', `Bearer ${sup}`)).status < 300 || null,
    );
  const resolve = (ticketId: string) =>
    t.http.patch(`/api/tickets/${ticketId}`).set('Authorization', `Bearer ${sup}`).send({ status: 'resolved' }).expect(200);
  const settled = (ticketId: string, events: number) =>
    eventually(async () => {
      const [r] = await t.ds.query(`SELECT count(*)::int AS n FROM channel_notifications WHERE ticket_id = $1`, [ticketId]);
      return r.n >= events || null;
    });
  const whatsappTo = (waId: string) => graph.sends(PHONE_ID).filter((r) => r.json?.to === waId);
  const mailsAbout = (reference: string) =>
    sink.deliveries.filter((d) => d.rcpt.includes(maria.email) && (d.parsed.text ?? '').includes(reference));
  const accountOf = async (fiscalCode: string) =>
    (await t.ds.query(`SELECT id::text AS id FROM citizen_accounts WHERE fiscal_code = $1`, [fiscalCode]))[0].id as string;

  it('shows no choice at first, the verified e-mail available, WhatsApp and Telegram to link, IO not available', async () => {
    const s = await getJson(mariaB, '/api/portal/v1/me/notifications');
    expect(s.preferences).toEqual(
      ['updates', 'replies', 'announcements', 'reminders'].map((purpose) => ({ purpose, channel: null, updatedAt: null })),
    );
    expect(s.channels).toEqual([
      { channel: 'email', available: true, address: 'ma•••@example.it', reason: null },
      { channel: 'whatsapp', available: false, address: null, reason: expect.stringContaining('collega prima il tuo numero') },
      { channel: 'telegram', available: false, address: null, reason: expect.stringContaining('collega prima la tua chat') },
      { channel: 'io', available: false, address: null, reason: expect.stringContaining('app IO') },
      { channel: 'none', available: true, address: null, reason: null },
    ]);
    expect((await appFetch(t, browser(), '/api/portal/v1/me/notifications')).status).toBe(401);
  });

  it('refuses, naming the field in Italian: an unknown purpose or channel, a channel not linked, IO; no CSRF token → 403', async () => {
    const bad = async (body: unknown, field: string, message: string | RegExp) => {
      const res = await put(mariaB, body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as any).fields).toEqual([{ field, message: expect.stringMatching(message) }]);
    };
    await bad({ preferences: { fax: 'email' } }, 'preferences.fax', /^finalità sconosciuta/);
    await bad({ preferences: { updates: 'sms' } }, 'preferences.updates', /^canale sconosciuto/);
    await bad({ preferences: { updates: 'whatsapp' } }, 'preferences.updates', /WhatsApp non è collegato/);
    await bad({ preferences: { reminders: 'io' } }, 'preferences.reminders', /app IO non è ancora attiva/);
    await bad({ updates: 'email' }, 'preferences', /deve essere un oggetto/);
    expect((await put(mariaB, { preferences: { updates: 'email' } }, null)).status).toBe(403);
    expect((await getJson(mariaB, '/api/portal/v1/me/notifications')).preferences[0].channel).toBeNull();
  });

  it('links Maria’s WhatsApp by code, then keeps her choices; Nicola sees none of them', async () => {
    const { code } = (await (await portalPost(t, mariaB, '/api/portal/v1/me/links', { channel: 'whatsapp' })).json()) as any;
    const dest = await getJson(mariaB, '/api/portal/v1/me/links/destinations');
    expect(dest.destinations).toContainEqual({
      channel: 'whatsapp',
      comune: { name: 'Bari', slug: 'bari' },
      address: '+39 080 5772222',
      url: 'https://wa.me/390805772222',
    });
    expect(dest.destinations).toContainEqual(expect.objectContaining({ channel: 'email', address: 'urp@bari.demo' }));
    const tickets = async () => (await t.ds.query(`SELECT count(*)::int AS n FROM tickets`))[0].n as number;
    const before = await tickets();
    await whatsappSays(MARIA_WA, `COLLEGA ${code}`);
    const links = await getJson(mariaB, '/api/portal/v1/me/links');
    expect(await tickets()).toBe(before);
    expect(links).toEqual([expect.objectContaining({ channel: 'whatsapp', display: '+39 347 ••• 4567' })]);

    const res = await put(mariaB, { preferences: { updates: 'whatsapp', replies: 'email', announcements: 'none' } });
    expect(res.status).toBe(200);
    const s = await getJson(mariaB, '/api/portal/v1/me/notifications');
    expect(s.preferences.map((p: any) => [p.purpose, p.channel])).toEqual([
      ['updates', 'whatsapp'],
      ['replies', 'email'],
      ['announcements', 'none'],
      ['reminders', null],
    ]);
    expect(s.channels[1]).toEqual({ channel: 'whatsapp', available: true, address: '+39 347 ••• 4567', reason: null });
    // null clears a choice.
    expect((await put(mariaB, { preferences: { announcements: null } })).status).toBe(200);
    expect((await getJson(mariaB, '/api/portal/v1/me/notifications')).preferences[2].channel).toBeNull();

    // Nicola's account sees its own (none), and the database shows his scope none of Maria's rows.
    expect((await getJson(nicolaB, '/api/portal/v1/me/notifications')).preferences.every((p: any) => p.channel === null)).toBe(true);
    const appDs = t.app.get(DataSource);
    const seen = (account: string) =>
      runInScope(TenantScope.citizen(account), () => appDs.query(`SELECT purpose FROM citizen_notification_preferences ORDER BY purpose`));
    expect(await seen(await accountOf(nicola.fiscalCode))).toEqual([]);
    expect(await seen(await accountOf(maria.fiscalCode))).toEqual([{ purpose: 'replies' }, { purpose: 'updates' }]);
  });

  it('sends the update on the WhatsApp she chose instead of e-mail; with «none», nothing', async () => {
    first = await sendRequest(mariaB, 'Come si paga la TARI a rate?');
    await accept(first.id);
    const call = await graph.next((r) => r.json?.to === MARIA_WA && r.json?.type === 'template');
    expect(call.json.template.components[0].parameters).toEqual([
      { type: 'text', text: first.reference },
      { type: 'text', text: 'presa in carico' },
    ]);
    const notice = await eventually(async () => {
      const [m] = await t.ds.query(
        `SELECT m.channel, m.recipient_address, m.delivery_status, m.text
           FROM channel_notifications n JOIN messages m ON m.id = n.message_id WHERE n.ticket_id = $1`,
        [first.id],
      );
      return m?.delivery_status === 'sent' ? m : null;
    });
    expect(notice).toMatchObject({ channel: 'whatsapp', recipient_address: `${waAccount}:${MARIA_WA}` });
    expect(notice.text).toContain('come ha scelto nella sua area personale');
    expect(mailsAbout(first.reference).filter((d) => (d.parsed.text ?? '').includes('è stata'))).toEqual([]);

    expect((await put(mariaB, { preferences: { updates: 'none' } })).status).toBe(200);
    const before = whatsappTo(MARIA_WA).length;
    await resolve(first.id);
    await settled(first.id, 2);
    await new Promise((r) => setTimeout(r, 500)); // several scan periods
    expect(whatsappTo(MARIA_WA)).toHaveLength(before);
    expect(mailsAbout(first.reference).filter((d) => (d.parsed.text ?? '').includes('è stata'))).toEqual([]);
    // The «resolved» event was looked at and settled without a notice.
    const notices = await t.ds.query(`SELECT kind, message_id FROM channel_notifications WHERE ticket_id = $1 ORDER BY id`, [first.id]);
    expect(notices.map((n: any) => [n.kind, n.message_id !== null])).toEqual([
      ['taken_in_charge', true],
      ['resolved', false],
    ]);
  });

  it('lists her consents with comune and dates; withdrawing keeps the row, dates it, and stops the e-mail updates', async () => {
    // No choice for updates any more: the comune's usual way (the e-mail she left with consent) applies.
    expect((await put(mariaB, { preferences: { updates: null } })).status).toBe(200);
    second = await sendRequest(mariaB, 'Vorrei sapere gli orari dello sportello tributi.');
    await accept(second.id);
    await sink.waitFor(
      (d) => d.rcpt.includes(maria.email) && (d.parsed.text ?? '').includes(`${second.reference} è stata presa in carico`),
    );

    const { consents } = await getJson(mariaB, '/api/portal/v1/me/consents');
    const ofSecond = consents.filter((c: any) => c.reference === second.reference);
    expect(ofSecond).toHaveLength(2);
    expect(ofSecond).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          purpose: 'updates',
          comune: { name: 'Bari', slug: 'bari' },
          contact: maria.email,
          withdrawnAt: null,
          withdrawable: true,
        }),
        expect.objectContaining({ purpose: 'privacy', comune: { name: 'Bari', slug: 'bari' }, withdrawnAt: null, withdrawable: false }),
      ]),
    );
    const updates = ofSecond.find((c: any) => c.purpose === 'updates');
    const privacy = ofSecond.find((c: any) => c.purpose === 'privacy');
    expect(new Date(updates.grantedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);

    // Nicola sees none of them and cannot withdraw Maria's: 404, nothing recorded.
    expect((await getJson(nicolaB, '/api/portal/v1/me/consents')).consents).toEqual([]);
    const count = async () => (await t.ds.query(`SELECT count(*)::int AS n FROM citizen_consents`))[0].n as number;
    const rows = await count();
    const stranger = await portalPost(t, nicolaB, `/api/portal/v1/me/consents/${updates.id}/withdraw`, {});
    expect(stranger.status).toBe(404);
    expect(((await stranger.json()) as any).fields).toEqual([{ field: 'id', message: 'consenso non trovato tra i tuoi' }]);
    expect((await portalPost(t, mariaB, `/api/portal/v1/me/consents/abc/withdraw`, {})).status).toBe(404);
    // The privacy notice of a request is not withdrawn (409), and without the CSRF token nothing is (403).
    expect((await portalPost(t, mariaB, `/api/portal/v1/me/consents/${privacy.id}/withdraw`, {})).status).toBe(409);
    expect((await portalPost(t, mariaB, `/api/portal/v1/me/consents/${updates.id}/withdraw`, {}, null)).status).toBe(403);
    expect(await count()).toBe(rows);

    const res = await portalPost(t, mariaB, `/api/portal/v1/me/consents/${updates.id}/withdraw`, {});
    expect(res.status).toBe(200);
    const withdrawn = (await res.json()) as any;
    expect(withdrawn).toMatchObject({ id: updates.id, purpose: 'updates', withdrawable: false, withdrawnAt: expect.any(String) });
    // Again: the same withdrawal, nothing new.
    const again = (await (await portalPost(t, mariaB, `/api/portal/v1/me/consents/${updates.id}/withdraw`, {})).json()) as any;
    expect(again.withdrawnAt).toBe(withdrawn.withdrawnAt);
    // The consent's row is kept as it was; the withdrawal is a new decision, dated.
    const kept = await t.ds.query(
      `SELECT granted, source, created_at FROM citizen_consents WHERE ticket_id = $1 AND purpose = 'updates' ORDER BY id`,
      [second.id],
    );
    expect(kept.map((k: any) => [k.granted, k.source])).toEqual([
      [true, 'portal'],
      [false, 'area-personale'],
    ]);
    expect(new Date(kept[1].created_at).toISOString()).toBe(withdrawn.withdrawnAt);
    expect((await getJson(mariaB, '/api/portal/v1/me/consents')).consents.find((c: any) => c.id === updates.id).withdrawnAt).toBe(
      withdrawn.withdrawnAt,
    );

    // Resolving the request: no e-mail any more.
    await resolve(second.id);
    await settled(second.id, 2);
    await new Promise((r) => setTimeout(r, 500));
    expect(mailsAbout(second.reference).filter((d) => (d.parsed.text ?? '').includes('è stata risolta'))).toEqual([]);
  });
});
