import type { EntityManager } from 'typeorm';
import type { Principal } from '../common/tenant-scope.js';

/**
 * What the tickets API needs of routing (a platform module, above the core): an operator's reply
 * takes the ticket, and a ticket freed by a change is offered again. Routing provides it
 * (src/routing/routing.module.ts); the tickets core only knows this contract. The class is the
 * injection token.
 */
export abstract class TicketRouting {
  /**
   * Inside the caller's transaction: makes `principal` the assignee if the ticket is offered to
   * them or waiting in their group's queue; whether anything changed. With `strict`, a ticket that
   * is not theirs to take is a 409.
   */
  abstract acceptIn(m: EntityManager, principal: Principal, ticketId: string, strict: boolean): Promise<boolean>;
  /** Offers the comune's queued tickets to the operators free to take them. */
  abstract dispatch(comuneId: number): Promise<unknown>;
}
