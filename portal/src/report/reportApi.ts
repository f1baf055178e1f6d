import type { PortalComuneMap } from '@server/portal/portal.api';
import type {
  CaseCredentials,
  CaseView,
  FollowResponse,
  NearbyResponse,
  PortalCategoriesResponse,
  RatingRequest,
  ReplyRequest,
  ReplyResponse,
  SubmissionResponse,
} from '@server/portal/reports/reports.api';
import { getSession, HttpError, request } from '../api';

const comune = (slug: string) => `/api/portal/v1/comuni/${encodeURIComponent(slug)}`;

/** The reports and requests API of the portal (src/portal/reports/reports.controller.ts). */
export const reportApi = {
  categories: (slug: string) => request<PortalCategoriesResponse>('GET', `${comune(slug)}/report-categories`),
  map: (slug: string) => request<PortalComuneMap>('GET', `${comune(slug)}/map`),
  nearby: (slug: string, p: { lat: number; lon: number; category: string }) =>
    request<NearbyResponse>(
      'GET',
      `${comune(slug)}/reports/nearby?${new URLSearchParams({ lat: String(p.lat), lon: String(p.lon), category: p.category })}`,
    ),
  lookup: (c: CaseCredentials) => request<CaseView>('POST', '/api/portal/v1/cases/lookup', c),
  reply: (b: ReplyRequest) => request<ReplyResponse>('POST', '/api/portal/v1/cases/reply', b),
  rate: (b: RatingRequest) => request<void>('POST', '/api/portal/v1/cases/rating', b),
  follow: (reference: string, email: string) =>
    request<FollowResponse>('POST', `/api/portal/v1/reports/${encodeURIComponent(reference)}/follow`, { email, consent: true }),
  unfollow: (token: string) => request<void>('POST', '/api/portal/v1/followers/unfollow', { token }),

  /**
   * The form as multipart/form-data (files as they are, no base64), with the session's CSRF token:
   * a logged-in citizen's submission is linked to the account, an anonymous one stays anonymous.
   */
  async submit(slug: string, kind: 'report' | 'request', fields: Record<string, string>, files: { photos: File[]; documents: File[] }) {
    const body = new FormData();
    for (const [k, v] of Object.entries(fields)) if (v !== '') body.append(k, v);
    for (const f of files.photos) body.append('photos', f, f.name);
    for (const f of files.documents) body.append('documents', f, f.name);
    const token = (await getSession().catch(() => null))?.csrfToken;
    const res = await fetch(`${comune(slug)}/${kind === 'report' ? 'reports' : 'requests'}`, {
      method: 'POST',
      headers: { Accept: 'application/json', ...(token ? { 'X-CSRF-Token': token } : {}) },
      credentials: 'same-origin',
      body,
    });
    const text = await res.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    if (!res.ok) throw new HttpError(res.status, data ?? {}, Number(res.headers.get('Retry-After')) || null);
    return data as SubmissionResponse;
  },
};
