import { Controller, Get, Inject, NotFoundException, Param, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { existsSync, statSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { Public } from '../auth/auth.guard.js';
import { ComuniService } from '../comuni/comuni.service.js';
import { demoPage } from './demo-page.js';

/**
 * Serves the built front-ends: the agent console under /console (a single-page app: unknown paths
 * get its index.html), the widget script a comune pastes into its site, and a demo page that plays
 * a comune's website with the widget on it.
 */
@ApiExcludeController()
@Public()
@Controller()
export class WebController {
  private readonly consoleDir: string;
  private readonly widgetFile: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly comuni: ComuniService,
  ) {
    this.consoleDir = resolve(config.consoleDistDir);
    this.widgetFile = resolve(config.widgetDistDir, 'widget.js');
  }

  @Get(['console', 'console/*path'])
  console(@Param('path') path: string[] | string | undefined, @Req() req: Request, @Res() res: Response): void {
    // The app's relative asset URLs need the trailing slash.
    if (req.path === '/console') return void res.redirect(301, '/console/');
    const index = join(this.consoleDir, 'index.html');
    if (!existsSync(index)) throw new ServiceUnavailableException('the agent console is not built: run "npm run build:web"');
    const rel = normalize(Array.isArray(path) ? path.join('/') : (path ?? ''));
    const file = resolve(this.consoleDir, rel);
    if (rel && file.startsWith(this.consoleDir + sep) && existsSync(file) && statSync(file).isFile()) {
      // Vite puts a content hash in every asset name: those never change.
      res.setHeader('Cache-Control', rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      return void res.sendFile(file);
    }
    if (/\.[a-z0-9]{1,5}$/i.test(rel)) throw new NotFoundException(`${rel} not found`);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Content-Security-Policy', this.consolePolicy());
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.sendFile(index);
  }

  @Get('widget.js')
  widget(@Res() res: Response): void {
    if (!existsSync(this.widgetFile)) throw new ServiceUnavailableException('the web-chat widget is not built: run "npm run build:web"');
    // Any comune's site may load it; a short cache lets a fix reach every site within minutes.
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin'); // loaded by <script> from comuni's sites
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.sendFile(this.widgetFile);
  }

  @Get('demo/:slug')
  async demo(@Param('slug') slug: string, @Res() res: Response): Promise<void> {
    const comune = /^[a-z0-9-]{1,60}$/.test(slug) ? await this.comuni.findBySlug(slug) : null;
    if (!comune) throw new NotFoundException(`unknown comune "${slug}"`);
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    res.send(demoPage(comune));
  }

  private consolePolicy(): string {
    const tiles = tileOrigin(this.config.mapTileUrl);
    return [
      "default-src 'self'",
      `img-src 'self' data: blob:${tiles ? ` ${tiles}` : ''}`,
      // Leaflet positions its layers with inline styles.
      "style-src 'self' 'unsafe-inline'",
      "connect-src 'self' ws: wss:",
      "frame-ancestors 'none'",
      "base-uri 'self'",
      "form-action 'self'",
    ].join('; ');
  }
}

/** The origin map tiles come from, for the page's content policy ("{s}" subdomains become "*"). */
export function tileOrigin(template: string): string {
  if (!template) return '';
  try {
    return new URL(template.replace(/\{s\}/g, 'subdomain-placeholder').replace(/\{[a-z]+\}/g, '0')).origin.replace(
      'subdomain-placeholder',
      '*',
    );
  } catch {
    return '';
  }
}
