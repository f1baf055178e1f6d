import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { ProcessRoles } from '../../common/roles.js';
import { ChannelsCoreModule } from '../channels-core.module.js';
import { ConversationsModule } from '../../conversations/conversations.module.js';
import { ComuniModule } from '../../comuni/comuni.module.js';
import { RealtimeModule } from '../../realtime/realtime.module.js';
import { MetricsModule } from '../../ops/metrics.module.js';
import { SecurityModule } from '../../security/security.module.js';
import { ChannelRegistry } from '../channel-registry.js';
import { WebchatAdapter, WebchatOutboundProcessor } from './webchat.adapter.js';
import { WebchatGateway } from './webchat.gateway.js';
import { ConversationSignals } from './conversation-signals.js';

/** The web chat a comune embeds in its site: Socket.IO namespace /webchat. */
@Module({})
export class WebchatModule implements OnModuleInit {
  constructor(
    private readonly registry: ChannelRegistry,
    private readonly adapter: WebchatAdapter,
  ) {}

  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: WebchatModule,
      imports: [ChannelsCoreModule, ConversationsModule, ComuniModule, RealtimeModule, MetricsModule, SecurityModule],
      providers: [
        WebchatAdapter,
        ...(roles.api ? [WebchatGateway, ConversationSignals] : []),
        ...(roles.workers ? [WebchatOutboundProcessor] : []),
      ],
    };
  }

  onModuleInit(): void {
    this.registry.register(this.adapter);
  }
}
