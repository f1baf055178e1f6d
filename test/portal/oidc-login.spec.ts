import type { DevIdp } from '../../src/portal/dev-idp/dev-idp.js';
import { DevIdpRefused, startDevIdp } from '../../src/portal/dev-idp/dev-idp.js';
import { TEST_CITIZENS, fiscalCodeCheck } from '../../src/portal/dev-idp/test-citizens.js';
import { login, type TestApp } from '../support/harness.js';
import { appFetch, atGateway, browser, oidcLogin, onApp, portalPost, session, startPortal } from './support.js';

/**
 * SPID/CIE login end to end over HTTP: the real app (openid-client) against the development
 * identity provider (oidc-provider) on loopback, real PostgreSQL and Redis; the browser's part
 * (redirects, the provider's form, cookies) played with fetch.
 */
describe('portal: SPID/CIE login through the OpenID Connect gateway', () => {
  let t: TestApp;
  let idp: DevIdp;
  const maria = TEST_CITIZENS.find((c) => c.id === 'maria-rossi')!;
  const nicola = TEST_CITIZENS.find((c) => c.id === 'nicola-de-santis')!;

  beforeAll(async () => {
    ({ t, idp } = await startPortal());
  });
  afterAll(async () => {
    await t?.close();
    await idp?.stop();
  });

  it('the test citizens have fiscal codes of the right shape', () => {
    for (const c of TEST_CITIZENS) {
      expect(c.fiscalCode).toMatch(/^[A-Z]{6}\d{2}[A-EHLMPRST]\d{2}[A-Z]\d{3}[A-Z]$/);
      expect(c.fiscalCode[15]).toBe(fiscalCodeCheck(c.fiscalCode.slice(0, 15)));
    }
    // The check character of a published example (Agenzia delle Entrate): RSSMRA85T10A562S.
    expect(fiscalCodeCheck('RSSMRA85T10A562')).toBe('S');
  });

  it('SPID: code flow with PKCE, state and nonce → an account with the fiscal code at level 2, session cookie HttpOnly and Lax', async () => {
    const b = browser();
    const anonymous = await session(t, b);
    expect(anonymous).toEqual({ authenticated: false, csrfToken: expect.any(String) });

    const { start, callback } = await oidcLogin(t, idp, b, { method: 'spid', citizenId: maria.id, returnTo: '/bari' });
    const auth = new URL(start.headers.get('location')!);
    expect(auth.origin).toBe(idp.issuer);
    expect(Object.fromEntries(auth.searchParams)).toMatchObject({
      response_type: 'code',
      code_challenge_method: 'S256',
      acr_values: 'https://www.spid.gov.it/SpidL2',
      state: expect.any(String),
      nonce: expect.any(String),
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
    });
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/bari');
    const cookie = b.app.raw.get('sportello_citizen')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/i); // PUBLIC_BASE_URL is http here; https sets it (citizen-guard.spec.ts)

    const s = await session(t, b);
    expect(s).toEqual({
      authenticated: true,
      csrfToken: expect.any(String),
      citizen: {
        id: expect.any(String),
        displayName: 'Maria Rossi',
        givenName: 'Maria',
        familyName: 'Rossi',
        fiscalCode: maria.fiscalCode,
        email: maria.email,
        assurance: 'spid',
        level: 2,
      },
    });
    const [row] = await t.ds.query(`SELECT fiscal_code, assurance, level FROM citizen_accounts WHERE fiscal_code = $1`, [maria.fiscalCode]);
    expect(row).toEqual({ fiscal_code: maria.fiscalCode, assurance: 'spid', level: 2 });
    // The database holds the token's hash, never the cookie itself.
    const stored = await t.ds.query(`SELECT id FROM citizen_sessions`);
    expect(stored.map((r: { id: string }) => r.id)).not.toContain(b.app.cookies.get('sportello_citizen'));
  });

  it('a second login of the same person lands in the same account, with a new session cookie (no fixation)', async () => {
    const b = browser();
    await oidcLogin(t, idp, b, { method: 'spid', citizenId: maria.id });
    const first = b.app.cookies.get('sportello_citizen');
    const id = (await session(t, b)).citizen.id;
    await oidcLogin(t, idp, b, { method: 'spid', citizenId: maria.id });
    expect(b.app.cookies.get('sportello_citizen')).not.toBe(first);
    expect((await session(t, b)).citizen.id).toBe(id);
    // The old cookie is dead.
    const old = browser();
    old.app.cookies.set('sportello_citizen', first!);
    expect((await session(t, old)).authenticated).toBe(false);
    expect(await t.ds.query(`SELECT count(*)::int AS n FROM citizen_accounts WHERE fiscal_code = $1`, [maria.fiscalCode])).toEqual([
      { n: 1 },
    ]);
  });

  it('CIE → assurance cie, level 3, acr_values of the CIE button', async () => {
    const b = browser();
    const { start, callback } = await oidcLogin(t, idp, b, { method: 'cie', citizenId: nicola.id, returnTo: '/area-personale' });
    expect(new URL(start.headers.get('location')!).searchParams.get('acr_values')).toBe('https://www.spid.gov.it/SpidL3');
    expect(callback.headers.get('location')).toBe('/area-personale');
    expect((await session(t, b)).citizen).toMatchObject({
      fiscalCode: nicola.fiscalCode,
      assurance: 'cie',
      level: 3,
      displayName: 'Nicola De Santis',
    });
  });

  it('returnTo is only a path of this site', async () => {
    for (const bad of ['https://evil.example/x', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)']) {
      const b = browser();
      const res = await appFetch(t, b, `/api/portal/v1/auth/oidc/start?method=spid&returnTo=${encodeURIComponent(bad)}`);
      const back = await appFetch(t, b, onApp(await atGateway(idp, b, res.headers.get('location')!, maria.id)));
      expect({ bad, location: back.headers.get('location') }).toEqual({ bad, location: '/' });
    }
  });

  it('a level-1 SPID identity is refused where level 2 was asked', async () => {
    const b = browser();
    const { callback } = await oidcLogin(t, idp, b, { method: 'spid', citizenId: 'angela-loiacono' });
    expect(callback.headers.get('location')).toBe('/accedi?errore=livello_insufficiente');
    expect((await session(t, b)).authenticated).toBe(false);
  });

  it('rejects a wrong or missing state', async () => {
    const b = browser();
    const start = await appFetch(t, b, '/api/portal/v1/auth/oidc/start?method=spid');
    const callbackUrl = await atGateway(idp, b, start.headers.get('location')!, maria.id);
    const u = new URL(callbackUrl);
    u.searchParams.set('state', 'not-the-state-we-sent');
    const wrong = await appFetch(t, b, onApp(u.href));
    expect(wrong.status).toBe(302);
    expect(wrong.headers.get('location')).toBe('/accedi?errore=verifica_fallita');
    expect((await session(t, b)).authenticated).toBe(false);

    const b2 = browser();
    const start2 = await appFetch(t, b2, '/api/portal/v1/auth/oidc/start?method=spid');
    const u2 = new URL(await atGateway(idp, b2, start2.headers.get('location')!, maria.id));
    u2.searchParams.delete('state');
    const missing = await appFetch(t, b2, onApp(u2.href));
    expect(missing.headers.get('location')).toBe('/accedi?errore=verifica_fallita');
    expect((await session(t, b2)).authenticated).toBe(false);

    // A callback in a browser that started no login.
    const b3 = browser();
    const stranger = await appFetch(t, b3, onApp(u2.href));
    expect(stranger.headers.get('location')).toBe('/accedi?errore=sessione_scaduta');
  });

  it('rejects a replayed authorization code (same browser again, and in a new login with its own state)', async () => {
    const b = browser();
    const start = await appFetch(t, b, '/api/portal/v1/auth/oidc/start?method=spid');
    const flowCookie = b.app.cookies.get('sportello_oidc_flow')!;
    const callbackUrl = await atGateway(idp, b, start.headers.get('location')!, maria.id);
    const first = await appFetch(t, b, onApp(callbackUrl));
    expect(first.headers.get('location')).toBe('/');

    // The same response again, with the flow cookie as it was.
    const again = browser();
    again.app.cookies.set('sportello_oidc_flow', flowCookie);
    const replay = await appFetch(t, again, onApp(callbackUrl));
    expect(replay.headers.get('location')).toMatch(/^\/accedi\?errore=/);
    expect((await session(t, again)).authenticated).toBe(false);

    // The used code inside a fresh login's response (state right, code already spent at the gateway).
    const c = browser();
    const s2 = await appFetch(t, c, '/api/portal/v1/auth/oidc/start?method=spid');
    const state = new URL(s2.headers.get('location')!).searchParams.get('state')!;
    const forged = new URL(callbackUrl);
    forged.searchParams.set('state', state);
    const res = await appFetch(t, c, onApp(forged.href));
    expect(res.headers.get('location')).toBe('/accedi?errore=verifica_fallita');
    expect((await session(t, c)).authenticated).toBe(false);
  });

  it("logout answers the gateway's end-session URL (id_token_hint, post_logout_redirect_uri) and ends the session", async () => {
    const b = browser();
    await oidcLogin(t, idp, b, { method: 'spid', citizenId: maria.id });
    const cookie = b.app.cookies.get('sportello_citizen')!;
    const res = await portalPost(t, b, '/api/portal/v1/auth/logout', {});
    expect(res.status).toBe(200);
    const { redirectTo } = (await res.json()) as { redirectTo: string };
    const u = new URL(redirectTo);
    expect(`${u.origin}${u.pathname}`).toBe(`${idp.issuer}/session/end`);
    expect(u.searchParams.get('id_token_hint')).toMatch(/^ey/);
    expect(u.searchParams.get('post_logout_redirect_uri')).toBe('http://localhost:3000/');
    expect((await session(t, b)).authenticated).toBe(false);
    const stale = browser();
    stale.app.cookies.set('sportello_citizen', cookie);
    expect((await session(t, stale)).authenticated).toBe(false);
    // The gateway accepts the URL (its logout confirmation page).
    const atIdp = await fetch(redirectTo, { headers: { cookie: b.idp.header() }, redirect: 'manual' });
    expect(atIdp.status).toBe(200);
  });

  it('CSRF: a state-changing request without the token, or with another session’s, is refused with 403', async () => {
    const b = browser();
    await oidcLogin(t, idp, b, { method: 'spid', citizenId: maria.id });
    const missing = await portalPost(t, b, '/api/portal/v1/auth/logout', {}, null);
    expect(missing.status).toBe(403);
    expect((await missing.json()) as object).toMatchObject({ code: 'csrf', message: expect.stringContaining('X-CSRF-Token') });
    const other = browser();
    const foreign = (await session(t, other)).csrfToken;
    const wrong = await portalPost(t, b, '/api/portal/v1/auth/logout', {}, foreign);
    expect(wrong.status).toBe(403);
    expect((await session(t, b)).authenticated).toBe(true);
    const right = await portalPost(t, b, '/api/portal/v1/auth/logout', {});
    expect(right.status).toBe(200);
  });

  it('keeps staff and citizens apart: a staff token is no citizen session, a citizen cookie opens no staff route', async () => {
    const b = browser();
    await oidcLogin(t, idp, b, { method: 'spid', citizenId: maria.id });
    const staff = await login(t, 'operatore@bari.demo');
    const asStaff = await fetch(`${t.url}/api/portal/v1/session`, { headers: { authorization: `Bearer ${staff}` } });
    expect(((await asStaff.json()) as { authenticated: boolean }).authenticated).toBe(false);
    const me = await fetch(`${t.url}/api/me`, { headers: { cookie: b.app.header() } });
    expect(me.status).toBe(401);
    const tickets = await fetch(`${t.url}/api/tickets`, { headers: { cookie: b.app.header() } });
    expect(tickets.status).toBe(401);
    // The citizen's cookie value as a bearer token is no operator token either.
    const bearer = await fetch(`${t.url}/api/me`, { headers: { authorization: `Bearer ${b.app.cookies.get('sportello_citizen')}` } });
    expect(bearer.status).toBe(401);
  });

  it('the method is validated, in Italian, naming the field', async () => {
    const res = await appFetch(t, browser(), '/api/portal/v1/auth/oidc/start?method=facebook');
    expect(res.status).toBe(400);
    expect((await res.json()) as object).toMatchObject({ fields: [{ field: 'method', message: 'deve essere spid oppure cie' }] });
  });
});

describe('portal: the development identity provider', () => {
  it('refuses to start with NODE_ENV=production', async () => {
    await expect(startDevIdp({ nodeEnv: 'production', clients: [] })).rejects.toBeInstanceOf(DevIdpRefused);
    await expect(startDevIdp({ nodeEnv: 'production', clients: [] })).rejects.toThrow(/NODE_ENV=production/);
    // …and does start otherwise (so the refusal above is the check, not a broken provider).
    const idp = await startDevIdp({ nodeEnv: 'development', clients: [] });
    const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    expect(((await res.json()) as { issuer: string }).issuer).toBe(idp.issuer);
    await idp.stop();
  });
});
