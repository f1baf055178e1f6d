/** The REST API of Sportello, as the console uses it. The access token lives in this tab's session. */
export interface Principal {
  operatorId: number;
  comuneId: number | null;
  role: 'operator' | 'supervisor' | 'manager' | 'metro_admin';
  groupIds: number[];
  name: string;
}

export interface TicketSummary {
  id: string;
  reference: string;
  comuneId: number;
  type: string;
  category: string | null;
  priority: string;
  status: string;
  queueState: string;
  subject: string | null;
  channel: string;
  groupId: number | null;
  assigneeId: number | null;
  offeredToId: number | null;
  offerExpiresAt: string | null;
  waitingSince: string | null;
  createdAt: string;
  lastMessageAt: string;
  location: { lat: number; lng: number } | null;
}
export interface Attachment {
  id: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
  url: string;
}
export interface MessageView {
  id: string;
  ticketId: string;
  direction: 'inbound' | 'outbound';
  authorType: string;
  authorOperatorId: number | null;
  internal: boolean;
  text: string | null;
  channel: string;
  deliveryStatus: string;
  deliveryError: string | null;
  recipient?: string | null;
  createdAt: string;
  attachments: Attachment[];
  /** A PEC envelope: was the provider's signature verified against the configured certificates? */
  pecSignature?: 'verified' | 'not_verified' | 'invalid';
}
export interface TicketDetail extends TicketSummary {
  citizen: { id: string; displayName: string | null; identities: Array<{ channel: string; address: string; displayName: string | null }> };
  messages: MessageView[];
  firstResponseAt: string | null;
  resolvedAt: string | null;
}
export interface OperatorRow {
  id: number;
  comuneId: number;
  name: string;
  email: string;
  role: string;
  capacity: number;
  presence: string;
  groupIds: number[];
  load: number;
}
export interface GroupRow {
  id: number;
  comuneId: number;
  code: string;
  name: string;
  nameEn: string;
  isDefault: boolean;
  queued: number;
  oldestWaitingSince: string | null;
}
export interface CannedResponse {
  id: number;
  comuneId: number;
  groupId: number;
  shortcut: string;
  title: string;
  body: string;
}
export interface TicketEvent {
  id: string;
  type: string;
  actorType: string;
  actorOperatorId: number | null;
  data: Record<string, unknown>;
  createdAt: string;
}
export interface Consent {
  granted: boolean;
  source: string;
  recordedAt: string;
}
export interface CitizenPanel {
  id: string;
  displayName: string | null;
  identities: Array<{ channel: string; address: string; displayName: string | null }>;
  contacts: Array<{ contact: string; givenAt: string }>;
  consent: { privacy: Consent | null; updates: Consent | null };
  tickets: TicketSummary[];
}

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
