import type { NextFunction, Request, Response } from 'express';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { AppConfig } from '../config/config.js';
import type { AuthService } from '../auth/auth.service.js';
import { bearerToken } from '../auth/auth.guard.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Who may read /metrics on the main port: with METRICS_TOKEN, whoever sends it as a Bearer token;
 * with METRICS_PORT, nobody here (they are served on that port); with neither, a scraper on the same
 * machine only (a direct loopback connection, not one relayed by a proxy).
 */
export function metricsAllowed(req: Request, config: AppConfig): boolean {
  const { metricsToken, metricsPort } = config.http;
  if (metricsPort) return false;
  const given = req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7).trim() : undefined;
  if (metricsToken) return given !== undefined && timingSafeEqual(digest(given), digest(metricsToken));
  const peer = req.socket.remoteAddress ?? '';
  const direct = !req.headers['x-forwarded-for'] && !req.headers.forwarded;
  return direct && (peer === '127.0.0.1' || peer === '::1' || peer === '::ffff:127.0.0.1');
}

/** /api/docs and /api/docs-json: public with API_DOCS_PUBLIC=true, otherwise for a logged-in operator. */
export function docsGuard(config: AppConfig, auth: AuthService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (config.http.apiDocsPublic) return next();
    auth.verify(bearerToken(req)).then(
      () => next(),
      () => {
        res.status(401).json({
          statusCode: 401,
          message:
            "the API documentation is for logged-in operators (Bearer token or the console's session cookie); API_DOCS_PUBLIC=true makes it public",
        });
      },
    );
  };
}
