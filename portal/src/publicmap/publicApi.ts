import type { PortalComuneMap } from '@server/portal/portal.api';
import type {
  MapResponse,
  PortalCategoriesResponse,
  PublicState,
  ReportListResponse,
  StateFilter,
} from '@server/portal/reports/reports.api';
import { request } from '../api';

/** The public map's calls: the comune's boundary, its report categories, the reports on the map and in the list. */
const base = (slug: string) => `/api/portal/v1/comuni/${encodeURIComponent(slug)}`;

export const publicApi = {
  comuneMap: (slug: string) => request<PortalComuneMap>('GET', `${base(slug)}/map`),
  categories: (slug: string) => request<PortalCategoriesResponse>('GET', `${base(slug)}/report-categories`),
  map: (slug: string, filters: string) => request<MapResponse>('GET', `${base(slug)}/reports/map?${filters}`),
  list: (slug: string, filters: string, page: number) =>
    request<ReportListResponse>('GET', `${base(slug)}/reports?${filters}&page=${page}&pageSize=${PAGE_SIZE}`),
};

export const PAGE_SIZE = 20;

/** The state filter as the address bar shows it (Italian words), and as the API takes it. */
export const STATE_PARAMS = { aperte: 'received', 'in-lavorazione': 'in_progress', risolte: 'resolved' } as const satisfies Record<
  string,
  StateFilter
>;
export type StateParam = keyof typeof STATE_PARAMS;

/** The period filter: the last so many days. */
export const PERIODS = ['7', '30', '90', '365'] as const;
export type Period = (typeof PERIODS)[number];

export interface Filters {
  category: string;
  state: StateParam | '';
  period: Period | '';
}

/** The API's query for the filters (every state but closed when none is chosen). */
export function filterQuery(f: Filters, today = new Date()): string {
  const q = new URLSearchParams({ state: f.state ? STATE_PARAMS[f.state] : 'all' });
  if (f.category) q.set('category', f.category);
  if (f.period) q.set('since', new Date(today.getTime() - Number(f.period) * 86_400_000).toISOString().slice(0, 10));
  return q.toString();
}

/** A marker's colour and shape by state: the legend shows the same. Colours keep 4.5:1 with the white glyph. */
export const STATE_STYLE: Record<PublicState, { color: string; glyph: string }> = {
  received: { color: '#0066cc', glyph: '!' },
  in_progress: { color: '#8a4b00', glyph: '…' },
  resolved: { color: '#00794d', glyph: '✓' },
  closed: { color: '#5c6f82', glyph: '×' },
};
