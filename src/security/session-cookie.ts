import type { Response } from 'express';
import type { AppConfig } from '../config/config.js';

export const SESSION_COOKIE = 'sportello_token';
/**
 * Where the browser sends the operator's token by itself: the pages and files a browser opens
 * without the console's Authorization header (attachments in <img>, the queue dashboard, the API
 * docs). Nowhere else: every API call carries the header, and no cookie authenticates it.
 */
export const SESSION_COOKIE_PATHS = ['/api/attachments', '/admin', '/api/docs'];

/** HttpOnly, SameSite=Strict, Secure when the public address is https; lives as long as the token. */
export function setSessionCookies(res: Response, config: AppConfig, token: string | null): void {
  const secure = config.messaging.publicBaseUrl.startsWith('https:');
  for (const path of SESSION_COOKIE_PATHS) {
    if (token) res.cookie(SESSION_COOKIE, token, { path, httpOnly: true, sameSite: 'strict', secure, maxAge: config.jwtTtlSeconds * 1000 });
    else res.clearCookie(SESSION_COOKIE, { path, httpOnly: true, sameSite: 'strict', secure });
  }
}
