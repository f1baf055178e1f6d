import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../common/roles.js';
import { AuthModule } from '../auth/auth.module.js';
import { ChannelsCoreModule } from '../channels/channels-core.module.js';
import { ConversationSignals } from '../channels/webchat/conversation-signals.js';
import { MetricsModule } from '../ops/metrics.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { RoutingModule } from '../routing/routing.module.js';
import { AgentGateway } from './agent.gateway.js';
import { OperatorsController } from './operators.controller.js';
import { PresenceService } from './presence.service.js';

/**
 * Operators, their presence and their real-time connection (the Socket.IO namespace /agent, API
 * role only: presence, typing and read signals). Imported by the app only.
 */
@Module({})
export class OperatorsModule {
  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: OperatorsModule,
      imports: [RoutingModule.register(roles), AuthModule, ChannelsCoreModule, RealtimeModule, MetricsModule],
      controllers: roles.api ? [OperatorsController] : [],
      providers: [PresenceService, ...(roles.api ? [AgentGateway, ConversationSignals] : [])],
      exports: [PresenceService],
    };
  }
}
