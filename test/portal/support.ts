import { startDevIdp, type DevIdp } from '../../src/portal/dev-idp/dev-idp.js';
import { startApp, type TestApp } from '../support/harness.js';

/** The redirect URI the app derives from PUBLIC_BASE_URL (the default: http://localhost:3000). */
export const PUBLIC_BASE = 'http://localhost:3000';
export const CALLBACK = `${PUBLIC_BASE}/api/portal/v1/auth/oidc/callback`;
export const CLIENT = { clientId: 'sportello-test', clientSecret: 'sportello-test-secret-0123456789abcdef' };

/** A cookie jar for one site, as a browser keeps it (names only: paths are not needed here). */
export class Jar {
  readonly cookies = new Map<string, string>();
  /** The raw Set-Cookie lines of the last response that set each cookie. */
  readonly raw = new Map<string, string>();

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      this.raw.set(name, line);
      if (!value || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export interface Browser {
  app: Jar;
  idp: Jar;
}

export const browser = (): Browser => ({ app: new Jar(), idp: new Jar() });

export async function startPortal(env: Record<string, string> = {}): Promise<{ t: TestApp; idp: DevIdp }> {
  const idp = await startDevIdp({
    nodeEnv: 'test',
    clients: [{ ...CLIENT, redirectUris: [CALLBACK], postLogoutRedirectUris: [`${PUBLIC_BASE}/`] }],
  });
  const t = await startApp({
    PORTAL_OIDC_ISSUER: idp.issuer,
    PORTAL_OIDC_CLIENT_ID: CLIENT.clientId,
    PORTAL_OIDC_CLIENT_SECRET: CLIENT.clientSecret,
    ...env,
  });
  return { t, idp };
}

/** A request of the browser to the app (cookies sent and kept, redirects not followed). */
export async function appFetch(t: TestApp, b: Browser, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (b.app.cookies.size) headers.set('cookie', b.app.header());
  const res = await fetch(`${t.url}${path}`, { ...init, headers, redirect: 'manual' });
  b.app.store(res);
  return res;
}

/** The app's address for a URL the gateway redirected to (PUBLIC_BASE_URL is not where the test app listens). */
export const onApp = (location: string) => {
  const u = new URL(location);
  return `${u.pathname}${u.search}`;
};

async function idpFetch(b: Browser, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (b.idp.cookies.size) headers.set('cookie', b.idp.header());
  const res = await fetch(url, { ...init, headers, redirect: 'manual' });
  b.idp.store(res);
  return res;
}

/**
 * The browser at the gateway: follows its redirects from `url`, submits the interaction form for
 * `citizenId`, and stops at the redirect back to the app. Returns that callback URL (at PUBLIC_BASE).
 */
export async function atGateway(idp: DevIdp, b: Browser, url: string, citizenId: string, callback = CALLBACK): Promise<string> {
  let res = await idpFetch(b, url);
  let hops = 0;
  let submitted = false;
  for (;;) {
    if (++hops > 15) throw new Error('too many redirects at the gateway');
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location')!, idp.issuer).href;
      if (next.startsWith(callback)) return next;
      res = await idpFetch(b, next);
      continue;
    }
    const html = await res.text();
    if (res.status !== 200 || submitted) throw new Error(`gateway answered ${res.status}: ${html.slice(0, 300)}`);
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no interaction form: ${html.slice(0, 300)}`);
    expect(html).toContain(`value="${citizenId}"`);
    submitted = true;
    res = await idpFetch(b, new URL(action, idp.issuer).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ cittadino: citizenId, azione: 'accedi' }).toString(),
    });
  }
}

/** The whole SPID/CIE login of a browser: start, gateway, callback. Returns the callback's answer. */
export async function oidcLogin(
  t: TestApp,
  idp: DevIdp,
  b: Browser,
  opts: { method: 'spid' | 'cie'; citizenId: string; returnTo?: string },
): Promise<{ start: Response; callbackUrl: string; callback: Response }> {
  const start = await appFetch(
    t,
    b,
    `/api/portal/v1/auth/oidc/start?method=${opts.method}&returnTo=${encodeURIComponent(opts.returnTo ?? '/bari')}`,
  );
  expect(start.status).toBe(302);
  const callbackUrl = await atGateway(idp, b, start.headers.get('location')!, opts.citizenId);
  const callback = await appFetch(t, b, onApp(callbackUrl));
  return { start, callbackUrl, callback };
}

export async function session(t: TestApp, b: Browser): Promise<any> {
  const res = await appFetch(t, b, '/api/portal/v1/session');
  expect(res.status).toBe(200);
  return res.json();
}

/** A state-changing call with the session's CSRF token (unless `csrf` says otherwise). */
export async function portalPost(
  t: TestApp,
  b: Browser,
  path: string,
  body: unknown,
  csrf?: string | null,
  headers: Record<string, string> = {},
) {
  const token = csrf === undefined ? (await session(t, b)).csrfToken : csrf;
  return appFetch(t, b, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token !== null ? { 'x-csrf-token': token } : {}), ...headers },
    body: JSON.stringify(body),
  });
}
