import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ImapFlow } from 'imapflow';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { ChannelAccountsService, type LoadedAccount } from '../accounts/channel-accounts.service.js';
import { resolvePublicHost, tlsServername } from '../support/public-host.js';
import { MAIL_SERVER_UNUSABLE, parseEmailAccount } from './email-accounts.js';
import { EMAIL_CHANNEL } from './email-headers.js';

/**
 * When an administrator saves an e-mail account, says at once whether it can work: settings and
 * secrets that belong together (IMAP settings need IMAP credentials), and an IMAP login when the
 * account is to be polled. The answer is shown with the saved account; nothing is refused here.
 */
@Injectable()
export class EmailAccountCheck implements OnModuleInit {
  private readonly logger = new Logger(EmailAccountCheck.name);

  constructor(
    private readonly accounts: ChannelAccountsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.accounts.addListener({ channel: EMAIL_CHANNEL, saved: (a) => this.check(a) });
  }

  async check(a: LoadedAccount): Promise<{ ok: boolean; detail: string }> {
    const { account, problems } = parseEmailAccount({
      id: a.id,
      comuneId: a.comuneId,
      label: a.label,
      config: a.config,
      secrets: a.secrets,
    });
    if (!account) return { ok: false, detail: problems.map((p) => `${p.field}: ${p.message}`).join('; ') };
    if (!account.imap) return { ok: true, detail: `mail to ${account.address} is received by the built-in SMTP server` };
    const { host, port, secure, user, pass, mailbox } = account.imap;
    let client: ImapFlow | null = null;
    try {
      // The address checked is the address connected to (a second lookup could answer otherwise).
      const target = await resolvePublicHost(host, this.config.channelSecurity.allowPrivateHosts);
      client = new ImapFlow({
        host: target.address,
        ...tlsServername(host),
        port,
        secure,
        auth: { user, pass },
        logger: false,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
      });
      client.on('error', () => undefined);
      await client.connect();
      const status = await client.status(mailbox, { messages: true });
      return { ok: true, detail: `IMAP ${host}: logged in, ${mailbox} holds ${status ? status.messages : '?'} messages` };
    } catch (err) {
      // Refused, timed out, not IMAP, TLS, wrong login: one answer, so that saving an account
      // cannot be used to tell which hosts and ports answer. The reason is in the server log.
      const e = err as Error & { authenticationFailed?: boolean; responseText?: string; code?: string };
      this.logger.warn(
        `IMAP check of account ${a.id} (${host}:${port}) failed: ${e.authenticationFailed ? 'login refused' : ''} ${e.code ?? ''} ${e.responseText ?? e.message}`,
      );
      return { ok: false, detail: `IMAP: ${MAIL_SERVER_UNUSABLE}` };
    } finally {
      await client?.logout().catch(() => client?.close());
    }
  }
}
