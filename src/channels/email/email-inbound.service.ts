import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { simpleParser, type Attachment, type ParsedMail } from 'mailparser';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { AttachmentStorage, sniffContentType } from '../../storage/storage.js';
import type { InboundAttachment } from '../../conversations/inbound-message.js';
import { IngestService } from '../../conversations/ingest.service.js';
import { OutboundDelivery } from '../outbound-delivery.js';
import { adoptNoticeRecipient } from '../notifications/contact-adoption.js';
import { classifyMail } from './automated-mail.js';
import type { EmailAccount } from './email-accounts.js';
import { EmailAccounts } from './email-accounts.js';
import { EMAIL_CHANNEL, messageIdList, normalizeAddress, normalizeMessageId, referenceInSubject } from './email-headers.js';
import { stripQuotedReply } from './email-text.js';
import { parseDatiCert, pecNature, receiptDeliveryState, receiptFailureText, type DatiCert } from './pec.js';
import { PecSignatureVerifier, type PecSignatureState } from './pec-signature.js';
import { InScope } from '../../tenancy/db-scope.js';
import { TenantScope } from '../../common/tenant-scope.js';

export interface RawMail {
  raw: Buffer;
  account: EmailAccount;
  /** SMTP reverse path (`''` for the null sender); unknown for mail read over IMAP. */
  envelopeFrom?: string | null;
  correlationId?: string;
}

export type InboundOutcome =
  | { outcome: 'stored'; duplicate: boolean; ticketReference: string; ticketCreated: boolean; messageId: string; pec: boolean }
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'status'; reason: string; updatedMessageId: string | null };

const PARSE_OPTIONS = {
  // postacert.eml, forwarded mails and returned messages stay attachments: we decide what to open.
  ignoreEmbedded: true,
  keepDeliveryStatus: true,
  skipImageLinks: true,
  skipTextToHtml: true,
  keepCidLinks: true,
  maxHtmlLengthToParse: 2 * 1024 * 1024,
} as const;

const MAX_ATTACHMENTS = 20;

/**
 * Turns one raw mail received on a comune's mailbox into what Sportello does with it: a citizen's
 * message (a new ticket, or a reply threaded into its ticket), a PEC transport envelope unwrapped
 * to the citizen's original, a delivery state for one of our replies (bounce, PEC receipt), or
 * nothing at all (auto-replies, our own mail coming back). Safe to call twice with the same mail.
 */
@Injectable()
export class EmailInbound {
  private readonly logger = new Logger(EmailInbound.name);

