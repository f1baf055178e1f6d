import type {
  ApiError,
  CatalogueResponse,
  EmailStartRequest,
  EmailVerifyRequest,
  LoginMethod,
  LogoutResponse,
  PortalComune,
  PortalSession,
} from '@server/portal/portal.api';
import type { MyCaseDetail, MyCasesResponse, MyReplyRequest, MyReplyResponse } from '@server/portal/mine/mine.api';

/** The portal's API client: same origin, cookies for the session, the CSRF token on every write. */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Partial<ApiError>,
    readonly retryAfter: number | null = null,
  ) {
    super(body.message ?? `HTTP ${status}`);
  }
}

export async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') {
    const token = csrfToken ?? (await getSession().catch(() => null))?.csrfToken;
    if (token) headers['X-CSRF-Token'] = token;
  }
  const res = await fetch(url, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const data: unknown = text ? safeJson(text) : undefined;
  if (!res.ok) {
    const err = new HttpError(res.status, data ?? {}, Number(res.headers.get('Retry-After')) || null);
    if (res.status === 401 && err.body.code === 'login_required') {
      location.assign(`/accedi?returnTo=${encodeURIComponent(location.pathname + location.search)}`);
    }
    throw err;
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

let csrfToken: string | null = null;

export async function getSession(): Promise<PortalSession> {
  const s = await request<PortalSession>('GET', '/api/portal/v1/session');
  if (!s || typeof s.authenticated !== 'boolean') throw new HttpError(502, { message: 'unexpected session answer' });
  csrfToken = s.csrfToken;
  return s;
}

export const api = {
  comuni: () => request<PortalComune[]>('GET', '/api/portal/v1/comuni'),
  comune: (slug: string) => request<PortalComune>('GET', `/api/portal/v1/comuni/${encodeURIComponent(slug)}`),
  services: (slug: string, p: { q?: string; area?: string; sort?: string; lang: string }) => {
    const qs = new URLSearchParams(Object.entries(p).filter((e): e is [string, string] => Boolean(e[1])));
    return request<CatalogueResponse>('GET', `/api/portal/v1/comuni/${encodeURIComponent(slug)}/services?${qs}`);
  },
  emailStart: (b: EmailStartRequest) => request<void>('POST', '/api/portal/v1/auth/email/start', b),
  emailVerify: (b: EmailVerifyRequest) => request<PortalSession>('POST', '/api/portal/v1/auth/email/verify', b),
  logout: () => request<LogoutResponse>('POST', '/api/portal/v1/auth/logout'),
  myCases: () => request<MyCasesResponse>('GET', '/api/portal/v1/me/cases'),
  myCase: (reference: string) => request<MyCaseDetail>('GET', `/api/portal/v1/me/cases/${encodeURIComponent(reference)}`),
  myReply: (reference: string, b: MyReplyRequest) =>
    request<MyReplyResponse>('POST', `/api/portal/v1/me/cases/${encodeURIComponent(reference)}/messages`, b),
};

/** Where the SPID and CIE buttons go: the identity gateway's start, coming back to `returnTo`. */
export function oidcStartUrl(method: LoginMethod, returnTo: string): string {
  return `/api/portal/v1/auth/oidc/start?${new URLSearchParams({ method, returnTo: safeReturnTo(returnTo) })}`;
}

/** A path of this site only (never another origin, never a protocol-relative "//host"). */
export function safeReturnTo(value: string | null | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/area-personale';
  return value;
}
