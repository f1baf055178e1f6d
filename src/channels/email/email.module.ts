import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { ProcessRoles } from '../../common/roles.js';
import { ChannelRegistry } from '../channel-registry.js';
import { EmailAccounts } from './email-accounts.js';
import { EmailAdapter, EmailOutboundProcessor } from './email.adapter.js';
import { EmailImapPoller } from './email-imap.poller.js';
import { EmailInbound } from './email-inbound.service.js';
import { EmailSmtpServer } from './email-smtp.server.js';

/**
 * E-mail and PEC: inbound through the built-in SMTP server (API role, like any other entry
 * point) and IMAP polling of existing mailboxes (worker role, a background task); outbound
 * through nodemailer on the channel's queue.
 */
@Module({})
export class EmailModule implements OnModuleInit {
  constructor(private readonly registry: ChannelRegistry, private readonly adapter: EmailAdapter) {}

  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: EmailModule,
      providers: [
        EmailAccounts, EmailAdapter, EmailInbound,
        ...(roles.api ? [EmailSmtpServer] : []),
        ...(roles.workers ? [EmailImapPoller, EmailOutboundProcessor] : []),
      ],
      exports: [EmailAccounts],
    };
  }

  onModuleInit(): void {
    this.registry.register(this.adapter);
  }
}
