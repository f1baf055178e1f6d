import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../common/roles.js';
import { AuthModule } from '../auth/auth.module.js';
import { OperatorsModule } from '../operators/operators.module.js';
import { AgentGateway } from './agent.gateway.js';
import { ConversationSignals } from './conversation-signals.js';

/** The operators' Socket.IO namespace /agent (API role only). */
@Module({})
export class RealtimeModule {
  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: RealtimeModule,
      imports: [AuthModule, OperatorsModule.register(roles)],
      providers: roles.api ? [AgentGateway, ConversationSignals] : [],
    };
  }
}
