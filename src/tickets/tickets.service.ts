import { assertRefsInScope } from '../common/scope-refs.js';
import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { currentCorrelationId } from '../common/correlation.js';
import { invalidField } from '../common/errors.js';
import type { Principal } from '../common/tenant-scope.js';
import { appendOutbox, OutboxRelay } from '../outbox/outbox.js';
import type { MessageView, TicketSummary } from '../realtime/events.api.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { roomsForTicket } from '../realtime/rooms.js';
import { appendEvents } from '../cases/event-log.js';
import { TicketNotifier } from '../cases/ticket-notifier.js';
import { CaseLifecycle, LOCKED_CASE_COLUMNS } from '../cases/case-lifecycle.js';
import { CaseTypeRegistry } from '../cases/case-type.registry.js';
import { ANSWERED_STATUS_SQL } from '../cases/phases.js';
import { MESSAGE_COLUMNS, TICKET_SUMMARY_COLUMNS, toMessageView, toTicketSummary } from '../cases/ticket-views.js';
import { isTicketId, visibleTickets } from './ticket-visibility.js';
import { PRIORITIES, TICKET_STATUSES } from './ticket.entity.js';
import { insertMessage } from '../conversations/messages.js';
import { TicketRouting } from './ticket-routing.js';
import type { TicketDetail, TicketEvent } from './tickets.api.js';

export interface TicketFilters {
  status?: string[];
  queueState?: string[];
  groupId?: number;
  assigneeId?: number;
  channel?: string;
  type?: string;
  category?: string;
  q?: string;
  from?: Date;
  to?: Date;
  mine?: boolean;
  limit?: number;
  beforeId?: string;
}

/** What operators do with tickets: find, read, reply, annotate, change. Always within their scope. */
@Injectable()
export class TicketsService {
  constructor(
    private readonly ds: DataSource,
    private readonly routing: TicketRouting,
    private readonly notifier: TicketNotifier,
    private readonly relay: OutboxRelay,
    private readonly realtime: RealtimeService,
    private readonly types: CaseTypeRegistry,
    private readonly lifecycle: CaseLifecycle,
  ) {}

