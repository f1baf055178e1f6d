import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { outboundQueueName } from '../jobs/jobs.js';
import type { ProcessRoles } from '../common/roles.js';
import { ChannelRegistry } from '../channels/channel-registry.js';
import { CannedResponsesController } from './canned-responses.controller.js';
import { CitizenPanelController } from './citizen-panel.controller.js';
import { CounterTicketsController } from './counter-tickets.controller.js';
import { MapController } from './map.controller.js';
import { COUNTER_CHANNELS, DeskAdapter, DeskOutboundProcessor, PhoneAdapter, PhoneOutboundProcessor } from './counter-channels.js';

/** Backend of the agent console beyond the core tickets API: canned responses, citizen panel, phone/desk requests. */
@Module({})
export class ConsoleModule implements OnModuleInit {
  constructor(
    private readonly registry: ChannelRegistry,
    private readonly phone: PhoneAdapter,
    private readonly desk: DeskAdapter,
  ) {}

  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: ConsoleModule,
      // The counter channels' queues live here rather than in ALL_QUEUES: they carry only the refusals of replies.
      imports: COUNTER_CHANNELS.map((c) => BullModule.registerQueue({ name: outboundQueueName(c) })),
      controllers: roles.api ? [CannedResponsesController, CitizenPanelController, CounterTicketsController, MapController] : [],
      providers: [PhoneAdapter, DeskAdapter, ...(roles.workers ? [PhoneOutboundProcessor, DeskOutboundProcessor] : [])],
    };
  }

  onModuleInit(): void {
    this.registry.register(this.phone);
    this.registry.register(this.desk);
  }
}
