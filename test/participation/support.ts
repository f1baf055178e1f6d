import { randomBytes } from 'node:crypto';
import { CITIZEN_COOKIE, sha256 } from '../../src/portal/identity/sessions.js';
import type { TestApp } from '../support/harness.js';
import { browser, type Browser } from '../portal/support.js';

let counter = 0;

/** A fiscal-code-shaped key for test citizen n (16 characters, not a real person's). */
export const fakeFiscalCode = (n: number) => `TSTPRT${String(n).padStart(2, '0').slice(-2)}A01A662${String.fromCharCode(65 + (n % 26))}`;

/**
 * A logged-in citizen without the gateway: an account and a session stored as a login stores them
 * (the cookie's token, its SHA-256 in citizen_sessions). `spid`/`cie`: a verified person with a
 * fiscal code; `email`: an e-mail-code account. Many of them, fast (the SPID path is tested in
 * test/portal/oidc-login.spec.ts).
 */
export async function citizenBrowser(
  t: TestApp,
  who: { assurance: 'email' | 'spid' | 'cie'; givenName?: string; familyName?: string; fiscalCode?: string; email?: string },
): Promise<{ b: Browser; accountId: string }> {
  const n = ++counter;
  const level = who.assurance === 'email' ? 1 : who.assurance === 'spid' ? 2 : 3;
  const email = who.email ?? `cittadino${n}.${randomBytes(3).toString('hex')}@example.it`;
  const fiscal = who.assurance === 'email' ? null : (who.fiscalCode ?? fakeFiscalCode(n + Math.floor(Math.random() * 1000)));
  const [a] = await t.ds.query(
    `INSERT INTO citizen_accounts (fiscal_code, email_key, email, given_name, family_name, assurance, level)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (fiscal_code) DO UPDATE SET last_login_at = now() RETURNING id::text AS id`,
    [fiscal, fiscal ? null : email, email, who.givenName ?? 'Cittadino', who.familyName ?? `Prova${n}`, who.assurance, level],
  );
  const token = randomBytes(32).toString('base64url');
  await t.ds.query(
    `INSERT INTO citizen_sessions (id, account_id, assurance, level, expires_at) VALUES ($1, $2, $3, $4, now() + interval '2 hours')`,
    [sha256(token), a.id, who.assurance, level],
  );
  const b = browser();
  b.app.cookies.set(CITIZEN_COOKIE, token);
  return { b, accountId: a.id };
}