  async list(principal: Principal, f: TicketFilters): Promise<TicketSummary[]> {
    await assertRefsInScope(this.ds, principal, { groupId: f.groupId, assigneeId: f.assigneeId });
    const params: unknown[] = [];
    const where = [visibleTickets(principal, params)];
    const add = (sql: (n: number) => string, value: unknown) => {
      params.push(value);
      where.push(sql(params.length));
    };
    if (f.status?.length) add((n) => `t.status = ANY($${n}::text[])`, f.status);
    if (f.queueState?.length) add((n) => `t.queue_state = ANY($${n}::text[])`, f.queueState);
    if (f.groupId !== undefined) add((n) => `t.group_id = $${n}`, f.groupId);
    if (f.assigneeId !== undefined) add((n) => `t.assignee_id = $${n}`, f.assigneeId);
    if (f.mine) add((n) => `(t.assignee_id = $${n} OR t.offered_to_id = $${n})`, principal.operatorId);
    if (f.channel) add((n) => `t.channel = $${n}`, f.channel);
    if (f.type) add((n) => `t.type = $${n}`, f.type);
    if (f.category) add((n) => `t.category = $${n}`, f.category);
    if (f.from) add((n) => `t.created_at >= $${n}`, f.from);
    if (f.to) add((n) => `t.created_at < $${n}`, f.to);
    if (f.beforeId) add((n) => `t.id < $${n}`, f.beforeId);
    if (f.q) add((n) => `(t.reference ILIKE $${n} OR t.subject ILIKE $${n})`, `%${f.q.replace(/[%_\\]/g, '\\$&')}%`);
    params.push(Math.min(f.limit ?? 50, 200));
    const rows = await this.ds.query(
      `SELECT ${TICKET_SUMMARY_COLUMNS} FROM tickets t WHERE ${where.join(' AND ')} ORDER BY t.id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toTicketSummary);
  }

  async get(principal: Principal, ticketId: string): Promise<TicketDetail> {
    const row = await this.findVisible(principal, ticketId);
    const [messages, identities] = await Promise.all([
      this.ds.query(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.ticket_id = $1 ORDER BY m.id`, [row.id]),
      // Only what this comune knows of the citizen: identities used with it, by the names given to it.
      this.ds.query(
        `SELECT ci.channel, ci.address, l.display_name FROM citizen_identities ci
           JOIN citizen_identity_comuni l ON l.identity_id = ci.id AND l.comune_id = $2
          WHERE ci.citizen_id = $1 ORDER BY ci.id`,
        [row.citizen_id, row.comune_id],
      ),
    ]);
    return {
      ...toTicketSummary(row),
      payload: row.payload,
      stage: this.types.find(row.type)?.currentStage(row.stage) ?? null,
      firstResponseAt: row.first_response_at ? new Date(row.first_response_at).toISOString() : null,
      resolvedAt: row.resolved_at ? new Date(row.resolved_at).toISOString() : null,
      citizen: {
        id: String(row.citizen_id),
        displayName: row.citizen_name,
        identities: identities.map((i: any) => ({ channel: i.channel, address: i.address, displayName: i.display_name })),
      },
      messages: messages.map(toMessageView),
    };
  }

  async events(principal: Principal, ticketId: string): Promise<TicketEvent[]> {
    const row = await this.findVisible(principal, ticketId);
    const rows = await this.ds.query(
      `SELECT id, type, actor_type, actor_operator_id, data, created_at FROM ticket_events WHERE ticket_id = $1 ORDER BY id`,
      [row.id],
    );
    return rows.map((r: any) => ({
      id: String(r.id),
      type: r.type,
      actorType: r.actor_type,
      actorOperatorId: r.actor_operator_id,
      data: r.data,
      createdAt: new Date(r.created_at).toISOString(),
    }));
  }

  /**
   * An operator's reply (sent to the citizen on the ticket's channel) or internal note (never sent).
   * Replying to a ticket offered to you, or waiting in your group's queue, takes it.
   */
  async reply(principal: Principal, ticketId: string, text: string, internal: boolean): Promise<MessageView> {
    const row = await this.findVisible(principal, ticketId);
    const correlationId = currentCorrelationId();
    const { messageId, took } = await this.ds.transaction(async (m) => {
      const took = internal ? false : await this.routing.acceptIn(m, principal, String(row.id), false);
      const [t] = await m.query(`SELECT status FROM tickets WHERE id = $1 FOR UPDATE`, [row.id]);
      if (!internal && t.status === 'closed') throw new ConflictException('this ticket is closed; reopen it to reply');
      const to = internal ? null : await this.replyRoute(m, String(row.id));
      const channel = to?.channel ?? row.channel;
      const msg = await insertMessage(m, {
        ticketId: row.id,
        comuneId: row.comune_id,
        direction: 'outbound',
        authorType: 'operator',
        authorOperatorId: principal.operatorId,
        internal,
        text,
        channel,
        deliveryStatus: internal ? 'not_sent' : 'queued',
        recipientAddress: to?.address ?? null,
      });
      if (!internal) {
        await m.query(
          `UPDATE tickets SET first_response_at = COALESCE(first_response_at, now()), last_message_at = now(), updated_at = now(),
                  status = ${ANSWERED_STATUS_SQL} WHERE id = $1`,
          [row.id],
        );
        await appendOutbox(m, 'message.deliver', { messageId: String(msg.id), comuneId: row.comune_id, channel, correlationId });
      }
      await appendEvents(m, [
        {
          ticketId: String(row.id),
          comuneId: row.comune_id,
          type: internal ? 'note.added' : 'message.sent',
          actorType: 'operator',
          actorOperatorId: principal.operatorId,
          data: { messageId: String(msg.id) },
        },
      ]);
      return { messageId: String(msg.id), took };
    });
    if (!internal) this.relay.kick();
    const [view] = await this.ds.query(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.id = $1`, [messageId]);
    const message = toMessageView(view);
    if (took) await this.notifier.notify([String(row.id)], 'ticket.assigned', 'assigned');
    const [fresh] = await this.notifier.summaries([String(row.id)]);
    this.realtime.toAgents(roomsForTicket(fresh), 'message.created', { ticketId: String(row.id), message, correlationId });
    return message;
  }

  async update(
    principal: Principal,
    ticketId: string,
    change: { status?: string; stage?: string; priority?: string; category?: string | null; type?: string },
  ): Promise<TicketSummary> {
    const row = await this.findVisible(principal, ticketId);
    if (change.status !== undefined && !(TICKET_STATUSES as readonly string[]).includes(change.status))
      throw invalidField('status', `must be one of ${TICKET_STATUSES.join(', ')}`);
    if (change.priority !== undefined && !(PRIORITIES as readonly string[]).includes(change.priority))
      throw invalidField('priority', `must be one of ${PRIORITIES.join(', ')}`);
    if (change.type !== undefined) this.types.get(change.type);
    let freed = false;
    await this.ds.transaction(async (m) => {
      const [t] = await m.query(`SELECT ${LOCKED_CASE_COLUMNS}, priority, category FROM tickets WHERE id = $1 FOR UPDATE`, [row.id]);
      // Status and stage by the rules of the case's type (src/cases/case-lifecycle.ts), hooks included.
      const applied = await this.lifecycle.change(
        m,
        t,
        { status: change.status, stage: change.stage },
        { type: 'operator', operatorId: principal.operatorId },
      );
      freed = applied.freed;
      const events: Parameters<typeof appendEvents>[1] = [];
      for (const field of ['priority', 'category', 'type'] as const) {
        if (change[field] !== undefined && change[field] !== t[field]) {
          await m.query(`UPDATE tickets SET ${field} = $2, updated_at = now() WHERE id = $1`, [row.id, change[field]]);
          events.push({
            ticketId: String(row.id),
            comuneId: row.comune_id,
            type: `${field}.changed`,
            actorType: 'operator',
            actorOperatorId: principal.operatorId,
            data: { from: t[field], to: change[field] },
          });
        }
      }
      await appendEvents(m, events);
    });
    await this.notifier.notify([String(row.id)], 'ticket.updated', 'updated');
    if (freed) await this.routing.dispatch(row.comune_id);
    const [summary] = await this.notifier.summaries([String(row.id)]);
    return summary;
  }

  async attachment(principal: Principal, attachmentId: string): Promise<{ storageKey: string; filename: string; contentType: string }> {
    if (!isTicketId(attachmentId)) throw new NotFoundException('attachment not found');
    const params: unknown[] = [attachmentId];
    const vis = visibleTickets(principal, params);
    const rows = await this.ds.query(
      `SELECT a.storage_key, a.filename, a.content_type FROM attachments a
         JOIN messages m ON m.id = a.message_id JOIN tickets t ON t.id = m.ticket_id
        WHERE a.id = $1 AND a.removed_at IS NULL AND ${vis}`,
      params,
    );
    // A removed attachment (erasure, retention: src/portal/privacy) has no bytes left.
    if (!rows.length) throw new NotFoundException('attachment not found');
    return { storageKey: rows[0].storage_key, filename: rows[0].filename, contentType: rows[0].content_type };
  }

  /** The ticket if the principal may see it; 404 otherwise (another comune's ticket does not exist for you). */
  /**
   * Where a reply goes: back where the citizen last wrote from. Normally that is the identity the
   * ticket came from (null: the default route); a citizen who opened it in the web chat and then
   * answered the e-mail notice (or the WhatsApp one) is answered there, on that identity of theirs.
   */
  private async replyRoute(m: EntityManager, ticketId: string): Promise<{ channel: string; address: string } | null> {
    const [last] = await m.query(
      `SELECT msg.channel, ti.channel AS ticket_channel, i.address
         FROM messages msg JOIN tickets t ON t.id = msg.ticket_id
         JOIN citizen_identities ti ON ti.id = t.citizen_identity_id
         LEFT JOIN LATERAL (SELECT x.address FROM citizen_identities x
                              JOIN citizen_identity_comuni k ON k.identity_id = x.id AND k.comune_id = t.comune_id
                             WHERE x.citizen_id = t.citizen_id AND x.channel = msg.channel ORDER BY x.id DESC LIMIT 1) i ON true
        WHERE msg.ticket_id = $1 AND msg.direction = 'inbound' AND msg.author_type = 'citizen'
        ORDER BY msg.id DESC LIMIT 1`,
      [ticketId],
    );
    if (!last || last.channel === last.ticket_channel || !last.address) return null;
    return { channel: last.channel, address: last.address };
  }

  private async findVisible(principal: Principal, ticketId: string): Promise<any> {
    if (!isTicketId(ticketId)) throw new NotFoundException(`ticket ${ticketId} not found`);
    const params: unknown[] = [ticketId];
    const vis = visibleTickets(principal, params);
    const rows = await this.ds.query(
      `SELECT ${TICKET_SUMMARY_COLUMNS}, t.citizen_id, t.payload, t.stage, t.first_response_at, t.resolved_at, l.display_name AS citizen_name
         FROM tickets t LEFT JOIN citizen_identity_comuni l ON l.identity_id = t.citizen_identity_id AND l.comune_id = t.comune_id
        WHERE t.id = $1 AND ${vis}`,
      params,
    );
    if (!rows.length) throw new NotFoundException(`ticket ${ticketId} not found`);
    return rows[0];
  }
}
