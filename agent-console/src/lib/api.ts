/**
 * The REST API of Sportello, as the console uses it. The access token lives in this tab's session.
 * The shapes it answers are the server's own (its type-only `.api.ts` modules), imported as types only.
 */
export type { LoginResponse, Principal } from '@server/auth/auth.api';
export type { AttachmentView, MessageView, TicketDetail, TicketEvent, TicketSummary } from '@server/tickets/tickets.api';
export type { GroupRow, OperatorRow } from '@server/operators/operators.api';
export type {
  CannedResponse,
  CitizenPanel,
  ComuneBoundaries,
  ComuneBoundary,
  ConsentView,
  CounterTicketCreated,
  MapConfig,
} from '@server/console/console.api';
export type * as Analytics from '@server/analytics/analytics.api';
export type { ChannelAccountView } from '@server/channels/accounts/channel-accounts.api';
export type { PairingView } from '@server/channels/whatsapp-web/whatsapp-web.api';
export type { SlaAlert } from '@server/realtime/events.api';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: Array<{ field: string; message: string }> = [],
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'sportello.token';

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  // Images in the thread (plain <img> tags) and the queue dashboard read the session cookie, which the
  // server sets HttpOnly at login and clears at logout: this code never writes it.
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
    void fetch('/api/auth/logout', { method: 'POST' }).catch(() => undefined);
  }
}

let onUnauthorized: () => void = () => undefined;
export function whenUnauthorized(fn: () => void): void {
  onUnauthorized = fn;
}

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; query?: Record<string, string | number | boolean | undefined> } = {},
): Promise<T> {
  const qs = init.query
    ? `?${new URLSearchParams(
        Object.entries(init.query)
          .filter(([, v]) => v !== undefined && v !== '')
          .map(([k, v]) => [k, String(v)]),
      )}`
    : '';
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${path}${qs}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    if (res.status === 401 && path !== '/api/auth/login') onUnauthorized();
    const message = Array.isArray(data?.message) ? data.message.join('; ') : (data?.message ?? res.statusText);
    throw new ApiError(res.status, message, data?.fields ?? []);
  }
  return data as T;
}
