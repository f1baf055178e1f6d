import { ConflictException, ForbiddenException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { updateReturning } from '../database/sql.js';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { currentCorrelationId } from '../common/correlation.js';
import { assertRefsInScope } from '../common/scope-refs.js';
import { invalidField } from '../common/errors.js';
import { seesWholeComune, TenantScope, type Principal } from '../common/tenant-scope.js';
import { JobsService } from '../jobs/jobs.service.js';
import { Metrics } from '../ops/metrics.js';
import { appendEvents } from '../tickets/event-log.js';
import { TicketNotifier } from '../tickets/ticket-notifier.js';
import { rooms } from '../realtime/rooms.js';
import { chooseGroup, DEFAULT_ROUTING_RULES, parseRoutingRules, pickOperator, type CandidateOperator } from './routing-rules.js';

interface LockedTicket {
  id: string;
  comune_id: number;
  type: string;
  category: string | null;
  subject: string | null;
  status: string;
  queue_state: string;
  group_id: number | null;
  assignee_id: number | null;
  offered_to_id: number | null;
  offer_seq: number;
  declined_by: number[];
  first_response_at: Date | null;
}

const LOCKED_COLUMNS = `id, comune_id, type, category, subject, status, queue_state, group_id, assignee_id,
  offered_to_id, offer_seq, declined_by, first_response_at`;

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
 * Routing and assignment: choose a ticket's group, keep each group's first-in-first-out queue,
 * offer queued tickets to online operators with free capacity (least loaded first), move offers
 * on when they are declined or time out, hand work back when an operator leaves, transfer.
 * Every step is a guarded transaction that re-reads the ticket and does nothing if its state
 * moved on, so a job that runs twice changes nothing the second time.
 */
@Injectable()
export class AssignmentService {
  private readonly logger = new Logger(AssignmentService.name);
  private readonly dispatching = new Map<number, DispatchFlight>();

  constructor(
    private readonly ds: DataSource,
    private readonly jobs: JobsService,
    private readonly notifier: TicketNotifier,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Job step: pick the group of a freshly stored ticket and put it in that group's queue. */
  async route(ticketId: string, comuneId: number): Promise<void> {
    const lap = this.metrics.laps(this.config.stageTiming);
    const scope = TenantScope.ofComune(comuneId);
    const routed = await this.ds.transaction(async (m) => {
      const t = await this.lockTicket(m, ticketId, scope);
      if (!t || t.queue_state !== 'unrouted') return null;
      const [comune] = await m.query(`SELECT routing_rules FROM comuni WHERE id = $1`, [t.comune_id]);
      const groups: Array<{ id: number; code: string; is_default: boolean }> = await m.query(
        `SELECT id, code, is_default FROM competence_groups WHERE comune_id = $1 ORDER BY id`,
        [t.comune_id],
      );
      if (groups.length === 0) throw new Error(`comune ${t.comune_id} has no competence groups`);
      const texts: Array<{ text: string | null }> = await m.query(
        `SELECT text FROM messages WHERE ticket_id = $1 AND direction = 'inbound' ORDER BY id LIMIT 5`,
        [t.id],
      );
      let rules = DEFAULT_ROUTING_RULES;
      if (comune?.routing_rules) {
        try {
          rules = parseRoutingRules(comune.routing_rules);
        } catch (err) {
          this.logger.warn(`comune ${t.comune_id} has invalid routing rules, using defaults: ${(err as Error).message}`);
        }
      }
      const defaultGroup = (groups.find((g) => g.is_default) ?? groups[0]).code;
      const code = chooseGroup(
        { type: t.type, category: t.category, text: [t.subject, ...texts.map((x) => x.text)].filter(Boolean).join(' ') },
        rules,
        groups.map((g) => g.code),
        defaultGroup,
      );
      const group = groups.find((g) => g.code === code)!;
      await m.query(
        `UPDATE tickets SET group_id = $2, queue_state = 'queued', waiting_since = COALESCE(waiting_since, now()),
                updated_at = now() WHERE id = $1`,
        [t.id, group.id],
      );
      await appendEvents(m, [
        { ticketId: t.id, comuneId: t.comune_id, type: 'ticket.routed', actorType: 'system', data: { groupId: group.id, group: code } },
      ]);
      return t;
    });
    lap('route.tx');
    if (!routed) return;
    await this.notifier.notify([ticketId], 'ticket.created', 'routed', [], currentCorrelationId());
    lap('route.notify');
    await this.dispatch(comuneId);
  }

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
      const t = await this.lockTicket(m, ticketId, scope);
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

  /** The operator takes an offered ticket, or claims one waiting in a queue they can see. */
  async accept(principal: Principal, ticketId: string): Promise<void> {
    const changed = await this.ds.transaction((m) => this.acceptIn(m, principal, ticketId, true));
    if (changed) await this.notifier.notify([ticketId], 'ticket.assigned', 'assigned');
  }

  /**
   * Inside a caller's transaction: makes `principal` the assignee if the ticket is offered to
   * them or waiting in their group's queue. Returns whether anything changed. With `strict`,
   * a ticket that is not theirs to take is a 409.
   */
  async acceptIn(m: EntityManager, principal: Principal, ticketId: string, strict: boolean): Promise<boolean> {
    const t = await this.lockTicket(m, ticketId, TenantScope.ofPrincipal(principal));
    if (!t) throw new NotFoundException(`ticket ${ticketId} not found`);
    const me = principal.operatorId;
    if (t.queue_state === 'assigned' && t.assignee_id === me) return false;
    const mayClaim =
      t.queue_state === 'queued' && (seesWholeComune(principal) || (t.group_id !== null && principal.groupIds.includes(t.group_id)));
    const isMyOffer = t.queue_state === 'offered' && t.offered_to_id === me;
    if (!isMyOffer && !mayClaim) {
      if (!strict) return false;
      throw new ConflictException(
        t.queue_state === 'offered' ? 'this ticket is offered to another operator' : `this ticket cannot be taken (it is ${t.queue_state})`,
      );
    }
    await m.query(
      `UPDATE tickets SET assignee_id = $2, offered_to_id = NULL, offer_expires_at = NULL, queue_state = 'assigned',
              status = CASE WHEN status = 'new' THEN 'open' ELSE status END, updated_at = now() WHERE id = $1`,
      [t.id, me],
    );
    await appendEvents(m, [
      {
        ticketId: t.id,
        comuneId: t.comune_id,
        type: 'ticket.assigned',
        actorType: 'operator',
        actorOperatorId: me,
        data: { operatorId: me, via: isMyOffer ? 'offer' : 'claim' },
      },
    ]);
    return true;
  }

  /** The operator lets an offer go: it moves on to the next operator. */
  async decline(principal: Principal, ticketId: string): Promise<void> {
    const t = await this.ds.transaction(async (m) => {
      const t = await this.lockTicket(m, ticketId, TenantScope.ofPrincipal(principal));
      if (!t) throw new NotFoundException(`ticket ${ticketId} not found`);
      if (t.queue_state !== 'offered' || t.offered_to_id !== principal.operatorId)
        throw new ConflictException('this ticket is not offered to you');
      await m.query(
        `UPDATE tickets SET queue_state = 'queued', offered_to_id = NULL, offer_expires_at = NULL,
                declined_by = array_append(declined_by, $2::int), updated_at = now() WHERE id = $1`,
        [t.id, principal.operatorId],
      );
      await appendEvents(m, [
        {
          ticketId: t.id,
          comuneId: t.comune_id,
          type: 'offer.declined',
          actorType: 'operator',
          actorOperatorId: principal.operatorId,
          data: {},
        },
      ]);
      return t;
    });
    await this.notifier.notify([ticketId], 'ticket.updated', 'offer.declined', [rooms.operator(principal.operatorId)]);
    await this.dispatch(t.comune_id);
  }

  /**
   * An operator left: offers to them and the tickets they have not answered yet go back to their
   * queues, keeping their place (they are re-offered before newer tickets).
   */
  async handBack(operatorId: number, comuneId: number): Promise<string[]> {
    const ids = await this.ds.transaction(async (m) => {
      const rows = await updateReturning<{ id: string }>(
        m,
        `UPDATE tickets SET queue_state = 'queued', assignee_id = NULL, offered_to_id = NULL, offer_expires_at = NULL,
                declined_by = array_append(declined_by, $2::int), updated_at = now()
          WHERE comune_id = $1 AND ((queue_state = 'offered' AND offered_to_id = $2)
                 OR (queue_state = 'assigned' AND assignee_id = $2 AND first_response_at IS NULL))
          RETURNING id`,
        [comuneId, operatorId],
      );
      await appendEvents(
        m,
        rows.map((r) => ({
          ticketId: String(r.id),
          comuneId,
          type: 'ticket.handed_back',
          actorType: 'system' as const,
          data: { operatorId, reason: 'offline' },
        })),
      );
      return rows.map((r) => String(r.id));
    });
    if (ids.length) {
      await this.notifier.notify(ids, 'ticket.updated', 'handed_back', [rooms.operator(operatorId)]);
      await this.dispatch(comuneId);
    }
    return ids;
  }

  /** Moves a ticket to another group's queue, or straight to an operator; the note stays in its history. */
  async transfer(principal: Principal, ticketId: string, to: { groupId?: number; operatorId?: number; note?: string }): Promise<void> {
    if (to.groupId === undefined && to.operatorId === undefined)
      throw invalidField('groupId', 'name a group or an operator to transfer to');
    const scope = TenantScope.ofPrincipal(principal);
    const before = await this.ds.transaction(async (m) => {
      const t = await this.lockTicket(m, ticketId, scope);
      if (!t) throw new NotFoundException(`ticket ${ticketId} not found`);
      const mine = t.assignee_id === principal.operatorId || t.offered_to_id === principal.operatorId;
      if (!seesWholeComune(principal) && !mine) throw new ForbiddenException('only the assignee or a supervisor can transfer this ticket');
      if (t.queue_state === 'done') throw new ConflictException('a resolved or closed ticket cannot be transferred; reopen it first');
      // Another comune's group or operator answers as one that does not exist; the metropolitan
      // administrator, who sees both, is told below that they are not of the ticket's comune.
      await assertRefsInScope(m, principal, { groupId: to.groupId, operatorId: to.operatorId });

      let groupId = to.groupId ?? null;
      if (groupId !== null) {
        const g = await m.query(`SELECT id FROM competence_groups WHERE id = $1 AND comune_id = $2`, [groupId, t.comune_id]);
        if (!g.length) throw invalidField('groupId', `group ${groupId} is not a group of this comune`);
      }
      if (to.operatorId !== undefined) {
        const op: Array<{ groups: number[] }> = await m.query(
          `SELECT array_remove(array_agg(og.group_id), NULL) AS groups FROM operators o
             LEFT JOIN operator_groups og ON og.operator_id = o.id
            WHERE o.id = $1 AND o.comune_id = $2 GROUP BY o.id`,
          [to.operatorId, t.comune_id],
        );
        if (!op.length) throw invalidField('operatorId', `operator ${to.operatorId} is not an operator of this comune`);
        if (groupId !== null && !op[0].groups.includes(groupId))
          throw invalidField('operatorId', `operator ${to.operatorId} is not a member of group ${groupId}`);
        if (groupId === null)
          groupId = t.group_id !== null && op[0].groups.includes(t.group_id) ? t.group_id : (op[0].groups[0] ?? t.group_id);
        await m.query(
          `UPDATE tickets SET group_id = $2, assignee_id = $3, offered_to_id = NULL, offer_expires_at = NULL,
                  queue_state = 'assigned', declined_by = '{}', updated_at = now() WHERE id = $1`,
          [t.id, groupId, to.operatorId],
        );
      } else {
        await m.query(
          `UPDATE tickets SET group_id = $2, assignee_id = NULL, offered_to_id = NULL, offer_expires_at = NULL,
                  queue_state = 'queued', waiting_since = COALESCE(waiting_since, now()), declined_by = '{}', updated_at = now()
            WHERE id = $1`,
          [t.id, groupId],
        );
      }
      if (to.note?.trim()) {
        await m.query(
          `INSERT INTO messages (ticket_id, comune_id, direction, author_type, author_operator_id, internal, text, channel, delivery_status)
           SELECT id, comune_id, 'outbound', 'operator', $2, true, $3, channel, 'not_sent' FROM tickets WHERE id = $1`,
          [t.id, principal.operatorId, to.note.trim()],
        );
      }
      await appendEvents(m, [
        {
          ticketId: t.id,
          comuneId: t.comune_id,
          type: 'ticket.transferred',
          actorType: 'operator',
          actorOperatorId: principal.operatorId,
          data: {
            fromGroupId: t.group_id,
            toGroupId: groupId,
            fromOperatorId: t.assignee_id,
            toOperatorId: to.operatorId ?? null,
            note: to.note ?? null,
          },
        },
      ]);
      return t;
    });
    const previous = [
      before.group_id !== null ? rooms.group(before.group_id) : null,
      before.assignee_id !== null ? rooms.operator(before.assignee_id) : null,
      before.offered_to_id !== null ? rooms.operator(before.offered_to_id) : null,
    ].filter((r): r is string => r !== null);
    await this.notifier.notify([ticketId], to.operatorId !== undefined ? 'ticket.assigned' : 'ticket.updated', 'transferred', previous);
    await this.dispatch(before.comune_id);
  }

  /** Safety net run periodically: overdue offers move on, and queues with waiting tickets are dispatched. */
  async sweep(): Promise<{ expired: number; dispatched: number }> {
    const overdue: Array<{ id: string; comune_id: number; offer_seq: number }> = await this.ds.query(
      `SELECT id, comune_id, offer_seq FROM tickets WHERE queue_state = 'offered' AND offer_expires_at < now() - interval '2 seconds' LIMIT 1000`,
    );
    let expired = 0;
    for (const t of overdue) if (await this.expireOffer(String(t.id), t.comune_id, t.offer_seq)) expired++;
    const unrouted: Array<{ id: string; comune_id: number }> = await this.ds.query(
      `SELECT t.id, t.comune_id FROM tickets t WHERE t.queue_state = 'unrouted' AND t.created_at < now() - interval '30 seconds'
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.published_at IS NULL AND o.topic = 'ticket.route' AND o.payload->>'ticketId' = t.id::text)
        LIMIT 1000`,
    );
    for (const t of unrouted) await this.route(String(t.id), t.comune_id);
    const comuni: Array<{ comune_id: number }> = await this.ds.query(`SELECT DISTINCT comune_id FROM tickets WHERE queue_state = 'queued'`);
    let dispatched = 0;
    for (const c of comuni) dispatched += await this.dispatch(c.comune_id);
    await this.ds.query(`DELETE FROM outbox WHERE published_at < now() - interval '1 day'`);
    return { expired, dispatched };
  }

  /**
   * NO KEY UPDATE: excludes every other change of the ticket (the key is never changed here), but
   * not the key-share locks that rows referencing it take; analytics' recompute holds those for a
   * whole batch, and a FOR UPDATE here waited for it (route jobs held their worker slots meanwhile).
   */
  private async lockTicket(m: EntityManager, ticketId: string, scope: TenantScope): Promise<LockedTicket | null> {
    if (!/^\d{1,18}$/.test(ticketId)) return null;
    const params: unknown[] = [ticketId];
    const rows: LockedTicket[] = await m.query(
      `SELECT ${LOCKED_COLUMNS} FROM tickets WHERE id = $1 AND ${scope.sql('comune_id', params)} FOR NO KEY UPDATE`,
      params,
    );
    return rows[0] ?? null;
  }
}
