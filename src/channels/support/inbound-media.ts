import { sniffContentType } from '../../storage/storage.js';
import type { AttachmentStorage } from '../../storage/storage.js';
import type { InboundAttachment } from '../../conversations/inbound-message.js';

export type MediaOutcome = { ok: true; attachment: InboundAttachment } | { ok: false; note: string };

/** Type-checks and stores one downloaded file; refusals come back as an Italian note for the operator. */
export async function storeInboundMedia(
  storage: AttachmentStorage,
  bytes: Buffer,
  opts: { filename?: string | null; declaredType?: string | null; maxBytes: number; fallbackName: string },
): Promise<MediaOutcome> {
  const shown = opts.filename ?? opts.fallbackName;
  if (bytes.length > opts.maxBytes) {
    return { ok: false, note: `[allegato «${shown}» non accettato: supera ${Math.floor(opts.maxBytes / 1024 / 1024)} MB]` };
  }
  // The type is judged by the bytes (sniffContentType); what the provider declares is not trusted.
  const kind = sniffContentType(bytes);
  if (!kind) return { ok: false, note: `[allegato «${shown}» non accettato: tipo di file non ammesso]` };
  const storageKey = await storage.put(bytes);
  const base = (opts.filename ?? `${opts.fallbackName}.${kind.ext}`).replace(/[^\w.\- ]/g, '_').slice(0, 200);
  return { ok: true, attachment: { storageKey, filename: base, contentType: kind.type, sizeBytes: bytes.length } };
}

/**
 * Fetches every file of a message: what could be kept becomes an attachment, what could not
 * becomes an Italian note next to the message's own notes for the operator.
 */
export async function collectMedia<T>(
  items: T[],
  notes: string[],
  fetchOne: (item: T) => Promise<MediaOutcome>,
): Promise<{ attachments: InboundAttachment[]; notes: string[] }> {
  const attachments: InboundAttachment[] = [];
  const allNotes = [...notes];
  for (const item of items) {
    const got = await fetchOne(item);
    if (got.ok) attachments.push(got.attachment);
    else allNotes.push(got.note);
  }
  return { attachments, notes: allNotes };
}

/** Reads a response body, giving up past `maxBytes` (a provider's size field is not trusted either). */
export async function readLimited(res: Response, maxBytes: number): Promise<Buffer | null> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    return null;
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/** Joins the text of a message with notes about what it carried that could not be kept. */
export function withNotes(text: string | null | undefined, notes: string[]): string | null {
  const parts = [text?.trim() || null, ...notes].filter((p): p is string => !!p);
  return parts.length ? parts.join('\n') : null;
}
