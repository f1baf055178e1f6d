import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Processor } from '@nestjs/bullmq';
import nodemailer from 'nodemailer';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { outboundQueueName } from '../../jobs/jobs.js';
import { Metrics } from '../../ops/metrics.js';
import { AttachmentStorage } from '../../storage/storage.js';
import {
  PermanentDeliveryError,
  TransientDeliveryError,
  type ChannelAdapter,
  type DeliveryResult,
  type OutboundMessage,
} from '../channel-adapter.js';
import { OutboundDelivery, OutboundProcessor } from '../outbound-delivery.js';
import { PrivateHostError, resolvePublicHost, tlsServername } from '../support/public-host.js';
import { EmailAccounts, MAIL_SERVER_UNUSABLE, type EmailAccount } from './email-accounts.js';
import { EMAIL_CHANNEL, outboundMessageId, replySubject, subjectWithReference } from './email-headers.js';
import { renderReply } from './email-text.js';

type Transport = ReturnType<typeof nodemailer.createTransport>;

/** Threading keeps the root and the latest messages: enough for every mail client to place the reply. */
const MAX_REFERENCES = 12;

/**
 * Sends an operator's reply as an e-mail from the mailbox the citizen wrote to (or the comune's
 * first mailbox), in Italian with an English line, HTML and plain text, threaded under the
 * citizen's last mail (In-Reply-To, References, the ticket reference in the subject). The
 * Message-ID is derived from the stored message, so a retried send is the same mail and a bounce
 * or PEC receipt finds its way back to it.
 */
@Injectable()
export class EmailAdapter implements ChannelAdapter, OnModuleDestroy {
  readonly channel = EMAIL_CHANNEL;
  private readonly logger = new Logger(EmailAdapter.name);
  private readonly transports = new Map<string, Transport>();

  constructor(
    private readonly ds: DataSource,
    private readonly accounts: EmailAccounts,
    @Inject(AttachmentStorage) private readonly storage: AttachmentStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async deliver(m: OutboundMessage): Promise<DeliveryResult> {
    const [lastInbound] = await this.ds.query(
      `SELECT account_id, rfc_message_id, subject FROM email_messages
        WHERE ticket_id = $1 AND direction = 'inbound' AND kind <> 'ignored' ORDER BY id DESC LIMIT 1`,
      [m.ticketId],
    );
    const account = await this.accountFor(m.comuneId, lastInbound?.account_id ?? null);
    const [ticket] = await this.ds.query(
      `SELECT t.subject, c.name AS comune_name, msg.author_type
         FROM tickets t JOIN comuni c ON c.id = t.comune_id JOIN messages msg ON msg.id = $2
        WHERE t.id = $1`,
      [m.ticketId, m.messageId],
    );
    if (!ticket) throw new PermanentDeliveryError(`ticket ${m.ticketId} not found`);

    const rfcId = outboundMessageId(m.ticketReference, m.messageId, account.address);
    // Remembered before sending: a bounce or a PEC receipt can arrive before the send returns.
    await this.ds.query(
      `INSERT INTO email_messages (account_id, comune_id, rfc_message_id, direction, kind, ticket_id, message_id, subject)
       VALUES ($1, $2, $3, 'outbound', 'message', $4, $5, $6) ON CONFLICT (account_id, rfc_message_id) DO NOTHING`,
      [account.id, m.comuneId, rfcId, m.ticketId, m.messageId, null],
    );
    const thread: Array<{ rfc_message_id: string }> = await this.ds.query(
      `SELECT rfc_message_id FROM email_messages WHERE ticket_id = $1 AND kind <> 'ignored' AND rfc_message_id <> $2 ORDER BY id`,
      [m.ticketId, rfcId],
    );
    const ids = thread.map((r) => r.rfc_message_id);
    const references = ids.length > MAX_REFERENCES ? [ids[0], ...ids.slice(-(MAX_REFERENCES - 1))] : ids;

    const automatic = ticket.author_type === 'system' || ticket.author_type === 'bot';
    const body = renderReply({
      text: m.text,
      operatorName: m.operatorName,
      comuneName: ticket.comune_name,
      reference: m.ticketReference,
      automatic,
    });
    const attachments = await Promise.all(
      m.attachments.map(async (a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: await this.storage.get(a.storageKey),
      })),
    );
    // A ticket that did not come by mail (a notice to the contact a web-chat or phone citizen left)
    // starts its thread here; either way the reference in the subject brings a reply back to it.
    const subject = lastInbound
      ? replySubject(lastInbound.subject ?? ticket.subject, m.ticketReference)
      : subjectWithReference(ticket.subject, m.ticketReference);
    await this.ds.query(`UPDATE email_messages SET subject = $3 WHERE account_id = $1 AND rfc_message_id = $2`, [
      account.id,
      rfcId,
      subject,
    ]);

    const transport = await this.transportFor(account);
    try {
      await transport.sendMail({
        from: { name: account.displayName ?? `URP Comune di ${ticket.comune_name}`, address: account.address },
        to: m.recipient.displayName ? { name: m.recipient.displayName, address: m.recipient.address } : m.recipient.address,
        subject,
        text: body.text,
        html: body.html,
        messageId: `<${rfcId}>`,
        ...(lastInbound ? { inReplyTo: `<${lastInbound.rfc_message_id}>` } : {}),
        ...(references.length ? { references: references.map((r) => `<${r}>`) } : {}),
        attachments,
        headers: {
          'Content-Language': 'it',
          // Asks out-of-office responders to stay quiet; status notices are declared automatic (RFC 3834).
          'X-Auto-Response-Suppress': 'OOF, AutoReply',
          ...(automatic ? { 'Auto-Submitted': 'auto-generated' } : {}),
        },
      });
    } catch (err) {
      const classified = classifySmtpError(err);
      const e = err as { responseCode?: number; code?: string; message?: string };
      if (typeof e.responseCode === 'number' || !account.smtp) throw classified;
      // No SMTP reply: refused, timed out, not SMTP, TLS. The operator gets one message (the same
      // for every such failure: a reply cannot be used to probe hosts); the reason goes to the log.
      this.logger.warn(
        `SMTP of e-mail account ${account.id} (${account.smtp.host}:${account.smtp.port}): ${e.code ?? ''} ${e.message ?? String(err)}`,
      );
      const text = `Posta in uscita: ${MAIL_SERVER_UNUSABLE}`;
      throw classified instanceof PermanentDeliveryError ? new PermanentDeliveryError(text) : new TransientDeliveryError(text);
    }
    return { status: 'sent', externalId: `${account.id}:${rfcId}` };
  }

