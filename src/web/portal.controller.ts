import { Controller, Get, Inject, NotFoundException, Param, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { existsSync, statSync } from 'node:fs';
import { normalize, resolve, sep } from 'node:path';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { Public } from '../auth/auth.guard.js';
import { ComuniService } from '../comuni/comuni.service.js';

/** Where Vite puts the portal's hashed assets (portal/vite.config.ts `assetsDir`). */
export const PORTAL_ASSETS = '_portal';

/** The Metropolitan City's pages sit where a comune's would (its participation spaces: src/participation). */
export const METROPOLITAN_SLUG = 'citta-metropolitana';

/**
 * Serves the citizen portal (portal/, a single-page app) at the site's root, for its own paths
 * only: `/`, `/accedi`, `/area-personale` (a case of it, `/area-personale/richieste/<reference>`, its settings
 * `/area-personale/canali`, `/notifiche`, `/consensi`, and `/area-personale/privacy`), `/<comune>`, `/<comune>/servizi`,
 * `/<comune>/segnalazioni` (the public map of reports), the two forms `/<comune>/segnala` and
 * `/<comune>/richiedi-assistenza`, the case page `/<comune>/segnalazioni/<reference>` (looked up at
 * `/<comune>/segnalazioni/cerca`), the unfollow page `/<comune>/segnalazioni/non-seguire`, and the participation pages
 * `/<comune>/partecipa[/<space>[/<item>]]` (also of `/citta-metropolitana`). Everything else
 * (/api, /console, /contatti, /health, …) is left to its own routes. An unknown comune gets the
 * app's 404 page with HTTP 404.
 */
@ApiExcludeController()
@Public()
@Controller()
export class PortalController {
  private readonly dir: string;
  private readonly policy: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly comuni: ComuniService,
  ) {
    this.dir = resolve(config.portalDistDir);
    this.policy = portalPolicy(config.mapTileUrl);
  }

  @Get([
    '/',
    'accedi',
    'area-personale',
    'area-personale/richieste/:reference',
    'area-personale/canali',
    'area-personale/notifiche',
    'area-personale/consensi',
    'area-personale/privacy',
  ])
  home(@Res() res: Response): void {
    this.page(res, 200);
  }

  @Get([
    ':slug',
    ':slug/servizi',
    ':slug/segnala',
    ':slug/richiedi-assistenza',
    ':slug/segnalazioni',
    ':slug/segnalazioni/non-seguire',
    ':slug/segnalazioni/:reference',
  ])
  async comune(@Param('slug') slug: string, @Res() res: Response): Promise<void> {
    this.page(res, (await this.known(slug)) ? 200 : 404);
  }

  /** The participation pages of a comune, or of the Metropolitan City (`/citta-metropolitana/partecipa`). */
  @Get([':slug/partecipa', ':slug/partecipa/:space', ':slug/partecipa/:space/:item'])
  async participation(@Param('slug') slug: string, @Res() res: Response): Promise<void> {
    this.page(res, slug === METROPOLITAN_SLUG || (await this.known(slug)) ? 200 : 404);
  }

  private async known(slug: string): Promise<boolean> {
    return /^[a-z0-9-]{1,60}$/.test(slug) && (await this.comuni.findBySlug(slug)) !== null;
  }

  @Get(`${PORTAL_ASSETS}/*path`)
  asset(@Param('path') path: string[] | string, @Res() res: Response): void {
    const rel = normalize(Array.isArray(path) ? path.join('/') : path);
    const root = resolve(this.dir, PORTAL_ASSETS);
    const file = resolve(root, rel);
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) throw new NotFoundException(`${rel} not found`);
    // Vite puts a content hash in every asset name: those never change.
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Compressed on the way out by the `compression` middleware (src/bootstrap.ts, the front-ends' assets).
    res.sendFile(file);
  }

  private page(res: Response, status: number): void {
    const index = resolve(this.dir, 'index.html');
    if (!existsSync(index)) throw new ServiceUnavailableException('the citizen portal is not built: run "npm run build:web"');
    res.status(status);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Content-Security-Policy', this.policy);
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.sendFile(index);
  }
}

/**
 * Own origin only: scripts, styles, fonts, the icon sprite and the API (no font or script CDN). The
 * one exception is the map tile server an installation configures (MAP_TILE_URL), for images only.
 */
export function portalPolicy(mapTileUrl: string): string {
  let tiles = '';
  if (mapTileUrl) {
    // A template's subdomain placeholder ({s}.tile.example.org) becomes a wildcard (*.tile.example.org).
    const u = new URL(mapTileUrl.replace(/\{[a-z]+\}/g, '0'));
    tiles = ` ${u.protocol}//${mapTileUrl.includes('{s}') ? u.host.replace(/^[^.]+/, '*') : u.host}`;
  }
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Bootstrap Italia's components and React set inline style attributes.
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data:${tiles}`,
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}
