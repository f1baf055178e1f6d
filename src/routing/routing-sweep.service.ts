import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Dispatcher } from './dispatcher.service.js';
import { TicketRouter } from './ticket-router.service.js';

/** The periodic safety net of routing (the `maintenance.sweep` job). */
@Injectable()
export class RoutingSweep {
  constructor(
    private readonly ds: DataSource,
    private readonly router: TicketRouter,
    private readonly dispatcher: Dispatcher,
  ) {}

  /** Safety net run periodically: overdue offers move on, and queues with waiting tickets are dispatched. */
  async sweep(): Promise<{ expired: number; dispatched: number }> {
    const overdue: Array<{ id: string; comune_id: number; offer_seq: number }> = await this.ds.query(
      `SELECT id, comune_id, offer_seq FROM tickets WHERE queue_state = 'offered' AND offer_expires_at < now() - interval '2 seconds' LIMIT 1000`,
    );
    let expired = 0;
    for (const t of overdue) if (await this.dispatcher.expireOffer(String(t.id), t.comune_id, t.offer_seq)) expired++;
    const unrouted: Array<{ id: string; comune_id: number }> = await this.ds.query(
      `SELECT t.id, t.comune_id FROM tickets t WHERE t.queue_state = 'unrouted' AND t.created_at < now() - interval '30 seconds'
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.published_at IS NULL AND o.topic = 'ticket.route' AND o.payload->>'ticketId' = t.id::text)
        LIMIT 1000`,
    );
    for (const t of unrouted) await this.router.route(String(t.id), t.comune_id);
    const comuni: Array<{ comune_id: number }> = await this.ds.query(`SELECT DISTINCT comune_id FROM tickets WHERE queue_state = 'queued'`);
    let dispatched = 0;
    for (const c of comuni) dispatched += await this.dispatcher.dispatch(c.comune_id);
    await this.ds.query(`DELETE FROM outbox WHERE published_at < now() - interval '1 day'`);
    return { expired, dispatched };
  }
}
