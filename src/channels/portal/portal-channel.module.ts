import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { ProcessRoles } from '../../common/roles.js';
import { ChannelRegistry } from '../channel-registry.js';
import { PortalAdapter, PortalOutboundProcessor } from './portal.adapter.js';
import { PortalIntake } from './portal-intake.js';

/**
 * The citizen portal as a channel: inbound through PortalIntake (called by the portal's API,
 * src/portal/reports/), outbound on its own queue like every channel.
 */
@Module({})
export class PortalChannelModule implements OnModuleInit {
  private static readonly byRoles = new WeakMap<ProcessRoles, DynamicModule>();

  constructor(
    private readonly registry: ChannelRegistry,
    private readonly adapter: PortalAdapter,
  ) {}

  /** One module object per roles (Nest tells dynamic modules apart by reference): the adapter registers once. */
  static register(roles: ProcessRoles): DynamicModule {
    let registered = PortalChannelModule.byRoles.get(roles);
    if (!registered) {
      registered = {
        module: PortalChannelModule,
        providers: [PortalIntake, PortalAdapter, ...(roles.workers ? [PortalOutboundProcessor] : [])],
        exports: [PortalIntake],
      };
      PortalChannelModule.byRoles.set(roles, registered);
    }
    return registered;
  }

  onModuleInit(): void {
    this.registry.register(this.adapter);
  }
}
