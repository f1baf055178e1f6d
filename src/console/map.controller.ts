import { Controller, Get, Inject, NotFoundException, Param, ParseIntPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { TenantScope, type Principal } from '../common/tenant-scope.js';
import { ComuniService } from '../comuni/comuni.service.js';
import { BOUNDARY_ATTRIBUTION } from '../comuni/comuni.api.js';
import type { ComuneBoundaries, ComuneBoundary, MapConfig } from './console.api.js';

/**
 * What the console's map needs: the tile server (none by default: the map then draws the comune's
 * boundary on a plain background, so it works offline) and the comune's boundary.
 */
@ApiTags('console')
@ApiBearerAuth()
@Controller('api/console')
export class MapController {
  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly comuni: ComuniService,
  ) {}

  @Get('map')
  map(): MapConfig {
    return { tileUrl: this.config.mapTileUrl || null, attribution: this.config.mapTileAttribution };
  }

  /**
   * The boundaries of every comune the caller sees (one for a comune's staff, the 41 for the
   * metropolitan administrator), simplified further than a single one (~100 m), for the dashboard's
   * map of requests by area. Boundaries © ISTAT, CC-BY 4.0.
   */
  @Get('comuni/boundaries')
  async boundaries(@CurrentPrincipal() p: Principal): Promise<ComuneBoundaries> {
    const params: unknown[] = [];
    const rows: Array<{ id: number; name: string; geojson: string }> = await this.ds.query(
      `SELECT id, name, ST_AsGeoJSON(ST_SimplifyPreserveTopology(boundary, 0.001), 4) AS geojson FROM comuni
        WHERE boundary IS NOT NULL AND ${TenantScope.ofPrincipal(p).sql('id', params)} ORDER BY name`,
      params,
    );
    return {
      type: 'FeatureCollection',
      features: rows.map((r) => ({
        type: 'Feature',
        id: r.id,
        properties: { comuneId: r.id, name: r.name },
        geometry: JSON.parse(r.geojson),
      })),
      attribution: BOUNDARY_ATTRIBUTION,
    };
  }

  /** Simplified boundary (a few hundred points) as GeoJSON. Boundaries © ISTAT, CC-BY 4.0. */
  @Get('comuni/:id/boundary')
  async boundary(@CurrentPrincipal() p: Principal, @Param('id', ParseIntPipe) id: number): Promise<ComuneBoundary> {
    const comuneId = id;
    if (!Number.isInteger(comuneId) || comuneId <= 0 || !TenantScope.ofPrincipal(p).allows(comuneId))
      throw new NotFoundException(`comune ${id} not found`);
    const b = await this.comuni.boundary(comuneId);
    if (!b) throw new NotFoundException(`comune ${id} has no boundary`);
    return { type: 'Feature', properties: { name: b.name, attribution: BOUNDARY_ATTRIBUTION }, geometry: b.geometry };
  }
}
