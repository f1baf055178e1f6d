import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../../common/roles.js';
import { CasesModule } from '../../cases/cases.module.js';
import { OutboxModule } from '../../outbox/outbox.module.js';
import { RealtimeModule } from '../../realtime/realtime.module.js';
import { ChannelsCoreModule } from '../channels-core.module.js';
import { NotificationScanner } from './notification-scanner.js';

/** Citizens told on their own channel when their ticket is taken in charge or resolved (worker role). */
@Module({})
export class NotificationsModule {
  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: NotificationsModule,
      imports: [ChannelsCoreModule, CasesModule, OutboxModule, RealtimeModule],
      providers: roles.workers ? [NotificationScanner] : [],
      exports: roles.workers ? [NotificationScanner] : [],
    };
  }
}
