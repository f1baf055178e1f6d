import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { ProcessRoles } from '../../common/roles.js';
import { ChannelsCoreModule } from '../channels-core.module.js';
import { ConversationsModule } from '../../conversations/conversations.module.js';
import { MetricsModule } from '../../ops/metrics.module.js';
import { StorageModule } from '../../storage/storage.module.js';
import { ChannelRegistry } from '../channel-registry.js';
import { InboundIntake } from '../support/inbound-intake.js';
import { WhatsappAdapter, WhatsappOutboundProcessor } from './whatsapp.adapter.js';
import { WhatsappInbound } from './whatsapp-inbound.js';
import { WhatsappWebhookController } from './whatsapp-webhook.controller.js';

/** WhatsApp Business Cloud API (the official one): signed webhooks in, Graph API out. */
@Module({})
export class WhatsappModule implements OnModuleInit {
  constructor(
    private readonly registry: ChannelRegistry,
    private readonly adapter: WhatsappAdapter,
  ) {}

  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: WhatsappModule,
      imports: [ChannelsCoreModule, ConversationsModule, MetricsModule, StorageModule],
      controllers: roles.api ? [WhatsappWebhookController] : [],
      providers: [WhatsappAdapter, WhatsappInbound, InboundIntake, ...(roles.workers ? [WhatsappOutboundProcessor] : [])],
    };
  }

  onModuleInit(): void {
    this.registry.register(this.adapter);
  }
}
