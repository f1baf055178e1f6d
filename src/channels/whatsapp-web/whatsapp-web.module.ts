import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { ProcessRoles } from '../../common/roles.js';
import { ChannelsCoreModule } from '../channels-core.module.js';
import { ConversationsModule } from '../../conversations/conversations.module.js';
import { MetricsModule } from '../../ops/metrics.module.js';
import { StorageModule } from '../../storage/storage.module.js';
import { ChannelRegistry } from '../channel-registry.js';
import { InboundIntake } from '../support/inbound-intake.js';
import { WhatsappWebAdapter, WhatsappWebOutboundProcessor } from './whatsapp-web.adapter.js';
import { WhatsappWebController } from './whatsapp-web.controller.js';
import { WhatsappWebSessions } from './wwebjs-sessions.js';

/** WhatsApp through whatsapp-web.js, for comuni without a Business account. Sessions run in the worker. */
@Module({})
export class WhatsappWebModule implements OnModuleInit {
  constructor(
    private readonly registry: ChannelRegistry,
    private readonly adapter: WhatsappWebAdapter,
  ) {}

  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: WhatsappWebModule,
      imports: [ChannelsCoreModule, ConversationsModule, MetricsModule, StorageModule],
      controllers: roles.api ? [WhatsappWebController] : [],
      providers: [WhatsappWebAdapter, WhatsappWebSessions, InboundIntake, ...(roles.workers ? [WhatsappWebOutboundProcessor] : [])],
      exports: [WhatsappWebSessions],
    };
  }

  onModuleInit(): void {
    this.registry.register(this.adapter);
  }
}
