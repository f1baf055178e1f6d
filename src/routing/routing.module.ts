import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../common/roles.js';
import { CasesModule } from '../cases/cases.module.js';
import { AssignmentService } from './assignment.service.js';
import { Dispatcher } from './dispatcher.service.js';
import { RoutingSweep } from './routing-sweep.service.js';
import { TicketRouter } from './ticket-router.service.js';
import { RoutingProcessor } from './routing.processor.js';

const registered = new Map<string, DynamicModule>();

/**
 * Several modules import routing (operators, tickets, the app itself). Nest keeps one instance of a
 * dynamic module per object, not per content: each registration must be the same object, or a
 * process gets one Dispatcher (with its own dispatch runs) and one routing worker per import.
 */
@Module({})
export class RoutingModule {
  static register(roles: ProcessRoles): DynamicModule {
    const key = `${roles.api}:${roles.workers}`;
    let mod = registered.get(key);
    if (!mod) {
      mod = {
        module: RoutingModule,
        imports: [CasesModule],
        providers: [TicketRouter, Dispatcher, AssignmentService, RoutingSweep, ...(roles.workers ? [RoutingProcessor] : [])],
        exports: [AssignmentService, Dispatcher],
      };
      registered.set(key, mod);
    }
    return mod;
  }
}
