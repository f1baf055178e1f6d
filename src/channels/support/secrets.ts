import { timingSafeEqual, createHmac } from 'node:crypto';

/** Constant-time comparison of a presented secret with the stored one. */
export function sameSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Checks Meta's `X-Hub-Signature-256: sha256=<hex>` over the exact bytes received. */
export function validHubSignature(header: string, rawBody: Buffer, appSecret: string): boolean {
  const m = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!m) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  const given = Buffer.from(m[1], 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Error texts from HTTP clients may carry a URL with a token in it (Telegram puts the bot token in
 * the path). Whatever is stored or logged goes through this first.
 */
export function redactSecrets(text: string, secrets: Array<string | undefined | null>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 6) out = out.split(s).join('***');
  return out;
}
