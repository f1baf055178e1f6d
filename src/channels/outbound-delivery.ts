import { Injectable } from '@nestjs/common';
import { updateReturning } from '../database/sql.js';
import { UnrecoverableError, type Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { TenantScope } from '../common/tenant-scope.js';
import { Metrics } from '../ops/metrics.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { roomsForTicket } from '../realtime/rooms.js';
import { MESSAGE_COLUMNS, toMessageView } from '../tickets/ticket-views.js';
import { ChannelRegistry } from './channel-registry.js';
import { PermanentDeliveryError, type OutboundMessage } from './channel-adapter.js';
import { TypedWorker, type JobHandlers } from '../jobs/typed-worker.js';

/**
 * Sends one stored operator reply through its ticket's channel and records the delivery state.
 * Safe to run twice: a message already sent is not sent again.
 */
@Injectable()
export class OutboundDelivery {
  constructor(
    private readonly ds: DataSource,
    private readonly registry: ChannelRegistry,
    private readonly realtime: RealtimeService,
    private readonly metrics: Metrics,
  ) {}

  async deliver(messageId: string, comuneId: number, job?: Job): Promise<void> {
    const scope = TenantScope.ofComune(comuneId);
    const params: unknown[] = [messageId];
    const rows = await this.ds.query(
      `SELECT m.id, m.ticket_id, m.comune_id, m.text, m.internal, m.delivery_status, m.created_at,
              m.channel AS message_channel, m.recipient_address,
              t.reference, t.channel AS ticket_channel, i.channel AS identity_channel, i.address, i.display_name,
              o.name AS operator_name
         FROM messages m JOIN tickets t ON t.id = m.ticket_id
         JOIN citizen_identities i ON i.id = t.citizen_identity_id
         LEFT JOIN operators o ON o.id = m.author_operator_id
        WHERE m.id = $1 AND ${scope.sql('m.comune_id', params)}`, params);
    const r = rows[0];
    if (!r || r.internal || r.delivery_status !== 'queued') return;
    // Normally the citizen is reached on the identity the ticket came from; a message that names its
    // own recipient (a notice to a contact the citizen left) goes to that address of its own channel.
    const recipient = r.recipient_address
      ? { channel: r.message_channel as string, address: r.recipient_address as string, displayName: r.display_name }
      : { channel: r.identity_channel as string, address: r.address as string, displayName: r.display_name };
    const adapter = this.registry.get(recipient.channel);
    if (!adapter) {
      await this.setStatus(r.id, 'failed', `canale ${recipient.channel} non disponibile / no adapter for channel ${recipient.channel}`);
      throw new UnrecoverableError(`no adapter for channel ${recipient.channel}`);
    }
    const attachments = await this.ds.query(
      `SELECT storage_key AS "storageKey", filename, content_type AS "contentType" FROM attachments WHERE message_id = $1`, [r.id]);
    const out: OutboundMessage = {
      messageId: String(r.id), ticketId: String(r.ticket_id), ticketReference: r.reference, comuneId: r.comune_id,
      text: r.text ?? '', recipient,
      operatorName: r.operator_name, attachments, createdAt: r.created_at,
    };
    try {
      const result = await adapter.deliver(out);
      await this.setStatus(r.id, result.status, null, result.externalId);
      this.metrics.deliveries.inc({ channel: adapter.channel, outcome: result.status });
    } catch (err) {
      // Unknown errors are treated like transient ones: retried with backoff, failed at the last attempt.
      const permanent = err instanceof PermanentDeliveryError;
      const lastAttempt = !job || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (permanent || lastAttempt) {
        await this.setStatus(r.id, 'failed', (err as Error).message);
        this.metrics.deliveries.inc({ channel: adapter.channel, outcome: 'failed' });
        if (permanent) throw new UnrecoverableError((err as Error).message);
      } else {
        this.metrics.deliveries.inc({ channel: adapter.channel, outcome: 'retry' });
      }
      throw err;
    }
  }

  /**
   * Records a delivery state (also used by channels receiving the provider's status callbacks and
   * receipts). States only move forward — queued → sent → delivered → read — and failed is final,
   * so a late or out-of-order report never undoes a later one. Returns whether the state moved.
   */
  async setStatus(messageId: string, status: string, error: string | null, externalId?: string): Promise<boolean> {
    const earlier = status === 'failed' ? DELIVERY_ORDER : DELIVERY_ORDER.slice(0, Math.max(DELIVERY_ORDER.indexOf(status), 0));
    const rows = await updateReturning(this.ds,
      `UPDATE messages SET delivery_status = $2, delivery_error = $3, external_id = COALESCE($4, external_id)
        WHERE id = $1 AND delivery_status = ANY($5::text[]) RETURNING ticket_id`,
      [messageId, status, error, externalId ?? null, earlier]);
    if (!rows.length) {
      // The provider's id still matters for the receipts that follow.
      if (externalId) await this.ds.query(`UPDATE messages SET external_id = COALESCE(external_id, $2) WHERE id = $1`, [messageId, externalId]);
      return false;
    }
    const [view] = await this.ds.query(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.id = $1`, [messageId]);
    const [t] = await this.ds.query(`SELECT comune_id, group_id, assignee_id, offered_to_id FROM tickets WHERE id = $1`, [rows[0].ticket_id]);
    this.realtime.toAgents(
      roomsForTicket({ comuneId: t.comune_id, groupId: t.group_id, assigneeId: t.assignee_id, offeredToId: t.offered_to_id }),
      'message.updated', { ticketId: String(rows[0].ticket_id), message: toMessageView(view) });
    return true;
  }
}

/** The forward order of delivery states of an outbound message ("failed" can follow any but itself). */
const DELIVERY_ORDER = ['queued', 'sent', 'delivered', 'read'];

/** Base of every channel's outbound worker: the channel folder only adds its queue name and rate limit. */
export abstract class OutboundProcessor extends TypedWorker<'message.deliver'> {
  protected readonly handlers: JobHandlers<'message.deliver'> = {
    'message.deliver': (p, job) => this.delivery.deliver(p.messageId, p.comuneId, job),
  };

  constructor(protected readonly delivery: OutboundDelivery, protected readonly metrics: Metrics) {
    super();
  }
}
