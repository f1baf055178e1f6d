import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import type { ProcessRoles } from '../../common/roles.js';
import { ChannelsCoreModule } from '../channels-core.module.js';
import { ConversationsModule } from '../../conversations/conversations.module.js';
import { ComuniModule } from '../../comuni/comuni.module.js';
import { MetricsModule } from '../../ops/metrics.module.js';
import { StorageModule } from '../../storage/storage.module.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { ChannelRegistry } from '../channel-registry.js';
import { InboundIntake } from '../support/inbound-intake.js';
import { ChannelAccountsService, type LoadedAccount } from '../accounts/channel-accounts.service.js';
import { redactSecrets } from '../support/secrets.js';
import { TelegramAdapter, TelegramOutboundProcessor } from './telegram.adapter.js';
import { TelegramBots } from './telegram-bots.js';
import { TelegramInbound } from './telegram-inbound.js';
import { TELEGRAM_CHANNEL } from './telegram-normalize.js';
import { TelegramWebhookController } from './telegram-webhook.controller.js';
import { InSystemScope } from '../../tenancy/db-scope.js';

/**
 * Connects a bot when its account is saved: in webhook mode registers the webhook URL with its
 * secret token (setWebhook), in polling mode (development) starts long polling in this process.
 */
@Injectable()
export class TelegramConnector implements OnApplicationBootstrap {
  private readonly logger = new Logger(TelegramConnector.name);

  constructor(
    private readonly accounts: ChannelAccountsService,
    private readonly bots: TelegramBots,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    accounts.addListener({ channel: TELEGRAM_CHANNEL, saved: (a) => this.connect(a) });
  }

  @InSystemScope('telegram-start')
  async onApplicationBootstrap(): Promise<void> {
    if (this.config.messaging.telegramMode !== 'polling') return;
    for (const account of await this.accounts.enabledOf(TELEGRAM_CHANNEL)) this.bots.startPolling(account);
  }

  async connect(account: LoadedAccount): Promise<{ ok: boolean; detail: string }> {
    this.bots.drop(account.id);
    if (this.config.messaging.telegramMode === 'polling') {
      if (account.enabled) this.bots.startPolling(account);
      return { ok: true, detail: account.enabled ? 'long polling started' : 'bot stopped' };
    }
    const telegram = this.bots.bot(account).telegram;
    const url = `${this.config.messaging.publicBaseUrl}/webhooks/telegram/${account.id}`;
    try {
      if (!account.enabled) {
        await telegram.deleteWebhook();
        return { ok: true, detail: 'webhook removed' };
      }
      await telegram.setWebhook(url, {
        secret_token: String(account.secrets.webhookSecret),
        allowed_updates: ['message', 'edited_message'],
      });
      return { ok: true, detail: `webhook set to ${url}` };
    } catch (err) {
      const detail = redactSecrets((err as Error).message, [String(account.secrets.botToken ?? '')]);
      this.logger.warn(`Telegram account ${account.id}: setWebhook failed: ${detail}`);
      return { ok: false, detail: `setWebhook failed: ${detail}` };
    }
  }
}

/** Telegram bots of the comuni (telegraf): webhook with secret token, or long polling in development. */
@Module({})
export class TelegramModule implements OnModuleInit {
  constructor(
    private readonly registry: ChannelRegistry,
    private readonly adapter: TelegramAdapter,
  ) {}

  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: TelegramModule,
      imports: [ChannelsCoreModule, ConversationsModule, ComuniModule, MetricsModule, StorageModule],
      controllers: roles.api ? [TelegramWebhookController] : [],
      providers: [
        TelegramAdapter,
        TelegramBots,
        TelegramInbound,
        InboundIntake,
        ...(roles.api ? [TelegramConnector] : []),
        ...(roles.workers ? [TelegramOutboundProcessor] : []),
      ],
      exports: [TelegramBots],
    };
  }

  onModuleInit(): void {
    this.registry.register(this.adapter);
  }
}
