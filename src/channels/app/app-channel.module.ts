import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { ProcessRoles } from '../../common/roles.js';
import { ChannelsCoreModule } from '../channels-core.module.js';
import { ConversationsModule } from '../../conversations/conversations.module.js';
import { CasesModule } from '../../cases/cases.module.js';
import { MetricsModule } from '../../ops/metrics.module.js';
import { StorageModule } from '../../storage/storage.module.js';
import { SecurityModule } from '../../security/security.module.js';
import { ChannelRegistry } from '../channel-registry.js';
import { AppAdapter, AppOutboundProcessor } from './app.adapter.js';
import { AppChannelController, AppKeys } from './app-channel.controller.js';

/** The BariUnica app and third parties: REST, authenticated by a per-comune API key. */
@Module({})
export class AppChannelModule implements OnModuleInit {
  constructor(
    private readonly registry: ChannelRegistry,
    private readonly adapter: AppAdapter,
  ) {}

  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: AppChannelModule,
      imports: [ChannelsCoreModule, ConversationsModule, CasesModule, MetricsModule, StorageModule, SecurityModule],
      controllers: roles.api ? [AppChannelController] : [],
      providers: [AppAdapter, AppKeys, ...(roles.workers ? [AppOutboundProcessor] : [])],
    };
  }

  onModuleInit(): void {
    this.registry.register(this.adapter);
  }
}
