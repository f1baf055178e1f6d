import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { asSystem } from '../../tenancy/db-scope.js';
import type { Assurance } from './accounts.js';

export const CITIZEN_COOKIE = 'sportello_citizen';

export interface CitizenSession {
  /** sha256 of the cookie's token: what the database stores (a stolen table holds no usable cookie). */
  id: string;
  accountId: string;
  assurance: Assurance;
  level: 1 | 2 | 3;
  idToken: string | null;
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The named cookies of a request (no cookie-parser in this application). */
export function cookiesOf(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const name = part.slice(0, at).trim();
    if (!name || name in out) continue;
    try {
      out[name] = decodeURIComponent(part.slice(at + 1).trim());
    } catch {
      /* a malformed cookie is no cookie */
    }
  }
  return out;
}

/**
 * Server-side citizen sessions (table citizen_sessions) behind an opaque cookie. In PostgreSQL
 * rather than Redis: a login that joins two accounts moves their sessions in the same transaction,
 * erasing an account ends its sessions by cascade, and the row-level security of the citizen scope
 * covers them like the account itself. The cookie is HttpOnly, SameSite=Lax (the gateway's redirect
 * back is a top-level navigation that must carry it), Secure when the public address is https or
 * the request came over TLS (as the staff cookie). A session ends after PORTAL_SESSION_IDLE_MINUTES
 * without use and PORTAL_SESSION_MAX_HOURS after login; each login makes a new one (no fixation).
 */
@Injectable()
export class CitizenSessions {
  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  secure(req: Request): boolean {
    return this.config.messaging.publicBaseUrl.startsWith('https:') || req.secure;
  }

  /** The live session the request's cookie names, or null (none, unknown, idle too long, past its end). */
  async current(req: Request): Promise<CitizenSession | null> {
    const cached = (req as Request & { citizenSession?: CitizenSession | null }).citizenSession;
    if (cached !== undefined) return cached;
    const token = cookiesOf(req)[CITIZEN_COOKIE];
    let session: CitizenSession | null = null;
    if (token && token.length <= 100) {
      const id = sha256(token);
      const rows = await asSystem('portal-session', () =>
        this.ds.query(
          `WITH s AS (
             UPDATE citizen_sessions SET last_seen_at = now()
              WHERE id = $1 AND expires_at > now() AND last_seen_at > now() - make_interval(secs => $2)
              RETURNING id, account_id::text AS account_id, assurance, level, id_token)
           SELECT * FROM s`,
          [id, this.config.portal.sessionIdleMs / 1000],
        ),
      );
      const r = rows[0];
      if (r) session = { id: r.id, accountId: r.account_id, assurance: r.assurance, level: r.level, idToken: r.id_token };
      else await this.destroy(id);
    }
    (req as Request & { citizenSession?: CitizenSession | null }).citizenSession = session;
    return session;
  }

  /** A new session for a login (the request's previous one, if any, is ended): sets the cookie. */
  async start(
    req: Request,
    res: Response,
    login: { accountId: string; assurance: Assurance; level: 1 | 2 | 3; idToken?: string | null },
  ): Promise<CitizenSession> {
    const previous = cookiesOf(req)[CITIZEN_COOKIE];
    if (previous) await this.destroy(sha256(previous));
    const token = randomBytes(32).toString('base64url');
    const id = sha256(token);
    await asSystem('portal-session', () =>
      this.ds.query(
        `INSERT INTO citizen_sessions (id, account_id, assurance, level, id_token, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
        [id, login.accountId, login.assurance, login.level, login.idToken ?? null, this.config.portal.sessionMaxMs / 1000],
      ),
    );
    res.cookie(CITIZEN_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: this.secure(req),
      maxAge: this.config.portal.sessionMaxMs,
    });
    const session: CitizenSession = {
      id,
      accountId: login.accountId,
      assurance: login.assurance,
      level: login.level,
      idToken: login.idToken ?? null,
    };
    (req as Request & { citizenSession?: CitizenSession | null }).citizenSession = session;
    return session;
  }

  async end(req: Request, res: Response): Promise<void> {
    const token = cookiesOf(req)[CITIZEN_COOKIE];
    if (token) await this.destroy(sha256(token));
    res.clearCookie(CITIZEN_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: this.secure(req) });
    (req as Request & { citizenSession?: CitizenSession | null }).citizenSession = null;
  }

  private async destroy(id: string): Promise<void> {
    await asSystem('portal-session', () => this.ds.query(`DELETE FROM citizen_sessions WHERE id = $1`, [id]));
  }
}
