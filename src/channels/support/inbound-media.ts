import { sniffContentType } from '../../storage/storage.js';
import type { AttachmentStorage } from '../../storage/storage.js';
import type { InboundAttachment } from '../inbound-message.js';

/**
 * What a citizen may send us as a file, judged by its bytes: images, PDF, voice notes and audio,
 * short videos, office documents. The type a provider or a client declares is not trusted.
 */
const MORE_SIGNATURES: Array<{ type: string; ext: string; test: (b: Buffer) => boolean }> = [
  { type: 'audio/ogg', ext: 'ogg', test: (b) => b.subarray(0, 4).toString('latin1') === 'OggS' },
  { type: 'audio/mpeg', ext: 'mp3', test: (b) => b.subarray(0, 3).toString('latin1') === 'ID3' || (b.length > 2 && b[0] === 0xff && (b[1] & 0xe0) === 0xe0) },
  { type: 'audio/amr', ext: 'amr', test: (b) => b.subarray(0, 5).toString('latin1') === '#!AMR' },
  // ISO base media (MP4, M4A, 3GP): "ftyp" at offset 4; which one depends on the brand.
  { type: 'video/mp4', ext: 'mp4', test: (b) => b.subarray(4, 8).toString('latin1') === 'ftyp' },
  // OOXML and ODF documents are ZIP archives.
  { type: 'application/zip', ext: 'zip', test: (b) => b.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])) },
];

const OFFICE_TYPES: Record<string, string> = {
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
};

export function sniffInboundType(bytes: Buffer, declared?: string | null): { type: string; ext: string } | null {
  const known = sniffContentType(bytes);
  if (known) return known;
  const hit = MORE_SIGNATURES.find((s) => s.test(bytes));
  if (!hit) return null;
  if (hit.type === 'video/mp4') {
    const brand = bytes.subarray(8, 12).toString('latin1');
    if (brand.startsWith('M4A')) return { type: 'audio/mp4', ext: 'm4a' };
    if (brand.startsWith('3gp')) return { type: 'video/3gpp', ext: '3gp' };
    return hit;
  }
  if (hit.type === 'application/zip') {
    // A ZIP is accepted only as the office document it says it is.
    const base = (declared ?? '').split(';')[0].trim().toLowerCase();
    return OFFICE_TYPES[base] ? { type: base, ext: OFFICE_TYPES[base] } : null;
  }
  return hit;
}

export type MediaOutcome =
  | { ok: true; attachment: InboundAttachment }
  | { ok: false; note: string };

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
  const kind = sniffInboundType(bytes, opts.declaredType);
  if (!kind) return { ok: false, note: `[allegato «${shown}» non accettato: tipo di file non ammesso]` };
  const storageKey = await storage.put(bytes);
  const base = (opts.filename ?? `${opts.fallbackName}.${kind.ext}`).replace(/[^\w.\- ]/g, '_').slice(0, 200);
  return { ok: true, attachment: { storageKey, filename: base, contentType: kind.type, sizeBytes: bytes.length } };
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
