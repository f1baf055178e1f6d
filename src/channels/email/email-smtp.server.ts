import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { newCorrelationId, withCorrelation } from '../../common/correlation.js';
import { RejectedInputError } from '../../common/errors.js';
import { EmailAccounts, type EmailAccount } from './email-accounts.js';
import { EmailInbound } from './email-inbound.service.js';

/** An SMTP reply with its code: 4xx asks the sending server to try again later, 5xx refuses for good. */
function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * The built-in SMTP server: the MX of a comune's Sportello domain, or the target of a forwarding
 * rule on its own mail server. Recipients are checked against the comuni's mailboxes at RCPT
 * time; the mail is acknowledged (250) only once stored, so a sender that got 250 never loses it,
 * and a failure answers 451 so that the sending server retries.
 */
@Injectable()
export class EmailSmtpServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(EmailSmtpServer.name);
  private server: SMTPServer | null = null;
  private boundPort: number | null = null;

  constructor(
    private readonly accounts: EmailAccounts,
    private readonly inbound: EmailInbound,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The port actually bound (useful when configured as 0). */
  get port(): number | null {
    return this.boundPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    const c = this.config.email;
    if (!c.smtpEnabled) return;
    const tls = c.smtpTls ? { key: readFileSync(c.smtpTls.keyFile), cert: readFileSync(c.smtpTls.certFile) } : null;
    const server = new SMTPServer({
      name: 'sportello',
      banner: 'Sportello URP',
      size: c.maxMessageBytes,
      authOptional: !c.smtpAuth,
      ...(c.smtpAuth ? { authMethods: ['PLAIN', 'LOGIN'] } : { disabledCommands: ['AUTH'] }),
      // Without a certificate of our own, STARTTLS would present the library's published test key.
      ...(tls ? { key: tls.key, cert: tls.cert } : { hideSTARTTLS: true, allowInsecureAuth: true }),
      disableReverseLookup: true,
      logger: false,
      maxClients: 200,
      socketTimeout: 60_000,
      closeTimeout: 5_000,
      onAuth: (auth, _session, cb) => {
        const a = c.smtpAuth;
        if (a && auth.username && auth.password && sameSecret(auth.username, a.user) && sameSecret(auth.password, a.password)) {
          return cb(null, { user: auth.username });
        }
        cb(smtpError(535, '5.7.8 Credenziali non valide / authentication failed'));
      },
      onRcptTo: (address, session, cb) => {
        this.accounts.forRecipient(address.address).then(
          (account) => {
            if (!account) return cb(smtpError(550, `5.1.1 <${address.address}>: destinatario sconosciuto / no such mailbox here`));
            sessionAccounts(session).set(account.id, account);
            cb();
          },
          (err) => {
            this.logger.warn(`recipient lookup failed: ${(err as Error).message}`);
            cb(smtpError(451, '4.3.0 Servizio temporaneamente non disponibile, riprovare / try again later'));
          },
        );
      },
      onData: (stream, session, cb) => this.onData(stream, session, cb),
    });
    server.on('error', (err) => this.logger.warn(`SMTP server: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error) =>
        reject(
          new Error(
            `the e-mail SMTP server cannot listen on ${c.smtpHost}:${c.smtpPort} (${err.message}); set EMAIL_SMTP_PORT, or EMAIL_SMTP_ENABLED=false to run without it`,
          ),
        );
      server.server.once('error', failed);
      server.listen(c.smtpPort, c.smtpHost, () => {
        server.server.off('error', failed);
        resolve();
      });
    });
    this.server = server;
    this.boundPort = (server.server.address() as AddressInfo).port;
    this.logger.log(`SMTP server listening on ${c.smtpHost}:${this.boundPort}`);
  }

  private onData(stream: SMTPServerDataStream, session: SMTPServerSession, cb: (err?: Error | null) => void): void {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', (err) => cb(smtpError(451, `4.3.0 ${err.message}`)));
    stream.on('end', () => {
      if (stream.sizeExceeded)
        return cb(smtpError(552, `5.3.4 Messaggio troppo grande / message exceeds ${this.config.email.maxMessageBytes} bytes`));
      const raw = Buffer.concat(chunks);
      const mailFrom = session.envelope.mailFrom;
      const envelopeFrom = mailFrom === false ? undefined : mailFrom.address;
      const accounts = [...sessionAccounts(session).values()];
      withCorrelation(newCorrelationId(), async () => {
        // One mail addressed to two comuni is a message for each of them.
        for (const account of accounts) await this.inbound.receive({ raw, account, envelopeFrom });
      }).then(
        () => cb(),
        (err: Error) => {
          if (err instanceof RejectedInputError) return cb(smtpError(550, `5.6.0 ${err.field}: ${err.message}`));
          this.logger.error({ err }, 'storing an inbound mail failed');
          cb(smtpError(451, '4.3.0 Impossibile salvare il messaggio ora, riprovare / could not store the message, try again later'));
        },
      );
    });
  }

  /** Before the database closes: a mail being stored finishes (idle connections are cut after 5 s). */
  async onModuleDestroy(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The accounts the current transaction's recipients map to; reset by smtp-server for each MAIL FROM. */
function sessionAccounts(session: SMTPServerSession): Map<number, EmailAccount> {
  const s = session as SMTPServerSession & { sportello?: { transaction: number; accounts: Map<number, EmailAccount> } };
  if (!s.sportello || s.sportello.transaction !== session.transaction)
    s.sportello = { transaction: session.transaction, accounts: new Map() };
  return s.sportello.accounts;
}
