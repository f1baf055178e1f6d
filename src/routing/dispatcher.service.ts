import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { appendEvents } from '../cases/event-log.js';
import { currentCorrelationId } from '../common/correlation.js';
import { TenantScope } from '../common/tenant-scope.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { Metrics } from '../ops/metrics.js';
import { rooms } from '../realtime/rooms.js';
import { TicketNotifier } from '../cases/ticket-notifier.js';
import { pickOperator, type CandidateOperator } from './routing-rules.js';
import { lockTicket } from './ticket-lock.js';

/** Lock id space for pg_advisory_xact_lock(int, int): one dispatcher per comune at a time. */
const DISPATCH_LOCK = 7301;

/** A comune's dispatch running in this process, and the one run queued behind it (shared by its callers). */
interface DispatchFlight {
  next: { promise: Promise<number>; start: () => void } | null;
}

interface Offer {
  ticketId: string;
  comuneId: number;
  operatorId: number;
  offerSeq: number;
}

/**
 * The dispatcher: offers each comune's queued tickets to online operators with free capacity
 * (least loaded first) and moves an offer on when it times out. Every step is a guarded
 * transaction that re-reads the ticket and does nothing if its state moved on, so a job that runs
 * twice changes nothing the second time.
 */
@Injectable()
export class Dispatcher {
  private readonly logger = new Logger(Dispatcher.name);
  private readonly dispatching = new Map<number, DispatchFlight>();

  constructor(
    private readonly ds: DataSource,
    private readonly jobs: JobsService,
    private readonly notifier: TicketNotifier,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Offers the comune's queued tickets, oldest first, to operators with free capacity.
   * Calls for one comune in this process share runs: a call while a dispatch is running waits for
   * one more run that starts after it (so it sees the caller's committed change), and any number of
   * calls in that wait share that same run. Concurrent route jobs of one comune otherwise queue on
   * its advisory lock, each redoing the same work.
   */
  dispatch(comuneId: number): Promise<number> {
    const flight = this.dispatching.get(comuneId);
    if (!flight) {
      const fresh: DispatchFlight = { next: null };
      this.dispatching.set(comuneId, fresh);
      return this.runDispatch(comuneId, fresh);
    }
    if (!flight.next) {
      let start!: () => void;
      const promise = new Promise<number>((resolve, reject) => {
        start = () => {
          this.runDispatch(comuneId, flight).then(resolve, reject);
        };
      });
      flight.next = { promise, start };
    }
    return flight.next.promise;
  }

  private runDispatch(comuneId: number, flight: DispatchFlight): Promise<number> {
    return this.dispatchNow(comuneId).finally(() => {
      const next = flight.next;
      if (!next) {
        this.dispatching.delete(comuneId);
        return;
      }
      flight.next = null;
      next.start();
    });
  }

  private async dispatchNow(comuneId: number): Promise<number> {
    const lap = this.metrics.laps(this.config.stageTiming);
    const offers = await this.ds.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock($1, $2)`, [DISPATCH_LOCK, comuneId]);
      lap('dispatch.lock');
      const candidates: CandidateOperator[] = (
        await m.query(
          `SELECT o.id, o.capacity, o.last_offered_at, array_agg(og.group_id) AS group_ids,
                (SELECT count(*)::int FROM tickets t
                  WHERE (t.assignee_id = o.id AND t.queue_state = 'assigned')
                     OR (t.offered_to_id = o.id AND t.queue_state = 'offered')) AS load
           FROM operators o JOIN operator_groups og ON og.operator_id = o.id
          WHERE o.comune_id = $1 AND o.presence = 'online'
          GROUP BY o.id`,
          [comuneId],
        )
      ).map((r: any) => ({ id: r.id, capacity: r.capacity, load: r.load, groupIds: r.group_ids, lastOfferedAt: r.last_offered_at }));
      if (!candidates.some((c) => c.load < c.capacity)) return [];
      const queued: Array<{ id: string; group_id: number; declined_by: number[]; offer_seq: number }> = await m.query(
        `SELECT id, group_id, declined_by, offer_seq FROM tickets
          WHERE comune_id = $1 AND queue_state = 'queued' ORDER BY waiting_since, id LIMIT 500 FOR NO KEY UPDATE`,
        [comuneId],
      );
      const made: Offer[] = [];
      for (const t of queued) {
        const op = pickOperator(t.group_id, t.declined_by, candidates);
        if (!op) continue;
        await m.query(
          `UPDATE tickets SET queue_state = 'offered', offered_to_id = $2, offer_seq = offer_seq + 1,
                  offer_expires_at = now() + ($3::int * interval '1 millisecond'), updated_at = now()
            WHERE id = $1`,
          [t.id, op.id, this.config.offerTimeoutMs],
        );
        await m.query(`UPDATE operators SET last_offered_at = clock_timestamp() WHERE id = $1`, [op.id]);
        op.load += 1;
        op.lastOfferedAt = new Date();
        made.push({ ticketId: String(t.id), comuneId, operatorId: op.id, offerSeq: t.offer_seq + 1 });
        if (!candidates.some((c) => c.load < c.capacity)) break;
      }
      await appendEvents(
        m,
        made.map((o) => ({
          ticketId: o.ticketId,
          comuneId,
          type: 'offer.made',
          actorType: 'system' as const,
          data: { operatorId: o.operatorId, offerSeq: o.offerSeq },
        })),
      );
      return made;
    });
    lap('dispatch.tx');
    if (offers.length === 0) return 0;
    try {
      await this.jobs.enqueueMany(
        offers.map((o) => ({
          name: 'offer.expire' as const,
          payload: { ticketId: o.ticketId, comuneId: o.comuneId, offerSeq: o.offerSeq, correlationId: currentCorrelationId() },
          options: { delay: this.config.offerTimeoutMs },
        })),
      );
    } catch (err) {
      // The periodic sweep expires overdue offers when the timer could not be set.
      this.logger.warn(`offer timers not set: ${(err as Error).message}`);
    }
    lap('dispatch.enqueue');
    await this.notifier.notify(
      offers.map((o) => o.ticketId),
      'ticket.offered',
      'offered',
    );
    lap('dispatch.notify');
    return offers.length;
  }

  /** Job step: an offer that was not taken in time goes back to the queue and on to someone else. */
  async expireOffer(ticketId: string, comuneId: number, offerSeq: number): Promise<boolean> {
    const scope = TenantScope.ofComune(comuneId);
    const prev = await this.ds.transaction(async (m) => {
      const t = await lockTicket(m, ticketId, scope);
      if (!t || t.queue_state !== 'offered' || t.offer_seq !== offerSeq) return null;
      await m.query(
        `UPDATE tickets SET queue_state = 'queued', offered_to_id = NULL, offer_expires_at = NULL,
                declined_by = array_append(declined_by, offered_to_id), updated_at = now() WHERE id = $1`,
        [t.id],
      );
      await appendEvents(m, [
        { ticketId: t.id, comuneId: t.comune_id, type: 'offer.expired', actorType: 'system', data: { operatorId: t.offered_to_id } },
      ]);
      return t;
    });
    if (!prev) return false;
    await this.notifier.notify([ticketId], 'ticket.updated', 'offer.expired', [rooms.operator(prev.offered_to_id!)]);
    await this.dispatch(comuneId);
    return true;
  }
}