  private async accountFor(comuneId: number, accountId: number | null): Promise<EmailAccount> {
    const all = (await this.accounts.all()).filter((a) => a.comuneId === comuneId);
    const account = (accountId !== null ? all.find((a) => a.id === accountId) : undefined) ?? all[0];
    if (!account) throw new PermanentDeliveryError('il comune non ha una casella e-mail attiva / the comune has no enabled e-mail account');
    return account;
  }

  /**
   * The account's SMTP transport, to the address its host resolves to now, checked like the IMAP
   * server (CHANNEL_ALLOW_PRIVATE_HOSTS); the installation's default transport is not checked.
   */
  private async transportFor(account: EmailAccount): Promise<Transport> {
    const s = account.smtp;
    let address: string | null = null;
    if (s) {
      try {
        address = (await resolvePublicHost(s.host, this.config.channelSecurity.allowPrivateHosts)).address;
      } catch (err) {
        this.logger.warn(`SMTP of e-mail account ${account.id}: ${(err as Error).message}`);
        const text = `Posta in uscita: ${MAIL_SERVER_UNUSABLE}`;
        // A private host stays private; a name that does not resolve now may later.
        throw err instanceof PrivateHostError ? new PermanentDeliveryError(text) : new TransientDeliveryError(text);
      }
    }
    const key = s ? JSON.stringify([account.id, s.host, address, s.port, s.secure, s.user, s.pass]) : 'default';
    let t = this.transports.get(key);
    if (!t) {
      const timeouts = { connectionTimeout: 15_000, greetingTimeout: 10_000, socketTimeout: 60_000 };
      t = s
        ? nodemailer.createTransport({
            host: address!,
            port: s.port,
            secure: s.secure,
            tls: { ...tlsServername(s.host) },
            ...(s.user && s.pass ? { auth: { user: s.user, pass: s.pass } } : {}),
            ...timeouts,
          })
        : nodemailer.createTransport(this.config.email.defaultSmtpUrl);
      this.transports.set(key, t);
    }
    return t;
  }

  onModuleDestroy(): void {
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
  }
}

/**
 * SMTP says itself whether to try again: 4xx replies and broken connections are transient, 5xx
 * replies permanent (503 aside, a session hiccup), as are wrong credentials or settings, which
 * retrying in the next minutes cannot fix.
 */
export function classifySmtpError(err: unknown): Error {
  const e = err as { message?: string; code?: string; responseCode?: number; permanent?: boolean; response?: string };
  const detail = (e.response ?? e.message ?? String(err)).replace(/\s+/g, ' ').slice(0, 300);
  if (e.permanent === true || (typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode !== 503)) {
    return new PermanentDeliveryError(`SMTP ${e.responseCode ?? ''} ${detail}`.replace(/\s+/g, ' ').trim());
  }
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH' || e.code === 'ECONFIG') return new PermanentDeliveryError(`SMTP ${e.code}: ${detail}`);
  return new TransientDeliveryError(`SMTP ${e.responseCode ?? e.code ?? ''} ${detail}`.replace(/\s+/g, ' ').trim());
}

@Processor(outboundQueueName(EMAIL_CHANNEL), { limiter: { max: 10, duration: 1000 } })
export class EmailOutboundProcessor extends OutboundProcessor {
  constructor(delivery: OutboundDelivery, metrics: Metrics) {
    super(delivery, metrics);
  }
}
