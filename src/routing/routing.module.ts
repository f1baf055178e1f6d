import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../common/roles.js';
import { CasesModule } from '../cases/cases.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { MetricsModule } from '../ops/metrics.module.js';
import { TicketRouting } from '../tickets/ticket-routing.js';
import { AssignmentController } from './assignment.controller.js';
import { AssignmentService } from './assignment.service.js';
import { Dispatcher } from './dispatcher.service.js';
import { RoutingSweep } from './routing-sweep.service.js';
import { TicketRouter } from './ticket-router.service.js';
import { RoutingProcessor } from './routing.processor.js';

const registered = new Map<string, DynamicModule>();

/**
 * Several modules import routing (operators, tickets through the app, the app itself). Nest keeps
 * one instance of a dynamic module per object, not per content: each registration must be the same
 * object, or a process gets one Dispatcher (with its own dispatch runs) and one routing worker per
 * import. Routing provides the tickets core's `TicketRouting` (src/tickets/ticket-routing.ts).
 */
@Module({})
export class RoutingModule {
  static register(roles: ProcessRoles): DynamicModule {
    const key = `${roles.api}:${roles.workers}`;
    let mod = registered.get(key);
    if (!mod) {
      mod = {
        module: RoutingModule,
        imports: [CasesModule, JobsModule, MetricsModule],
        controllers: roles.api ? [AssignmentController] : [],
        providers: [
          TicketRouter,
          Dispatcher,
          AssignmentService,
          RoutingSweep,
          {
            provide: TicketRouting,
            inject: [AssignmentService, Dispatcher],
            useFactory: (assignment: AssignmentService, dispatcher: Dispatcher): TicketRouting => ({
              acceptIn: (m, principal, ticketId, strict) => assignment.acceptIn(m, principal, ticketId, strict),
              dispatch: (comuneId) => dispatcher.dispatch(comuneId),
            }),
          },
          ...(roles.workers ? [RoutingProcessor] : []),
        ],
        exports: [AssignmentService, Dispatcher, TicketRouting],
      };
      registered.set(key, mod);
    }
    return mod;
  }
}
