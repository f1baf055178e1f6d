import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ImapFlow } from 'imapflow';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { newCorrelationId, withCorrelation } from '../../common/correlation.js';
import { RejectedInputError } from '../../common/errors.js';
import { PrivateHostError, resolvePublicHost, tlsServername } from '../support/public-host.js';
import { EmailAccounts, type EmailAccount } from './email-accounts.js';
import { EmailInbound } from './email-inbound.service.js';
import { InSystemScope } from '../../tenancy/db-scope.js';

/** Keyword set on messages Sportello has stored, for whoever else reads the mailbox. */
export const PROCESSED_KEYWORD = '$SportelloProcessed';
const SKIPPED_KEYWORD = '$SportelloSkipped';
/** A message that fails this many polls in a row is skipped (and flagged), not retried for ever. */
const MAX_ATTEMPTS = 3;
const ADVISORY_LOCK_CLASS = 8245;

/**
 * Reads the existing mailboxes of accounts with IMAP settings. Progress is the highest UID
 * stored, kept in `email_imap_state` with the mailbox's UIDVALIDITY: after a restart polling
 * resumes where it stopped, and if the server renumbers the mailbox everything is read again and
 * the Message-IDs make the second reading store nothing new. Processed messages are moved to
 * `processedMailbox` when the account names one, otherwise flagged \Seen and $SportelloProcessed.
 * Several worker processes may run: a PostgreSQL advisory lock lets one of them poll an account.
 */
