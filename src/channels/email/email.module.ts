import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { ProcessRoles } from '../../common/roles.js';
import { ChannelsCoreModule } from '../channels-core.module.js';
import { ConversationsModule } from '../../conversations/conversations.module.js';
import { MetricsModule } from '../../ops/metrics.module.js';
import { StorageModule } from '../../storage/storage.module.js';
import { invalidField } from '../../common/errors.js';
import { ACCOUNT_SCHEMAS, type AccountSchema } from '../accounts/account-schemas.js';
import { ChannelRegistry } from '../channel-registry.js';
import { assertAddressesFree, assertPublicMailHosts, emailConfigProblems, emailSecretsProblems, EmailAccounts } from './email-accounts.js';
import { EmailAdapter, EmailOutboundProcessor } from './email.adapter.js';
import { EmailAccountCheck } from './email-account-check.js';
import { EmailImapPoller } from './email-imap.poller.js';
import { EmailInbound } from './email-inbound.service.js';
import { EmailSmtpServer } from './email-smtp.server.js';
import { PecSignatureVerifier } from './pec-signature.js';

/** How the channel accounts admin API checks an e-mail account (config public, `imap`/`smtp` credentials secret). */
export const EMAIL_ACCOUNT_SCHEMA: AccountSchema = {
  channel: 'email',
  secretNames: ['imap', 'smtp'],
  config(input) {
    const [first] = emailConfigProblems(input);
    if (first) throw invalidField(first.field, first.message);
    return input;
  },
  secrets(merged) {
    const [first] = emailSecretsProblems(merged);
    if (first) throw invalidField(first.field, first.message);
    return merged;
  },
  check: ({ config }, app) => assertPublicMailHosts(config, app),
  exclusive: assertAddressesFree,
};

// Registered at import, so the channel-accounts API knows e-mail accounts.
ACCOUNT_SCHEMAS.set(EMAIL_ACCOUNT_SCHEMA.channel, EMAIL_ACCOUNT_SCHEMA);

/**
 * E-mail and PEC: inbound through the built-in SMTP server (API role, like any other entry
 * point) and IMAP polling of existing mailboxes (worker role, a background task); outbound
 * through nodemailer on the channel's queue.
 */
@Module({})
export class EmailModule implements OnModuleInit {
  constructor(
    private readonly registry: ChannelRegistry,
    private readonly adapter: EmailAdapter,
  ) {}

  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: EmailModule,
      imports: [ChannelsCoreModule, ConversationsModule, MetricsModule, StorageModule],
      providers: [
        EmailAccounts,
        EmailAdapter,
        EmailInbound,
        PecSignatureVerifier,
        ...(roles.api ? [EmailSmtpServer, EmailAccountCheck] : []),
        ...(roles.workers ? [EmailImapPoller, EmailOutboundProcessor] : []),
      ],
      exports: [EmailAccounts],
    };
  }

  onModuleInit(): void {
    this.registry.register(this.adapter);
  }
}
