import { Controller, Get, Module, Post, type DynamicModule } from '@nestjs/common';
import { startDevIdp, type DevIdp } from '../../src/portal/dev-idp/dev-idp.js';
import { TEST_CITIZENS } from '../../src/portal/dev-idp/test-citizens.js';
import { CitizenAuth, CurrentCitizen, type Citizen } from '../../src/portal/identity/citizen-auth.js';
import { CitizenAuthModule } from '../../src/portal/identity/portal-identity.module.js';
import { startApp, type TestApp } from '../support/harness.js';
import { startSmtpSink, type SmtpSink } from '../channels/email/mail-standins.js';
import { appFetch, atGateway, browser, CLIENT, session, type Browser } from './support.js';

/** A portal module as the other portal work will write one: routes asking each level of assurance. */
@Controller('api/portal/v1/test-levels')
class LevelsController {
  @CitizenAuth({ assurance: 'email' })
  @Get('email')
  email(@CurrentCitizen() c: Citizen) {
    return { id: c.id, assurance: c.assurance };
  }

  @CitizenAuth({ assurance: 'spid' })
  @Get('spid')
  spid(@CurrentCitizen() c: Citizen) {
    return { id: c.id, level: c.level };
  }

  @CitizenAuth({ assurance: 'cie' })
  @Get('cie')
  cie(@CurrentCitizen() c: Citizen) {
    return { id: c.id, level: c.level };
  }

  @CitizenAuth({ assurance: 'email' })
  @Post('sign')
  sign() {
    return { ok: true };
  }
}
@Module({ imports: [CitizenAuthModule], controllers: [LevelsController] })
class LevelsModule {}
const levels: DynamicModule = { module: LevelsModule };

const BASE = 'https://portale.example.it';

/**
 * The guard other portal modules use (`@CitizenAuth`), behind an https PUBLIC_BASE_URL (Secure
 * cookies), with sessions that end when idle or old; and an account folded into an existing SPID one.
 */
