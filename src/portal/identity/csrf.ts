import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { doubleCsrf, type DoubleCsrfUtilities } from 'csrf-csrf';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { CitizenSessions, cookiesOf } from './sessions.js';

export const CSRF_COOKIE = 'sportello_citizen_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * CSRF protection of the portal (csrf-csrf, double submit): the token is an HMAC, under a key derived
 * from JWT_SECRET, of a random value and the citizen's session (anonymous before login), kept in an
 * HttpOnly cookie and sent back by the front-end in `X-CSRF-Token` on every state-changing request.
 * A login changes the session and so the token (the answer of a login carries the new one, and
 * `GET /api/portal/v1/session` gives it).
 */
@Injectable()
export class PortalCsrf {
  private readonly csrf: DoubleCsrfUtilities;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly sessions: CitizenSessions,
  ) {
    const secret = createHash('sha256').update(`sportello-portal-csrf:${config.jwtSecret}`).digest('hex');
    this.csrf = doubleCsrf({
      getSecret: () => secret,
      getSessionIdentifier: (req) => (req as Request & { citizenSession?: { id: string } | null }).citizenSession?.id ?? 'anonymous',
      cookieName: CSRF_COOKIE,
      cookieOptions: { sameSite: 'lax', path: '/api/portal', secure: config.messaging.publicBaseUrl.startsWith('https:'), httpOnly: true },
      getCsrfTokenFromRequest: (req) => {
        const h = req.headers[CSRF_HEADER];
        return typeof h === 'string' ? h : undefined;
      },
    });
  }

  private async prepare(req: Request): Promise<void> {
    await this.sessions.current(req);
    (req as Request & { cookies?: Record<string, string> }).cookies ??= cookiesOf(req);
  }

  /** The token for the request's session (the cookie's when still valid, else a new one, cookie set). */
  async token(req: Request, res: Response): Promise<string> {
    await this.prepare(req);
    const cookies = (req as Request & { cookies: Record<string, string> }).cookies;
    const token = this.csrf.generateCsrfToken(req, res);
    cookies[CSRF_COOKIE] = token;
    return token;
  }

  /** 403 unless the request carries the token of its session in X-CSRF-Token. */
  async check(req: Request): Promise<void> {
    await this.prepare(req);
    if (!this.csrf.validateRequest(req)) {
      const given = typeof req.headers[CSRF_HEADER] === 'string';
      throw new ForbiddenException({
        statusCode: 403,
        error: 'Forbidden',
        code: 'csrf',
        message: given
          ? 'token CSRF non valido per questa sessione: richiedere GET /api/portal/v1/session e usare il csrfToken ricevuto'
          : 'manca il token CSRF: inviare l’intestazione X-CSRF-Token con il csrfToken di GET /api/portal/v1/session',
      });
    }
  }
}
