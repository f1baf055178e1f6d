import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../common/roles.js';
import { RoutingModule } from '../routing/routing.module.js';
import { OperatorsController } from './operators.controller.js';
import { PresenceService } from './presence.service.js';

const registered = new Map<string, DynamicModule>();

/** Imported by the app and by the real-time module: one object per roles, so one instance (see RoutingModule). */
@Module({})
export class OperatorsModule {
  static register(roles: ProcessRoles): DynamicModule {
    const key = `${roles.api}:${roles.workers}`;
    let mod = registered.get(key);
    if (!mod) {
      mod = {
        module: OperatorsModule,
        imports: [RoutingModule.register(roles)],
        controllers: roles.api ? [OperatorsController] : [],
        providers: [PresenceService],
        exports: [PresenceService],
      };
      registered.set(key, mod);
    }
    return mod;
  }
}
