import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Public, Roles } from '../../auth/auth.guard.js';
import type { Principal } from '../../common/tenant-scope.js';
import type { CatalogueEntry, CatalogueResponse, PortalComune, PortalComuneMap } from '../portal.api.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { ComuniService } from '../../comuni/comuni.service.js';
import { BOUNDARY_ATTRIBUTION } from '../../comuni/comuni.api.js';
import { CatalogueService, portalComune } from './catalogue.service.js';
import { THEMATIC_AREAS } from './areas.js';

/** The portal's public read API: the comuni and each comune's service catalogue. */
@ApiTags('portal')
@Public()
@Controller('api/portal/v1/comuni')
export class PortalComuniController {
  constructor(
    private readonly catalogue: CatalogueService,
    private readonly comuni: ComuniService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The 41 comuni of the Metropolitan City of Bari' })
  async list(): Promise<PortalComune[]> {
    return this.catalogue.listComuni();
  }

  @Get(':slug')
  @ApiOperation({ summary: 'One comune (404 when unknown)' })
  async get(@Param('slug') slug: string): Promise<PortalComune> {
    return portalComune(await this.catalogue.comune(slug));
  }

  @Get(':slug/map')
  @ApiOperation({ summary: "What a map of the comune needs: its boundary (© ISTAT), a centre, the installation's tile server if any" })
  async map(@Param('slug') slug: string): Promise<PortalComuneMap> {
    const comune = await this.catalogue.comune(slug);
    const b = await this.comuni.boundary(comune.id);
    const tileUrl = this.config.mapTileUrl || null;
    return {
      comune: comune.name,
      boundary: b?.geometry ?? null,
      center: b?.center ?? null,
      tileUrl,
      attribution: [...(b ? [`Confini ${BOUNDARY_ATTRIBUTION}`] : []), ...(tileUrl ? [this.config.mapTileAttribution] : [])],
    };
  }

  @Get(':slug/services')
  @ApiOperation({ summary: "The comune's digital services: its own, the Metropolitan City's and Sportello's" })
  @ApiQuery({ name: 'q', required: false })
  @ApiQuery({ name: 'area', required: false })
  @ApiQuery({ name: 'sort', required: false, enum: ['name', 'area'] })
  @ApiQuery({ name: 'lang', required: false, enum: ['it', 'en'] })
  async services(
    @Param('slug') slug: string,
    @Query('q') q?: string,
    @Query('area') area?: string,
    @Query('sort') sort?: string,
    @Query('lang') lang?: string,
  ): Promise<CatalogueResponse> {
    return this.catalogue.services(slug, { q: one(q), area: one(area), sort: one(sort), lang: one(lang) });
  }
}

/**
 * The catalogue's staff API: a comune's manager lists, adds, changes and removes the comune's
 * external services; the metropolitan administrator those of the Metropolitan City.
 */
@ApiTags('console')
@ApiBearerAuth()
@Controller('api/console/catalogue')
export class CatalogueAdminController {
  constructor(private readonly catalogue: CatalogueService) {}

  @Get()
  list(@CurrentPrincipal() p: Principal): Promise<CatalogueEntry[]> {
    return this.catalogue.list(p);
  }

  /** The fixed thematic areas with their Italian and English labels (for the console's form). */
  @Get('areas')
  areas(): typeof THEMATIC_AREAS {
    return THEMATIC_AREAS;
  }

  @Post()
  @Roles('manager', 'metro_admin')
  create(@CurrentPrincipal() p: Principal, @Body() body: unknown): Promise<CatalogueEntry> {
    return this.catalogue.create(p, body);
  }

  @Patch(':id')
  @Roles('manager', 'metro_admin')
  update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: unknown): Promise<CatalogueEntry> {
    return this.catalogue.update(p, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('manager', 'metro_admin')
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<void> {
    await this.catalogue.remove(p, id);
  }
}

/** A repeated query parameter counts once (its first value). */
function one(v: unknown): string | undefined {
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : undefined;
  return typeof v === 'string' ? v : undefined;
}
