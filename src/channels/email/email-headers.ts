/**
 * Message-IDs, threading headers and subjects: the small text rules every part of the e-mail
 * channel agrees on.
 */

export const EMAIL_CHANNEL = 'email';

/** A Message-ID as stored: without angle brackets or surrounding space; null when it is not one. */
export function normalizeMessageId(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const m = /<([^<>\s]+)>/.exec(raw) ?? /^\s*([^<>\s]+@[^<>\s]+)\s*$/.exec(raw);
  if (!m) return null;
  const id = m[1];
  return id.length > 250 ? null : id;
}

/** Every Message-ID of a References / In-Reply-To value (string or list), in order, de-duplicated. */
export function messageIdList(...values: Array<string | string[] | null | undefined>): string[] {
  const out: string[] = [];
  for (const v of values) {
    for (const part of Array.isArray(v) ? v : v ? [v] : []) {
      for (const m of part.matchAll(/<([^<>\s]+)>/g)) {
        if (m[1].length <= 250 && !out.includes(m[1])) out.push(m[1]);
      }
      if (!part.includes('<')) {
        const bare = normalizeMessageId(part);
        if (bare && !out.includes(bare)) out.push(bare);
      }
    }
  }
  return out;
}

/** A ticket reference quoted in a subject, e.g. "Re: Lampione spento [BA-2026-000123]". */
const REFERENCE = /\b([A-Z]{2,4}-\d{4}-\d{6,})\b/;

export function referenceInSubject(subject: string | null | undefined): string | null {
  if (!subject) return null;
  const bracketed = /\[\s*([A-Za-z]{2,4}-\d{4}-\d{6,})\s*\]/.exec(subject);
  if (bracketed) return bracketed[1].toUpperCase();
  const bare = REFERENCE.exec(subject);
  return bare ? bare[1] : null;
}

/** Subject of an answer: "Re: <subject> [REF]", without stacking "Re:" or the reference twice. */
export function replySubject(original: string | null | undefined, reference: string): string {
  return `Re: ${subjectWithReference(original, reference)}`;
}

/** "<subject> [REF]" (the first mail of a conversation that did not start by mail: a notice to a contact). */
export function subjectWithReference(original: string | null | undefined, reference: string): string {
  let base = (original ?? '').replace(/\s+/g, ' ').trim();
  base = base.replace(/^((re|r|ris|fw|fwd|i|inoltro|aw|sv)\s*(\[\d+\])?\s*:\s*)+/i, '').trim();
  // A PEC transport envelope's subject is "POSTA CERTIFICATA: <the citizen's subject>".
  base = base.replace(/^(posta certificata|anomalia messaggio)\s*:\s*/i, '').trim();
  const ref = `[${reference}]`;
  if (!referenceInSubject(base) || referenceInSubject(base) !== reference) base = base ? `${base} ${ref}` : `Richiesta ${ref}`;
  return base;
}

/** The Message-ID Sportello gives the reply stored as message `messageId` (stable across retries). */
export function outboundMessageId(reference: string, messageId: string, address: string): string {
  const domain = address.includes('@') ? address.slice(address.lastIndexOf('@') + 1).toLowerCase() : 'sportello.invalid';
  return `sportello.${reference.toLowerCase()}.${messageId}@${domain}`;
}

/** Lower-cased address, or null when it is not a plausible mailbox. */
export function normalizeAddress(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const a = raw.trim().replace(/^<|>$/g, '').toLowerCase();
  return /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/.test(a) && a.length <= 254 ? a : null;
}
