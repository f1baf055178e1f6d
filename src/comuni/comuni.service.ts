import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Comune } from './comune.entity.js';
import { CompetenceGroup } from './competence-group.entity.js';
import { DEFAULT_OPENING_HOURS, type BusinessCalendar } from './business-calendar.js';
import { InScope } from '../tenancy/db-scope.js';
import { TenantScope } from '../common/tenant-scope.js';
import type { BoundaryGeometry } from './comuni.api.js';

/** The calendar of a comune that has not set its own: the usual URP hours, national holidays. */
export const DEFAULT_CALENDAR: BusinessCalendar = {
  timezone: 'Europe/Rome',
  openingHours: DEFAULT_OPENING_HOURS,
  nationalHolidays: true,
  patronDay: null,
  closures: [],
};

/** Lookups of comuni and their groups. Comuni and groups change rarely: kept in a short cache. */
@Injectable()
export class ComuniService {
  private bySlugCache = new Map<string, { comune: Comune | null; at: number }>();
  private calendarCache = new Map<number, { value: BusinessCalendar; at: number }>();
  private static readonly TTL_MS = 30_000;

  constructor(private readonly ds: DataSource) {}

  async list(): Promise<Comune[]> {
    return this.ds.getRepository(Comune).find({ order: { name: 'ASC' } });
  }

  async findBySlug(slug: string): Promise<Comune | null> {
    const hit = this.bySlugCache.get(slug);
    if (hit && Date.now() - hit.at < ComuniService.TTL_MS) return hit.comune;
    const comune = await this.ds.getRepository(Comune).findOne({ where: { slug } });
    this.bySlugCache.set(slug, { comune, at: Date.now() });
    return comune;
  }

  async getBySlug(slug: string): Promise<Comune> {
    const c = await this.findBySlug(slug);
    if (!c) throw new NotFoundException(`unknown comune "${slug}"`);
    return c;
  }

  async getById(id: number): Promise<Comune> {
    const c = await this.ds.getRepository(Comune).findOne({ where: { id } });
    if (!c) throw new NotFoundException(`unknown comune ${id}`);
    return c;
  }

  /**
   * The comune's boundary as GeoJSON, simplified to ~50 m (a few hundred points: enough to draw,
   * small enough to send to a phone), or null when none was imported. Boundaries © ISTAT, CC-BY 4.0.
   */
  async boundary(comuneId: number): Promise<{ name: string; geometry: BoundaryGeometry; center: { lat: number; lng: number } } | null> {
    const [row]: Array<{ name: string; geojson: string; lat: number; lng: number }> = await this.ds.query(
      `SELECT name, ST_AsGeoJSON(ST_SimplifyPreserveTopology(boundary, 0.0005), 5) AS geojson,
              ST_Y(ST_PointOnSurface(boundary)) AS lat, ST_X(ST_PointOnSurface(boundary)) AS lng
         FROM comuni WHERE id = $1 AND boundary IS NOT NULL`,
      [comuneId],
    );
    return row ? { name: row.name, geometry: JSON.parse(row.geojson) as BoundaryGeometry, center: { lat: row.lat, lng: row.lng } } : null;
  }

  /** The comune whose boundary contains the point, or null outside the Metropolitan City. */
  async locate(lat: number, lng: number): Promise<number | null> {
    const rows: Array<{ id: number }> = await this.ds.query(
      `SELECT id FROM comuni WHERE boundary IS NOT NULL
         AND ST_Contains(boundary, ST_SetSRID(ST_MakePoint($1, $2), 4326)) LIMIT 1`,
      [lng, lat],
    );
    return rows[0]?.id ?? null;
  }

  /**
   * The comune's business calendar — opening slots, national holidays, patron saint's day,
   * closures — the one source for "is the office open" (the web chat) and for business time (SLAs).
   */
  @InScope((comuneId: number) => TenantScope.ofComune(comuneId))
  async calendar(comuneId: number): Promise<BusinessCalendar> {
    const hit = this.calendarCache.get(comuneId);
    if (hit && Date.now() - hit.at < ComuniService.TTL_MS) return hit.value;
    const [r] = await this.ds.query(
      `SELECT timezone, opening_hours, national_holidays, patron_day,
              ARRAY(SELECT to_char(d, 'YYYY-MM-DD') FROM unnest(closures) d ORDER BY d) AS closures
         FROM comune_calendars WHERE comune_id = $1`,
      [comuneId],
    );
    const value: BusinessCalendar = r
      ? {
          timezone: r.timezone,
          openingHours: r.opening_hours,
          nationalHolidays: r.national_holidays,
          patronDay: r.patron_day,
          closures: r.closures,
        }
      : DEFAULT_CALENDAR;
    this.calendarCache.set(comuneId, { value, at: Date.now() });
    return value;
  }

  /** Drops the cached calendar after it was changed. */
  forgetCalendar(comuneId: number): void {
    this.calendarCache.delete(comuneId);
  }

  @InScope((comuneId: number) => TenantScope.ofComune(comuneId))
  async groups(comuneId: number): Promise<CompetenceGroup[]> {
    return this.ds.getRepository(CompetenceGroup).find({ where: { comuneId }, order: { id: 'ASC' } });
  }
}
