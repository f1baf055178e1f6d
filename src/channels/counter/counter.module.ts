import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { ProcessRoles } from '../../common/roles.js';
import { ChannelsCoreModule } from '../channels-core.module.js';
import { ConversationsModule } from '../../conversations/conversations.module.js';
import { MetricsModule } from '../../ops/metrics.module.js';
import { ChannelRegistry } from '../channel-registry.js';
import { CounterIntake } from './counter-intake.js';
import { DeskAdapter, DeskOutboundProcessor, PhoneAdapter, PhoneOutboundProcessor } from './counter.adapter.js';

/**
 * Phone and desk: two channels without a provider. Requests come in through the console
 * (`POST /api/console/tickets`, which calls CounterIntake); their outbound queues, declared with
 * the other channels' in src/channels/channels.ts, only turn written replies into failures.
 */
@Module({})
export class CounterChannelModule implements OnModuleInit {
  private static readonly byRoles = new WeakMap<ProcessRoles, DynamicModule>();

  constructor(
    private readonly registry: ChannelRegistry,
    private readonly phone: PhoneAdapter,
    private readonly desk: DeskAdapter,
  ) {}

  /**
   * The app module lists this channel with the others and the console module imports it for
   * CounterIntake: both get the same module object for the same roles, since Nest tells dynamic
   * modules apart by reference and a second instance would register the adapters twice.
   */
  static register(roles: ProcessRoles): DynamicModule {
    let registered = CounterChannelModule.byRoles.get(roles);
    if (!registered) {
      registered = {
        module: CounterChannelModule,
        imports: [ChannelsCoreModule, ConversationsModule, MetricsModule],
        providers: [CounterIntake, PhoneAdapter, DeskAdapter, ...(roles.workers ? [PhoneOutboundProcessor, DeskOutboundProcessor] : [])],
        exports: [CounterIntake],
      };
      CounterChannelModule.byRoles.set(roles, registered);
    }
    return registered;
  }

  onModuleInit(): void {
    this.registry.register(this.phone);
    this.registry.register(this.desk);
  }
}
