import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { appendEvents } from '../cases/event-log.js';
import { ANSWERED_STATUS_SQL } from '../cases/phases.js';
import { invalidField } from '../common/errors.js';
import { assertRefsInScope } from '../common/scope-refs.js';
import { seesWholeComune, TenantScope, type Principal } from '../common/tenant-scope.js';
import { updateReturning } from '../database/sql.js';
import { rooms } from '../realtime/rooms.js';
import { TicketNotifier } from '../cases/ticket-notifier.js';
import { Dispatcher } from './dispatcher.service.js';
import { lockTicket } from './ticket-lock.js';
import { insertMessage } from '../conversations/messages.js';

/**
 * What operators do with routing: take an offered or queued ticket, let an offer go, hand their
 * work back when they leave, transfer a ticket to another group or operator. Each is a guarded
 * transaction on the locked ticket; the dispatcher then fills the capacity it freed.
 */
@Injectable()
export class AssignmentService {
  constructor(
    private readonly ds: DataSource,
    private readonly dispatcher: Dispatcher,
    private readonly notifier: TicketNotifier,
  ) {}

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
    const t = await lockTicket(m, ticketId, TenantScope.ofPrincipal(principal));
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
              status = ${ANSWERED_STATUS_SQL}, updated_at = now() WHERE id = $1`,
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
      const t = await lockTicket(m, ticketId, TenantScope.ofPrincipal(principal));
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
    await this.dispatcher.dispatch(t.comune_id);
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
      await this.dispatcher.dispatch(comuneId);
    }
    return ids;
  }

  /** Moves a ticket to another group's queue, or straight to an operator; the note stays in its history. */
  async transfer(principal: Principal, ticketId: string, to: { groupId?: number; operatorId?: number; note?: string }): Promise<void> {
    if (to.groupId === undefined && to.operatorId === undefined)
      throw invalidField('groupId', 'name a group or an operator to transfer to');
    const scope = TenantScope.ofPrincipal(principal);
    const before = await this.ds.transaction(async (m) => {
      const t = await lockTicket(m, ticketId, scope);
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
        await insertMessage(m, {
          ticketId: t.id,
          comuneId: t.comune_id,
          direction: 'outbound',
          authorType: 'operator',
          authorOperatorId: principal.operatorId,
          internal: true,
          text: to.note.trim(),
          channel: t.channel,
          deliveryStatus: 'not_sent',
        });
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
    await this.dispatcher.dispatch(before.comune_id);
  }
}
