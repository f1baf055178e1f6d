/**
 * What the analytics API answers as JSON (a type-only module: docs/architecture.md, "API types");
 * `format=csv` answers the same rows as CSV.
 */

/** Calendar days (YYYY-MM-DD, Europe/Rome), both included. */
export interface ReportPeriod {
  from: string;
  to: string;
}

/** The one dimension a period report is filtered on (`groupId`, `channel`, …), if any. */
export interface ReportFilter {
  dim: string;
  key: string;
}

/** A period report: one row per key of the breakdown (`none`, `comune`, `day`, `group`, …). */
export interface PeriodReport<Row> {
  period: ReportPeriod;
  breakdown: string;
  filter: ReportFilter | null;
  rows: Row[];
}

/** `GET /api/analytics/live`: the tiles of the live board. */
export interface LiveBoard {
  at: string;
  open: number;
  waitingCitizen: number;
  unassigned: number;
  oldestWaitSeconds: number | null;
  onlineOperators: number;
  slaAtRisk: number;
  slaBreached: number;
}

/** `GET /api/analytics/backlog`: open tickets by group (`groupId` null: not routed yet). */
export interface BacklogRow {
  comuneId: number;
  groupId: number | null;
  group: string;
  open: number;
  unassigned: number;
  waitingCitizen: number;
  oldestWaitSeconds: number | null;
}
export interface Backlog {
  rows: BacklogRow[];
}

/** One response-time metric of a row: counts, averages and percentiles, wall clock and business time. */
export interface MetricSummary {
  count: number;
  breached: number;
  avgWallSeconds: number | null;
  avgBusinessSeconds: number | null;
  p50WallSeconds: number | null;
  p90WallSeconds: number | null;
  p50BusinessSeconds: number | null;
  p90BusinessSeconds: number | null;
}

/** `GET /api/analytics/response-times`. */
export interface ResponseTimeRow {
  key: string;
  label: string;
  firstResponse: MetricSummary;
  nextResponse: MetricSummary;
  resolution: MetricSummary;
}
export type ResponseTimes = PeriodReport<ResponseTimeRow>;

/** `GET /api/analytics/volumes`. */
export interface VolumeRow {
  key: string;
  label: string;
  created: number;
  messagesIn: number;
  reopened: number;
  resolved: number;
}
export interface HourVolume {
  /** 0–23, Europe/Rome. */
  hour: number;
  created: number;
}
export interface Volumes extends PeriodReport<VolumeRow> {
  byHourOfDay: HourVolume[];
}
/** `GET /api/analytics/volumes/by-hour`. */
export interface VolumesByHour {
  period: ReportPeriod;
  rows: HourVolume[];
}

/** `GET /api/analytics/csat`: rows with at least one answer. */
export interface CsatRow {
  key: string;
  label: string;
  responses: number;
  /** 1–5, two decimals. */
  average: number;
  rating1: number;
  rating2: number;
  rating3: number;
  rating4: number;
  rating5: number;
}
export type Csat = PeriodReport<CsatRow>;

/** `GET /api/analytics/map`: reports by area (cells of `cellSizeDegrees`) and category. */
export interface MapCell {
  comuneId: number;
  lat: number;
  lng: number;
  category: string;
  count: number;
}
export interface AreaMapReport {
  period: ReportPeriod;
  cellSizeDegrees: number;
  rows: MapCell[];
}

/**
 * `GET /api/analytics/drilldown`: the tickets behind a number. For `metric=created` a ticket
 * (`createdAt`, `status`); for a response-time metric a measured sample (`day`, times, `breached`).
 */
export interface DrilldownRow {
  ticketId: string;
  reference: string;
  comuneId: number;
  groupId: number | null;
  operatorId: number | null;
  channel: string;
  type: string;
  category: string | null;
  priority: string;
  createdAt?: string;
  status?: string;
  day?: string;
  startedAt?: string;
  endedAt?: string;
  wallSeconds?: number;
  businessSeconds?: number;
  breached?: boolean;
}
export interface Drilldown {
  period: ReportPeriod;
  metric: string;
  filter: ReportFilter | null;
  rows: DrilldownRow[];
}

/** `GET /api/analytics/comuni`: the comuni the caller's reports may cover. */
export interface AnalyticsComune {
  id: number;
  name: string;
  slug: string;
  istatCode: string;
}
