import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../common/roles.js';
import { AssignmentService } from './assignment.service.js';
import { RoutingProcessor } from './routing.processor.js';

const registered = new Map<string, DynamicModule>();

/**
 * Several modules import routing (operators, tickets, the app itself). Nest keeps one instance of a
 * dynamic module per object, not per content: each registration must be the same object, or a
 * process gets one AssignmentService (with its own dispatch runs) and one routing worker per import.
 */
@Module({})
export class RoutingModule {
  static register(roles: ProcessRoles): DynamicModule {
    const key = `${roles.api}:${roles.workers}`;
    let mod = registered.get(key);
    if (!mod) {
      mod = {
        module: RoutingModule,
        providers: [AssignmentService, ...(roles.workers ? [RoutingProcessor] : [])],
        exports: [AssignmentService],
      };
      registered.set(key, mod);
    }
    return mod;
  }
}