  constructor(
    private readonly ds: DataSource,
    private readonly ingest: IngestService,
    private readonly delivery: OutboundDelivery,
    private readonly accounts: EmailAccounts,
    private readonly pecSignatures: PecSignatureVerifier,
    @Inject(AttachmentStorage) private readonly storage: AttachmentStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @InScope((input: RawMail) => TenantScope.ofComune(input.account.comuneId))
  async receive(input: RawMail): Promise<InboundOutcome> {
    const { account } = input;
    const envelope = await simpleParser(input.raw, PARSE_OPTIONS);
    const rfcId =
      normalizeMessageId(envelope.messageId) ??
      `sha256-${createHash('sha256').update(input.raw).digest('hex').slice(0, 40)}@sportello.invalid`;

    const [known] = await this.ds.query(
      `SELECT direction, kind, message_id FROM email_messages WHERE account_id = $1 AND rfc_message_id = $2`,
      [account.id, rfcId],
    );
    if (known?.direction === 'outbound') return { outcome: 'ignored', reason: 'our own message came back' };
    if (known?.kind === 'ignored') return { outcome: 'ignored', reason: 'already handled' };

    const fromAddress = normalizeAddress(envelope.from?.value[0]?.address);
    if (fromAddress && (await this.accounts.ownAddresses(account.comuneId)).has(fromAddress)) {
      await this.remember(account, rfcId, 'ignored', null, null, envelope.subject);
      return { outcome: 'ignored', reason: `sent by one of our own mailboxes (${fromAddress})` };
    }

    // PEC first: receipts and envelopes carry a machine sender but are not auto-replies.
    const datiCertPart = envelope.attachments.find((a) => (a.filename ?? '').toLowerCase() === 'daticert.xml');
    const datiCert = datiCertPart ? parseDatiCert(datiCertPart.content.toString('utf8')) : null;
    const pec = pecNature({ trasporto: headerText(envelope, 'x-trasporto'), ricevuta: headerText(envelope, 'x-ricevuta') }, datiCert);

    if (pec.nature === 'receipt') {
      // A receipt whose provider signature is known to be false must not move our reply's state.
      const forged = account.pec && (await this.pecSignatures.verify(input.raw)) === 'invalid';
      if (forged) {
        await this.remember(account, rfcId, 'ignored', null, null, envelope.subject);
        return { outcome: 'ignored', reason: `PEC receipt (${pec.type}) with an invalid provider signature` };
      }
      const outcome = account.pec ? await this.applyPecReceipt(account, envelope, pec.type, datiCert) : null;
      await this.remember(account, rfcId, 'ignored', null, null, envelope.subject);
      return outcome ?? { outcome: 'ignored', reason: `PEC receipt (${pec.type}) on a mailbox that is not PEC` };
    }

    let mail = envelope;
    const extra: InboundAttachment[] = [];
    const notes: string[] = [];
    let signature: PecSignatureState | null = null;
    if (pec.nature === 'envelope') {
      signature = await this.pecSignatures.verify(input.raw);
      const original =
        envelope.attachments.find((a) => (a.filename ?? '').toLowerCase() === 'postacert.eml') ??
        envelope.attachments.find((a) => a.contentType.toLowerCase() === 'message/rfc822');
      if (original) mail = await simpleParser(original.content, PARSE_OPTIONS);
      // The certification is the citizen's proof of sending: kept with the message, as received.
      if (datiCertPart) extra.push(await this.keep(datiCertPart.content, 'daticert.xml', 'application/xml'));
      if (input.raw.length <= this.config.maxAttachmentBytes) extra.push(await this.keep(input.raw, 'ricevuta-pec.eml', 'message/rfc822'));
      else notes.push(`[busta PEC non conservata: supera ${mb(this.config.maxAttachmentBytes)} MB]`);
      if (pec.anomaly) notes.push("[PEC: il gestore ha segnalato un'anomalia, il messaggio non è certificato]");
    }

    // Only the SMTP envelope of the outer message says anything about the original's sender.
    const nature = classifyMail(mail, pec.nature === 'envelope' ? undefined : input.envelopeFrom);
    if (nature.nature === 'bounce') {
      const updated = nature.failed ? await this.applyBounce(account, nature.originalMessageIds, nature.diagnostic) : null;
      await this.remember(account, rfcId, 'ignored', null, null, envelope.subject);
      return updated
        ? { outcome: 'status', reason: nature.reason, updatedMessageId: updated }
        : { outcome: 'ignored', reason: `bounce: ${nature.reason}` };
    }
    if (nature.nature === 'auto-reply') {
      await this.remember(account, rfcId, 'ignored', null, null, envelope.subject);
      return { outcome: 'ignored', reason: `automatic reply: ${nature.reason}` };
    }

    const sender =
      normalizeAddress(mail.from?.value[0]?.address) ?? (pec.nature === 'envelope' ? normalizeAddress(datiCert?.mittente) : null);
    if (!sender) {
      await this.remember(account, rfcId, 'ignored', null, null, envelope.subject);
      return { outcome: 'ignored', reason: 'no sender address' };
    }
    const displayName = mail.from?.value[0]?.name?.trim().slice(0, 120) || null;
    const subject = (mail.subject ?? datiCert?.oggetto ?? '').replace(/\s+/g, ' ').trim().slice(0, 300) || null;

    const reference = await this.threadReference(account.comuneId, mail, subject);
    // A reply from the address a citizen left for updates (we wrote to it about this ticket) is theirs.
    if (reference)
      await adoptNoticeRecipient(this.ds, { channel: EMAIL_CHANNEL, address: sender, displayName, comuneId: account.comuneId, reference });
    const { text, attachments } = await this.content(mail, Boolean(reference), notes);
    attachments.push(...extra);

    const result = await this.ingest.ingest({
      channel: EMAIL_CHANNEL,
      comuneId: account.comuneId,
      externalId: `${account.id}:${rfcId}`,
      sender: { address: sender, displayName },
      text,
      attachments,
      ticket: reference ? { reference, subject } : { subject, forceNew: true },
      correlationId: input.correlationId,
    });
    await this.remember(
      account,
      rfcId,
      // Absorbed by an interceptor (a portal link code): on no ticket, remembered only so a second delivery is skipped.
      result.absorbed ? 'ignored' : pec.nature === 'envelope' ? 'pec' : 'message',
      result.absorbed ? null : result.ticketId,
      result.absorbed ? null : result.messageId,
      subject,
      signature,
    );
    // The message went out to the console before its PEC signature state was stored: shown again with it.
    if (signature && !result.duplicate && !result.absorbed) await this.delivery.announce(result.messageId).catch(() => undefined);
    return {
      outcome: 'stored',
      duplicate: result.duplicate,
      ticketReference: result.ticketReference,
      ticketCreated: result.ticketCreated,
      messageId: result.messageId,
      pec: pec.nature === 'envelope',
    };
  }

  /** The ticket a reply belongs to: by the Message-IDs it answers, else by a reference in its subject. */
  private async threadReference(comuneId: number, mail: ParsedMail, subject: string | null): Promise<string | null> {
    // In-Reply-To names the direct parent; References lists the thread oldest first.
    const parents = messageIdList(mail.inReplyTo, ...messageIdList(mail.references).reverse());
    if (parents.length) {
      const [hit] = await this.ds.query(
        `SELECT t.reference FROM email_messages e JOIN tickets t ON t.id = e.ticket_id
          WHERE e.comune_id = $1 AND e.rfc_message_id = ANY($2::text[])
          ORDER BY array_position($2::text[], e.rfc_message_id), e.id DESC LIMIT 1`,
        [comuneId, parents.slice(0, 50)],
      );
      if (hit) return hit.reference;
    }
    const quoted = referenceInSubject(subject);
    if (quoted) {
      const [t] = await this.ds.query(`SELECT reference FROM tickets WHERE comune_id = $1 AND reference = $2`, [comuneId, quoted]);
      if (t) return t.reference;
    }
    return null;
  }

  /** The text and files of a citizen's mail, within the limits the ingest pipeline and storage set. */
  private async content(mail: ParsedMail, isReply: boolean, notes: string[]): Promise<{ text: string; attachments: InboundAttachment[] }> {
    let body = (mail.text ?? '')
      .replace(/\r\n/g, '\n')
      .replace(/[ \t]+$/gm, '')
      .trim();
    if (isReply) body = stripQuotedReply(body);
    const attachments: InboundAttachment[] = [];
    const files = mail.attachments.filter((a) => !isTransportPart(a));
    for (const [i, a] of files.entries()) {
      const name = safeFilename(a.filename, `allegato-${i + 1}`);
      if (i >= MAX_ATTACHMENTS) {
        notes.push(`[allegato «${name}» non conservato: più di ${MAX_ATTACHMENTS} allegati]`);
        continue;
      }
      if (a.size > this.config.maxAttachmentBytes) {
        notes.push(`[allegato «${name}» non conservato: supera ${mb(this.config.maxAttachmentBytes)} MB]`);
        continue;
      }
      const kind = sniffMailAttachment(a.content);
      if (!kind) {
        notes.push(`[allegato «${name}» non conservato: tipo di file non ammesso]`);
        continue;
      }
      attachments.push(await this.keep(a.content, withExtension(name, kind.ext), kind.type));
    }
    const limit = this.config.maxMessageLength;
    const noteText = notes.join('\n');
    let text = [body, noteText].filter(Boolean).join('\n\n');
    if (text.length > limit) {
      // The whole text is kept as a file; the message shows its beginning.
      attachments.push(await this.keep(Buffer.from(body, 'utf8'), 'testo-completo.txt', 'text/plain'));
      const tail = `\n\n[testo completo nell'allegato testo-completo.txt]${noteText ? `\n${noteText}` : ''}`;
      text = `${body.slice(0, Math.max(0, limit - tail.length - 1))}…${tail}`.slice(0, limit);
    }
    if (!text.trim() && !attachments.length) text = mail.subject?.trim() || '(messaggio senza testo)';
    return { text, attachments };
  }

  private async keep(bytes: Buffer, filename: string, contentType: string): Promise<InboundAttachment> {
    const storageKey = await this.storage.put(bytes);
    return { storageKey, filename, contentType, sizeBytes: bytes.length };
  }

  /** A bounce of one of our replies marks it failed, with the remote server's reason. */
  private async applyBounce(account: EmailAccount, originalIds: string[], diagnostic: string | null): Promise<string | null> {
    const reason = `Messaggio respinto dal server del destinatario${diagnostic ? `: ${diagnostic.slice(0, 300)}` : ''}`;
    return this.applyDeliveryState(account, originalIds, 'failed', reason);
  }

  private async applyPecReceipt(
    account: EmailAccount,
    receipt: ParsedMail,
    type: Parameters<typeof receiptDeliveryState>[0],
    d: DatiCert | null,
  ): Promise<InboundOutcome> {
    const state = receiptDeliveryState(type);
    const ids = messageIdList(headerText(receipt, 'x-riferimento-message-id'), d?.msgid ? `<${d.msgid}>` : null);
    const updated = state
      ? await this.applyDeliveryState(account, ids, state, state === 'failed' ? receiptFailureText(type, d) : null)
      : null;
    return { outcome: 'status', reason: `PEC receipt ${type}`, updatedMessageId: updated };
  }

  /** Moves one of our replies forward (never back: a late acceptance does not undo a delivery). */
  private async applyDeliveryState(
    account: EmailAccount,
    rfcIds: string[],
    state: 'sent' | 'delivered' | 'failed',
    error: string | null,
  ): Promise<string | null> {
    if (!rfcIds.length) return null;
    const [row] = await this.ds.query(
      `SELECT m.id, m.delivery_status FROM email_messages e JOIN messages m ON m.id = e.message_id
        WHERE e.account_id = $1 AND e.direction = 'outbound' AND e.rfc_message_id = ANY($2::text[]) LIMIT 1`,
      [account.id, rfcIds],
    );
    if (!row) return null;
    if (!(await this.delivery.setStatus(String(row.id), state, error))) return null;
    this.logger.log(`message ${row.id}: ${state}${error ? ` (${error})` : ''}`);
    return String(row.id);
  }

  private async remember(
    account: EmailAccount,
    rfcId: string,
    kind: 'message' | 'pec' | 'ignored',
    ticketId: string | null,
    messageId: string | null,
    subject: string | null | undefined,
    pecSignature: PecSignatureState | null = null,
  ): Promise<void> {
    await this.ds.query(
      `INSERT INTO email_messages (account_id, comune_id, rfc_message_id, direction, kind, ticket_id, message_id, subject, pec_signature)
       VALUES ($1, $2, $3, 'inbound', $4, $5, $6, $7, $8) ON CONFLICT (account_id, rfc_message_id) DO NOTHING`,
      [account.id, account.comuneId, rfcId, kind, ticketId, messageId, subject?.slice(0, 300) ?? null, pecSignature],
    );
  }
}

function headerText(mail: ParsedMail, name: string): string | null {
  const v = mail.headers.get(name);
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return null;
}

/** Parts of a PEC envelope or a report that are not the citizen's files. */
function isTransportPart(a: Attachment): boolean {
  const name = (a.filename ?? '').toLowerCase();
  const type = a.contentType.toLowerCase();
  return (
    name === 'daticert.xml' ||
    name === 'postacert.eml' ||
    name === 'smime.p7s' ||
    type === 'application/pkcs7-signature' ||
    type === 'application/x-pkcs7-signature' ||
    type === 'message/delivery-status' ||
    type === 'message/disposition-notification'
  );
}

/**
 * Mail carries more kinds of files than a chat: besides what `sniffContentType` recognises by its
 * bytes, plain text, XML and forwarded mails are accepted when their bytes are what they claim
 * (valid UTF-8 text, an XML declaration, a mail header block). Executables, archives and anything
 * unknown are refused.
 */
export function sniffMailAttachment(bytes: Buffer): { type: string; ext: string } | null {
  const known = sniffContentType(bytes);
  if (known) return known;
  if (!isText(bytes)) return null;
  const head = bytes
    .subarray(0, 4096)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  if (/^<\?xml[\s?]/.test(head)) return { type: 'application/xml', ext: 'xml' };
  if (
    /^(?:[A-Za-z][A-Za-z0-9-]*:[^\n]*\n(?:[ \t][^\n]*\n)*)+/.test(head.replace(/\r\n/g, '\n')) &&
    /^(from|received|message-id|date):/im.test(head) &&
    /\r?\n\r?\n/.test(head)
  )
    return { type: 'message/rfc822', ext: 'eml' };
  return { type: 'text/plain', ext: 'txt' };
}

function isText(bytes: Buffer): boolean {
  if (bytes.length === 0) return false;
  const sample = bytes.subarray(0, 64 * 1024);
  for (const b of sample) if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b)) return false;
  // Valid UTF-8 (or plain ASCII): a lone byte ≥ 0x80 in Latin-1 text is accepted too, replaced on display.
  return true;
}

function safeFilename(name: string | undefined, fallback: string): string {
  const clean = (name ?? '')
    .replace(/[\\/]/g, '_')
    .replace(/[\u0000-\u001f<>:"|?*]/g, '_')
    .trim()
    .slice(0, 200);
  return clean || fallback;
}

function withExtension(name: string, ext: string): string {
  return name.includes('.') ? name : `${name}.${ext}`;
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1);
}
