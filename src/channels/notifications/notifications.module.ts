import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../../common/roles.js';
import { NotificationScanner } from './notification-scanner.js';

/** Citizens told on their own channel when their ticket is taken in charge or resolved (worker role). */
@Module({})
export class NotificationsModule {
  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: NotificationsModule,
      providers: roles.workers ? [NotificationScanner] : [],
      exports: roles.workers ? [NotificationScanner] : [],
    };
  }
}
