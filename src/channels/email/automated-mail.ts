import type { ParsedMail } from 'mailparser';
import { messageIdList, normalizeMessageId } from './email-headers.js';

/**
 * Mail written by a machine must never open a ticket nor get an answer, or two auto-responders
 * answer each other for ever. RFC 3834 (Auto-Submitted), the de-facto headers of common
 * responders (X-Autoreply, Precedence), delivery status notifications (RFC 3464, multipart/report)
 * and the null or daemon sender of bounces are what identify it.
 */
export type MailNature =
  | { nature: 'personal' }
  | { nature: 'auto-reply'; reason: string }
  | { nature: 'bounce'; reason: string; originalMessageIds: string[]; failed: boolean; diagnostic: string | null };

const DAEMON = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@/i;

function header(mail: ParsedMail, name: string): string | null {
  const v = mail.headers.get(name);
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : null;
  if (typeof v === 'object' && 'value' in v && typeof (v as { value: unknown }).value === 'string') return (v as { value: string }).value;
  return null;
}

function contentType(mail: ParsedMail): { value: string; params: Record<string, string> } {
  const v = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  return { value: (v?.value ?? 'text/plain').toLowerCase(), params: v?.params ?? {} };
}

/**
 * @param envelopeFrom the SMTP reverse path when known: `''` is the null sender `<>` of bounces
 *   and auto-replies, `undefined` when the transport does not tell (then Return-Path is used).
 */
export function classifyMail(mail: ParsedMail, envelopeFrom?: string | null): MailNature {
  const type = contentType(mail);
  const from = mail.from?.value[0]?.address ?? '';
  const returnPath = header(mail, 'return-path');
  const nullSender = envelopeFrom === '' || (envelopeFrom === undefined && returnPath !== null && /^\s*<\s*>\s*$/.test(returnPath));

  if (type.value === 'multipart/report') {
    const report = (type.params['report-type'] ?? '').toLowerCase();
    if (report === 'delivery-status') return { nature: 'bounce', reason: 'delivery status notification', ...bounceDetails(mail) };
    return { nature: 'auto-reply', reason: report === 'disposition-notification' ? 'read receipt' : `report (${report || 'unknown'})` };
  }
  if (DAEMON.test(from)) return { nature: 'bounce', reason: `sender ${from}`, ...bounceDetails(mail) };

  const autoSubmitted = header(mail, 'auto-submitted');
  if (autoSubmitted && autoSubmitted.trim().toLowerCase().split(/[;\s]/)[0] !== 'no') {
    return { nature: 'auto-reply', reason: `Auto-Submitted: ${autoSubmitted.trim()}` };
  }
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponder']) {
    const v = header(mail, name);
    if (v !== null && v.trim().toLowerCase() !== 'no') return { nature: 'auto-reply', reason: `${name}: ${v.trim()}` };
  }
  const precedence = header(mail, 'precedence')?.trim().toLowerCase();
  if (precedence && ['bulk', 'junk', 'auto_reply'].includes(precedence)) {
    return { nature: 'auto-reply', reason: `Precedence: ${precedence}` };
  }
  // Exchange marks its own out-of-office answers this way.
  const suppress = header(mail, 'x-auto-response-suppress')?.toLowerCase() ?? '';
  if (
    /\b(all|oof|autoreply)\b/.test(suppress) &&
    /^(automatic reply|risposta automatica|fuori sede|out of office)/i.test(mail.subject ?? '')
  ) {
    return { nature: 'auto-reply', reason: 'out-of-office' };
  }
  if (nullSender) return { nature: 'auto-reply', reason: 'null sender <>' };
  return { nature: 'personal' };
}

/** What a bounce says about the message it returns: its Message-ID and whether delivery failed for good. */
function bounceDetails(mail: ParsedMail): { originalMessageIds: string[]; failed: boolean; diagnostic: string | null } {
  const ids: string[] = [];
  let statusText = '';
  for (const a of mail.attachments) {
    const t = a.contentType.toLowerCase();
    const body = a.content.subarray(0, 64 * 1024).toString('utf8');
    if (t === 'message/delivery-status' || t === 'message/global-delivery-status') statusText += `\n${body}`;
    if (
      t === 'message/rfc822' ||
      t === 'text/rfc822-headers' ||
      t === 'message/rfc822-headers' ||
      t === 'message/global' ||
      t === 'message/global-headers'
    ) {
      const head = body.split(/\r?\n\r?\n/)[0];
      const m = /^message-id:\s*(.+)$/im.exec(head);
      const id = normalizeMessageId(m?.[1]);
      if (id && !ids.includes(id)) ids.push(id);
    }
  }
  // Bounces that are not multipart/report quote the original in their text.
  if (!ids.length && mail.text) {
    for (const m of mail.text.matchAll(/^\s*message-id:\s*(<[^>\s]+>)/gim)) {
      const id = normalizeMessageId(m[1]);
      if (id && !ids.includes(id)) ids.push(id);
    }
  }
  for (const id of messageIdList(mail.inReplyTo, mail.references)) if (!ids.includes(id)) ids.push(id);

  const actions = [...statusText.matchAll(/^action:\s*([a-z]+)/gim)].map((m) => m[1].toLowerCase());
  const status = /^status:\s*([245]\.\d{1,3}\.\d{1,3})/im.exec(statusText)?.[1] ?? null;
  const diagnostic =
    /^diagnostic-code:\s*(?:[a-z0-9-]+;\s*)?(.+(?:\r?\n[ \t].+)*)/im.exec(statusText)?.[1]?.replace(/\s+/g, ' ').trim() ?? null;
  // Without a machine-readable report, a daemon's bounce is taken as a failure; "delayed" and
  // "relayed" reports are only news.
  const failed = actions.length ? actions.includes('failed') : status ? status.startsWith('5') : true;
  return { originalMessageIds: ids, failed, diagnostic: diagnostic ?? (status ? `status ${status}` : null) };
}