describe('portal: @CitizenAuth, cookie flags over https, session expiry', () => {
  let t: TestApp;
  let idp: DevIdp;
  let sink: SmtpSink;
  let ip = 1;
  const maria = TEST_CITIZENS.find((c) => c.id === 'maria-rossi')!;
  const nicola = TEST_CITIZENS.find((c) => c.id === 'nicola-de-santis')!;

  beforeAll(async () => {
    sink = await startSmtpSink();
    idp = await startDevIdp({
      nodeEnv: 'test',
      clients: [{ ...CLIENT, redirectUris: [`${BASE}/api/portal/v1/auth/oidc/callback`], postLogoutRedirectUris: [`${BASE}/`] }],
    });
    t = await startApp(
      {
        PUBLIC_BASE_URL: BASE,
        PORTAL_OIDC_ISSUER: idp.issuer,
        PORTAL_OIDC_CLIENT_ID: CLIENT.clientId,
        PORTAL_OIDC_CLIENT_SECRET: CLIENT.clientSecret,
        PORTAL_MAIL_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      },
      undefined,
      [levels],
    );
  });
  afterAll(async () => {
    await t?.close();
    await idp?.stop();
    await sink?.close();
  });

  async function spidLogin(b: Browser, citizenId: string, method: 'spid' | 'cie' = 'spid') {
    const start = await appFetch(t, b, `/api/portal/v1/auth/oidc/start?method=${method}`);
    // The gateway sends the browser to PUBLIC_BASE_URL (https://portale.example.it): the test app stands in for it.
    const u = new URL(await atGateway(idp, b, start.headers.get('location')!, citizenId, `${BASE}/api/portal/v1/auth/oidc/callback`));
    return appFetch(t, b, `${u.pathname}${u.search}`);
  }

  async function emailLogin(b: Browser, email: string) {
    const h = { 'x-forwarded-for': `198.51.100.${ip++}` };
    const csrf = (await session(t, b)).csrfToken as string;
    const post = (path: string, body: object) =>
      appFetch(t, b, path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, ...h },
        body: JSON.stringify(body),
      });
    const before = sink.deliveries.length;
    expect((await post('/api/portal/v1/auth/email/start', { email })).status).toBe(202);
    const mail = await sink.waitFor((d) => d.rcpt.includes(email) && sink.deliveries.indexOf(d) >= before);
    const code = /\b(\d{6})\b/.exec(mail.parsed.text ?? '')![1];
    const res = await post('/api/portal/v1/auth/email/verify', { email, code });
    expect(res.status).toBe(200);
    return ((await res.json()) as { citizen: Citizen }).citizen;
  }

  it('sets the cookies Secure when the public address is https', async () => {
    const b = browser();
    await session(t, b);
    expect(b.app.raw.get('sportello_citizen_csrf')).toMatch(/;\s*Secure/i);
    await emailLogin(b, 'sicura@example.it');
    const cookie = b.app.raw.get('sportello_citizen')!;
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });

  it('401 login_required without a session; 403 naming the level when the session proved less', async () => {
    const anon = await appFetch(t, browser(), '/api/portal/v1/test-levels/email');
    expect(anon.status).toBe(401);
    expect(await anon.json()).toMatchObject({ code: 'login_required' });

    const b = browser();
    const citizen = await emailLogin(b, 'livelli@example.it');
    expect(await (await appFetch(t, b, '/api/portal/v1/test-levels/email')).json()).toEqual({ id: citizen.id, assurance: 'email' });
    const spid = await appFetch(t, b, '/api/portal/v1/test-levels/spid');
    expect(spid.status).toBe(403);
    expect(await spid.json()).toMatchObject({ code: 'assurance_required', assurance: 'spid', message: expect.stringContaining('SPID') });

    const m = browser();
    expect((await spidLogin(m, maria.id)).status).toBe(302);
    expect(await (await appFetch(t, m, '/api/portal/v1/test-levels/spid')).json()).toMatchObject({ level: 2 });
    const cie = await appFetch(t, m, '/api/portal/v1/test-levels/cie');
    expect(cie.status).toBe(403);
    expect(await cie.json()).toMatchObject({ code: 'assurance_required', assurance: 'cie' });

    const n = browser();
    await spidLogin(n, nicola.id, 'cie');
    expect(await (await appFetch(t, n, '/api/portal/v1/test-levels/cie')).json()).toMatchObject({ level: 3 });

    // A state-changing route of another module gets the CSRF check from the same decorator.
    const noToken = await appFetch(t, n, '/api/portal/v1/test-levels/sign', { method: 'POST' });
    expect(noToken.status).toBe(403);
    const withToken = await appFetch(t, n, '/api/portal/v1/test-levels/sign', {
      method: 'POST',
      headers: { 'x-csrf-token': (await session(t, n)).csrfToken },
    });
    expect(withToken.status).toBe(201);
  });

  it('ends a session left idle too long, and one past its absolute end', async () => {
    const idle = browser();
    await emailLogin(idle, 'inattiva@example.it');
    expect((await session(t, idle)).authenticated).toBe(true);
    await t.ds.query(`UPDATE citizen_sessions SET last_seen_at = now() - interval '31 minutes'`);
    expect((await session(t, idle)).authenticated).toBe(false);

    const old = browser();
    await emailLogin(old, 'vecchia@example.it');
    expect((await session(t, old)).authenticated).toBe(true);
    await t.ds.query(`UPDATE citizen_sessions SET expires_at = now() - interval '1 second'`);
    expect((await appFetch(t, old, '/api/portal/v1/test-levels/email')).status).toBe(401);
  });

  it('an e-mail session completing the login of an existing CIE account is folded into it (its e-mail key moves, the e-mail account goes)', async () => {
    const first = browser();
    await spidLogin(first, nicola.id, 'cie');
    const verified = (await session(t, first)).citizen.id as string;

    const b = browser();
    const byEmail = await emailLogin(b, 'nicola.casa@example.it');
    expect(byEmail.id).not.toBe(verified);
    await spidLogin(b, nicola.id, 'cie');
    expect((await session(t, b)).citizen).toMatchObject({ id: verified, assurance: 'cie', level: 3 });
    expect(await t.ds.query(`SELECT count(*)::int AS n FROM citizen_accounts WHERE id = $1`, [byEmail.id])).toEqual([{ n: 0 }]);
    expect(await t.ds.query(`SELECT email_key FROM citizen_accounts WHERE id = $1`, [verified])).toEqual([
      { email_key: 'nicola.casa@example.it' },
    ]);
  });
});
