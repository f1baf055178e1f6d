import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../common/roles.js';
import { CounterChannelModule } from '../channels/counter/counter.module.js';
import { ComuniModule } from '../comuni/comuni.module.js';
import { CannedResponsesController } from './canned-responses.controller.js';
import { CitizenPanelController } from './citizen-panel.controller.js';
import { CounterTicketsController } from './counter-tickets.controller.js';
import { MapController } from './map.controller.js';

/**
 * Backend of the agent console beyond the core tickets API: canned responses, citizen panel, the
 * form for phone and desk requests (whose channels are src/channels/counter/).
 */
@Module({})
export class ConsoleModule {
  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: ConsoleModule,
      imports: [ComuniModule, CounterChannelModule.register(roles)],
      controllers: roles.api ? [CannedResponsesController, CitizenPanelController, CounterTicketsController, MapController] : [],
    };
  }
}
