import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ImapFlow } from 'imapflow';
import { ChannelAccountsService, type LoadedAccount } from '../accounts/channel-accounts.service.js';
import { parseEmailAccount } from './email-accounts.js';
import { EMAIL_CHANNEL } from './email-headers.js';

/**
 * When an administrator saves an e-mail account, says at once whether it can work: settings and
 * secrets that belong together (IMAP settings need IMAP credentials), and an IMAP login when the
 * account is to be polled. The answer is shown with the saved account; nothing is refused here.
 */
@Injectable()
export class EmailAccountCheck implements OnModuleInit {
  constructor(private readonly accounts: ChannelAccountsService) {}

  onModuleInit(): void {
    this.accounts.addListener({ channel: EMAIL_CHANNEL, saved: (a) => this.check(a) });
  }

  async check(a: LoadedAccount): Promise<{ ok: boolean; detail: string }> {
    const { account, problems } = parseEmailAccount({ id: a.id, comuneId: a.comuneId, label: a.label, config: a.config, secrets: a.secrets });
    if (!account) return { ok: false, detail: problems.map((p) => `${p.field}: ${p.message}`).join('; ') };
    if (!account.imap) return { ok: true, detail: `mail to ${account.address} is received by the built-in SMTP server` };
    const { host, port, secure, user, pass, mailbox } = account.imap;
    const client = new ImapFlow({ host, port, secure, auth: { user, pass }, logger: false, connectionTimeout: 10_000, greetingTimeout: 10_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const status = await client.status(mailbox, { messages: true });
      return { ok: true, detail: `IMAP ${host}: logged in, ${mailbox} holds ${status ? status.messages : '?'} messages` };
    } catch (err) {
      const e = err as Error & { authenticationFailed?: boolean; responseText?: string };
      const why = e.authenticationFailed ? `login refused${e.responseText ? ` (${e.responseText})` : ''}` : e.responseText ?? e.message;
      return { ok: false, detail: `IMAP ${host}:${port}: ${why}` };
    } finally {
      await client.logout().catch(() => client.close());
    }
  }
}
