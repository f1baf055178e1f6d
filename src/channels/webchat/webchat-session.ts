import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/** A session not resumed for this long is over (WEBCHAT_SESSION_IDLE_DAYS). */
export const DEFAULT_SESSION_IDLE_MS = 30 * 24 * 3600 * 1000;
/** Clock differences between API processes: a token "from the future" is accepted within this. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * Web-chat sessions need no table: the token is a random session id and the time it was issued,
 * signed by the server. Whoever holds a token resumes the conversation; nobody can forge another
 * citizen's. A token expires when not used for `idleMs`; every reconnection with a valid one gets a
 * renewed token (same session, new time), so only an idle session ends. An expired token starts a
 * new session: the old conversation is not shown to its holder.
 *
 * Token: `<comune id>.<session uuid>.<issued at, seconds>.<HMAC-SHA256>`. Tokens of the earlier
 * format, without a time, never expired: they are refused (a new session starts).
 */
export class WebchatSessions {
  constructor(
    private readonly secret: string,
    private readonly idleMs: number = DEFAULT_SESSION_IDLE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new session (or, with `id`, a renewed token for an existing one). */
  issue(comuneId: number, id: string = randomUUID()): { token: string; address: string } {
    const issuedAt = Math.floor(this.now() / 1000);
    return { token: `${comuneId}.${id}.${issuedAt}.${this.sign(comuneId, id, issuedAt)}`, address: `${comuneId}:${id}` };
  }

  /** The session address if the token is genuine, belongs to this comune and has not expired, else null. */
  verify(token: unknown, comuneId: number): string | null {
    return this.read(token, comuneId)?.address ?? null;
  }

  /** A still-valid token's session with a renewed token; null when the token is not (any longer) valid. */
  resume(token: unknown, comuneId: number): { token: string; address: string } | null {
    const s = this.read(token, comuneId);
    return s ? this.issue(comuneId, s.id) : null;
  }

  private read(token: unknown, comuneId: number): { id: string; address: string } | null {
    if (typeof token !== 'string' || token.length > 200) return null;
    const parts = token.split('.');
    if (parts.length !== 4) return null;
    const [cid, id, at, sig] = parts;
    if (Number(cid) !== comuneId || !/^[0-9a-f-]{36}$/.test(id) || !/^\d{1,12}$/.test(at) || !sig) return null;
    const issuedAt = Number(at);
    const expected = Buffer.from(this.sign(comuneId, id, issuedAt));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    const age = this.now() - issuedAt * 1000;
    if (age > this.idleMs || age < -CLOCK_SKEW_MS) return null;
    return { id, address: `${comuneId}:${id}` };
  }

  private sign(comuneId: number, id: string, issuedAt: number): string {
    return createHmac('sha256', this.secret).update(`webchat:v2:${comuneId}:${id}:${issuedAt}`).digest('base64url');
  }
}
