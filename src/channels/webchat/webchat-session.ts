import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Web-chat sessions need no table: the token is a random id signed by the server. Whoever holds
 * it resumes the conversation; nobody can forge another citizen's.
 */
export class WebchatSessions {
  constructor(private readonly secret: string) {}

  issue(comuneId: number): { token: string; address: string } {
    const id = randomUUID();
    return { token: `${comuneId}.${id}.${this.sign(comuneId, id)}`, address: `${comuneId}:${id}` };
  }

  /** The session address if the token is genuine and belongs to this comune, else null. */
  verify(token: unknown, comuneId: number): string | null {
    if (typeof token !== 'string' || token.length > 200) return null;
    const [cid, id, sig] = token.split('.');
    if (Number(cid) !== comuneId || !id || !sig || !/^[0-9a-f-]{36}$/.test(id)) return null;
    const expected = Buffer.from(this.sign(comuneId, id));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    return `${comuneId}:${id}`;
  }

  private sign(comuneId: number, id: string): string {
    return createHmac('sha256', this.secret).update(`webchat:${comuneId}:${id}`).digest('base64url');
  }
}