@Injectable()
export class EmailImapPoller implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(EmailImapPoller.name);
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private running: Promise<void> | null = null;
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly ds: DataSource,
    private readonly accounts: EmailAccounts,
    private readonly inbound: EmailInbound,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pollAll().finally(() => {
        this.running = null;
        this.schedule(this.config.email.imapPollMs);
      });
    }, ms);
    this.timer.unref();
  }

  /** One pass over every mailbox to poll; accounts are independent, a broken one does not stop the others. */
  @InSystemScope('email-imap')
  async pollAll(): Promise<void> {
    let accounts: EmailAccount[];
    try {
      accounts = (await this.accounts.all()).filter((a) => a.imap);
    } catch (err) {
      this.logger.warn(`cannot list e-mail accounts: ${(err as Error).message}`);
      return;
    }
    await Promise.all(accounts.map((a) => this.pollAccount(a).catch((err: Error) => this.recordError(a, err))));
  }

  private async pollAccount(account: EmailAccount): Promise<void> {
    const imap = account.imap!;
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock($1, $2) AS locked`, [ADVISORY_LOCK_CLASS, account.id]);
      if (!locked) return;
      try {
        await this.readMailbox(account, imap);
      } finally {
        await runner.query(`SELECT pg_advisory_unlock($1, $2)`, [ADVISORY_LOCK_CLASS, account.id]);
      }
    } finally {
      await runner.release();
    }
  }

  private async readMailbox(account: EmailAccount, imap: NonNullable<EmailAccount['imap']>): Promise<void> {
    // Checked again here, not only when the account was saved: settings written behind the API's
    // back, or a name that now resolves elsewhere, must not make the worker connect to a private host.
    const target = await resolvePublicHost(imap.host, this.config.channelSecurity.allowPrivateHosts);
    const client = new ImapFlow({
      host: target.address,
      ...tlsServername(imap.host),
      port: imap.port,
      secure: imap.secure,
      auth: { user: imap.user, pass: imap.pass },
      logger: false,
      disableAutoIdle: true,
      connectionTimeout: 15_000,
      greetingTimeout: 10_000,
      socketTimeout: 60_000,
    });
    client.on('error', (err: Error) => this.logger.warn(`IMAP account ${account.id}: ${err.message}`));
    await client.connect();
    try {
      if (imap.processedMailbox) await client.mailboxCreate(imap.processedMailbox).catch(() => undefined);
      const lock = await client.getMailboxLock(imap.mailbox);
      try {
        const box = client.mailbox;
        if (!box) throw new Error(`mailbox ${imap.mailbox} could not be opened`);
        const uidValidity = String(box.uidValidity);
        const lastUid = await this.resumeFrom(account.id, imap.mailbox, uidValidity);
        // Collected first: the connection cannot run other commands while a FETCH is streaming.
        const pending: Array<{ uid: number; size: number }> = [];
        for await (const m of client.fetch(`${lastUid + 1}:*`, { uid: true, size: true }, { uid: true })) {
          // "N:*" always returns the newest message, even when its UID is below N.
          if (m.uid > lastUid) pending.push({ uid: m.uid, size: m.size ?? 0 });
        }
        pending.sort((a, b) => a.uid - b.uid);
        for (const { uid, size } of pending) {
          if (this.stopped) break;
          const done = await this.readOne(client, account, uid, size);
          if (!done) break;
          await this.ds.query(
            `UPDATE email_imap_state SET last_uid = GREATEST(last_uid, $2), last_error = NULL, polled_at = now() WHERE account_id = $1`,
            [account.id, uid],
          );
          await this.markProcessed(client, imap, uid, done === 'skipped');
        }
        await this.ds.query(`UPDATE email_imap_state SET polled_at = now() WHERE account_id = $1`, [account.id]);
      } finally {
        lock.release();
      }
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  /** The highest UID already stored; 0 for a new mailbox or when UIDVALIDITY changed. */
  private async resumeFrom(accountId: number, mailbox: string, uidValidity: string): Promise<number> {
    const [state] = await this.ds.query(
      `SELECT mailbox, uid_validity::text AS uid_validity, last_uid FROM email_imap_state WHERE account_id = $1`,
      [accountId],
    );
    if (state && state.mailbox === mailbox && state.uid_validity === uidValidity) return Number(state.last_uid);
    if (state && state.uid_validity !== '0')
      this.logger.warn(`IMAP account ${accountId}: mailbox ${mailbox} changed UIDVALIDITY, reading it again (duplicates are recognised)`);
    await this.ds.query(
      `INSERT INTO email_imap_state (account_id, mailbox, uid_validity, last_uid) VALUES ($1, $2, $3, 0)
       ON CONFLICT (account_id) DO UPDATE SET mailbox = $2, uid_validity = $3, last_uid = 0, polled_at = now()`,
      [accountId, mailbox, uidValidity],
    );
    return 0;
  }

  /** Stores one message; false stops this pass (to retry it next time), 'skipped' means given up on. */
  private async readOne(client: ImapFlow, account: EmailAccount, uid: number, size: number): Promise<'stored' | 'skipped' | false> {
    const key = `${account.id}:${uid}`;
    try {
      const raw = size > this.config.email.maxMessageBytes ? await this.oversized(client, uid, size) : await this.source(client, uid);
      if (!raw) return 'skipped';
      await withCorrelation(newCorrelationId(), () => this.inbound.receive({ raw, account }));
      this.failures.delete(key);
      return 'stored';
    } catch (err) {
      const attempts = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, attempts);
      if (err instanceof RejectedInputError || attempts >= MAX_ATTEMPTS) {
        this.failures.delete(key);
        this.logger.error(`IMAP account ${account.id}: message UID ${uid} skipped after ${attempts} attempt(s): ${(err as Error).message}`);
        return 'skipped';
      }
      this.logger.warn(`IMAP account ${account.id}: message UID ${uid} not stored yet: ${(err as Error).message}`);
      await this.recordError(account, err as Error);
      return false;
    }
  }

  private async source(client: ImapFlow, uid: number): Promise<Buffer | null> {
    const m = await client.fetchOne(String(uid), { source: true }, { uid: true });
    return m && m.source ? m.source : null;
  }

  /**
   * A message too large to fetch still reaches the operator: its headers, with a note saying to
   * read it in the mailbox, where it is left.
   */
  private async oversized(client: ImapFlow, uid: number, size: number): Promise<Buffer | null> {
    const m = await client.fetchOne(String(uid), { headers: true }, { uid: true });
    if (!m || !m.headers) return null;
    const headers = m.headers
      .toString('utf8')
      .replace(/\r?\n$/, '')
      .split(/\r?\n(?![ \t])/)
      .filter((h) => !/^(content-type|content-transfer-encoding|mime-version):/i.test(h))
      .join('\r\n');
    const note = `[Messaggio di ${(size / 1024 / 1024).toFixed(1)} MB, troppo grande per essere importato: consultarlo nella casella di posta.]`;
    return Buffer.from(
      `${headers}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${note}\r\n`,
      'utf8',
    );
  }

  private async markProcessed(client: ImapFlow, imap: NonNullable<EmailAccount['imap']>, uid: number, skipped: boolean): Promise<void> {
    try {
      if (imap.processedMailbox && !skipped) {
        await client.messageMove(String(uid), imap.processedMailbox, { uid: true });
      } else {
        await client.messageFlagsAdd(String(uid), skipped ? [SKIPPED_KEYWORD] : ['\\Seen', PROCESSED_KEYWORD], { uid: true });
      }
    } catch (err) {
      // The UID bookmark already says it is done; marking is a courtesy to human readers.
      this.logger.warn(`could not mark message UID ${uid}: ${(err as Error).message}`);
    }
  }

  private async recordError(account: EmailAccount, err: Error): Promise<void> {
    this.logger.warn(`IMAP account ${account.id} (${account.label}): ${err.message}`);
    const stored =
      err instanceof PrivateHostError
        ? `refused: ${account.imap?.host} is not a public mail server (CHANNEL_ALLOW_PRIVATE_HOSTS)`
        : err.message;
    // A mailbox never read yet has no state row: one is made (UIDVALIDITY 0, unknown) to hold the error.
    await this.ds
      .query(
        `INSERT INTO email_imap_state (account_id, mailbox, uid_validity, last_uid, last_error) VALUES ($1, $2, 0, 0, $3)
       ON CONFLICT (account_id) DO UPDATE SET last_error = $3`,
        [account.id, account.imap?.mailbox ?? 'INBOX', stored.slice(0, 500)],
      )
      .catch(() => undefined);
  }
}
