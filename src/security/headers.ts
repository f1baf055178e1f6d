import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import type { AppConfig } from '../config/config.js';

/** The admin pages served by libraries (Bull Board, Swagger UI): own scripts and styles only, never framed. */
export const ADMIN_PAGES = ['/admin/queues', '/api/docs'];

/**
 * Security headers (helmet) on every response: nosniff, frame protection (SAMEORIGIN; DENY through
 * the CSP on the admin pages), no cross-origin reads of our resources (the widget script opts out),
 * HSTS when the public address is https or the request came over TLS through a trusted proxy.
 * The console sets its own CSP; the demo pages and the widget embedded in comuni's sites get none
 * (a comune's page has its own).
 */
export function securityHeaders(config: AppConfig): { all: RequestHandler; adminPages: RequestHandler } {
  const tls = config.messaging.publicBaseUrl.startsWith('https:');
  const base = helmet({
    contentSecurityPolicy: false,
    crossOriginEmbedderPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'same-origin' },
    xFrameOptions: { action: 'sameorigin' },
    strictTransportSecurity: false,
  });
  const hsts = helmet.strictTransportSecurity({ maxAge: 365 * 24 * 3600, includeSubDomains: false });
  const all = (req: Request, res: Response, next: NextFunction) =>
    base(req, res, (err?: unknown) => {
      if (err || !(tls || req.secure)) return next(err);
      hsts(req, res, next);
    });
  const adminPages = helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      // Both UIs set inline styles (React style attributes, Swagger's <style>); no inline script runs.
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  });
  return {
    all,
    adminPages: (req, res, next) => {
      res.setHeader('X-Frame-Options', 'DENY');
      adminPages(req, res, next);
    },
  };
}
