import { Injectable } from '@nestjs/common';
import { updateReturning } from '../database/sql.js';
import { UnrecoverableError, type Job } from 'bullmq';
import { DataSource, type EntityManager } from 'typeorm';
import { TenantScope } from '../common/tenant-scope.js';
import { Metrics } from '../ops/metrics.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { roomsForTicket } from '../realtime/rooms.js';
import { MESSAGE_COLUMNS, toMessageView } from '../cases/ticket-views.js';
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
              t.reference, t.channel AS ticket_channel, i.channel AS identity_channel, i.address, l.display_name,
              o.name AS operator_name
         FROM messages m JOIN tickets t ON t.id = m.ticket_id
         JOIN citizen_identities i ON i.id = t.citizen_identity_id
         LEFT JOIN citizen_identity_comuni l ON l.identity_id = i.id AND l.comune_id = t.comune_id
         LEFT JOIN operators o ON o.id = m.author_operator_id
        WHERE m.id = $1 AND ${scope.sql('m.comune_id', params)}`,
      params,
    );
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
      `SELECT storage_key AS "storageKey", filename, content_type AS "contentType" FROM attachments WHERE message_id = $1`,
      [r.id],
    );
    const out: OutboundMessage = {
      messageId: String(r.id),
      ticketId: String(r.ticket_id),
      ticketReference: r.reference,
      comuneId: r.comune_id,
      text: r.text ?? '',
      recipient,
      operatorName: r.operator_name,
      attachments,
      createdAt: r.created_at,
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
        if (permanent) throw new UnrecoverableError(err.message);
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
   *
   * With the provider's id of the sent message (the send's own result), the reports about that id
   * that came before it was stored (see `reportStatus`) are applied in the same transaction.
   */
  async setStatus(messageId: string, status: string, error: string | null, externalId?: string): Promise<boolean> {
    const moved = externalId
      ? await this.ds.transaction((m) => this.storeExternalId(m, messageId, status, error, externalId))
      : await this.advance(this.ds, messageId, status, error);
    if (moved) await this.announce(messageId);
    return moved;
  }

  /**
   * A provider's report (status webhook, receipt) about one of our messages, named by the
   * provider's id. A report can overtake the answer to our own send call — WhatsApp says
   * "delivered" before the Graph API's reply reaches us and we store the id — so a report for an
   * id not stored yet is kept (`early_delivery_reports`) and applied when the send stores it.
   * Duplicates are harmless: the state only moves forward, and an early report is kept once.
   */
  async reportStatus(
    channel: string,
    externalId: string,
    status: string,
    error: string | null,
    reportedAt?: Date | null,
  ): Promise<'applied' | 'unchanged' | 'kept' | 'ignored'> {
    if (!REPORTED_STATES.includes(status)) return 'ignored';
    const found = await this.ds.transaction(async (m) => {
      await lockExternalId(m, channel, externalId);
      const [msg] = await m.query(`SELECT id FROM messages WHERE channel = $1 AND external_id = $2 AND direction = 'outbound'`, [
        channel,
        externalId,
      ]);
      if (msg) return { messageId: String(msg.id), moved: await this.advance(m, String(msg.id), status, error) };
      // Kept for a while only: a report whose message never gets its id (a send that failed after
      // all, a second part of a multi-part message) is of no use after that.
      await m.query(
        `DELETE FROM early_delivery_reports WHERE id IN (
           SELECT id FROM early_delivery_reports WHERE received_at < now() - $1::interval ORDER BY received_at LIMIT 500)`,
        [EARLY_REPORT_LIFETIME],
      );
      await m.query(
        `INSERT INTO early_delivery_reports (channel, external_id, status, error, reported_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (channel, external_id, status) DO NOTHING`,
        [channel, externalId, status, error, reportedAt && !Number.isNaN(reportedAt.getTime()) ? reportedAt : null],
      );
      return null;
    });
    if (!found) return 'kept';
    if (!found.moved) return 'unchanged';
    await this.announce(found.messageId);
    return 'applied';
  }

  /** The send's own result and the id it got, then the reports that came before the id was known. */
  private async storeExternalId(
    m: EntityManager,
    messageId: string,
    status: string,
    error: string | null,
    externalId: string,
  ): Promise<boolean> {
    const [msg] = await m.query(`SELECT channel FROM messages WHERE id = $1`, [messageId]);
    if (!msg) return false;
    // Ordered with reportStatus for the same id: a report either sees the id stored, or is kept before we look.
    await lockExternalId(m, msg.channel, externalId);
    let moved = await this.advance(m, messageId, status, error, externalId);
    // The provider's id still matters for the receipts that follow.
    if (!moved) await m.query(`UPDATE messages SET external_id = COALESCE(external_id, $2) WHERE id = $1`, [messageId, externalId]);
    const early = await updateReturning<{ id: string; status: string; error: string | null }>(
      m,
      `DELETE FROM early_delivery_reports WHERE channel = $1 AND external_id = $2 RETURNING id, status, error`,
      [msg.channel, externalId],
    );
    // Any order gives the same end: the furthest state reached, or failed when one said so.
    for (const r of early.sort((a, b) => Number(a.id) - Number(b.id))) {
      moved = (await this.advance(m, messageId, r.status, r.error)) || moved;
    }
    return moved;
  }

  /** Moves the message's state forward (never back, never out of failed); whether it moved. */
  private async advance(
    m: EntityManager | DataSource,
    messageId: string,
    status: string,
    error: string | null,
    externalId?: string,
  ): Promise<boolean> {
    const earlier = status === 'failed' ? DELIVERY_ORDER : DELIVERY_ORDER.slice(0, Math.max(DELIVERY_ORDER.indexOf(status), 0));
    const rows = await updateReturning(
      m,
      `UPDATE messages SET delivery_status = $2, delivery_error = $3, external_id = COALESCE($4, external_id)
        WHERE id = $1 AND delivery_status = ANY($5::text[]) RETURNING id`,
      [messageId, status, error, externalId ?? null, earlier],
    );
    return rows.length > 0;
  }

  /** Tells the console the message's new state (after the commit: what it reads is what is stored). */
  /** Sends the message as it is now to the operators who can see its ticket (`message.updated`). */
  async announce(messageId: string): Promise<void> {
    const [view] = await this.ds.query(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.id = $1`, [messageId]);
    if (!view) return;
    const [t] = await this.ds.query(`SELECT comune_id, group_id, assignee_id, offered_to_id FROM tickets WHERE id = $1`, [view.ticket_id]);
    this.realtime.toAgents(
      roomsForTicket({ comuneId: t.comune_id, groupId: t.group_id, assigneeId: t.assignee_id, offeredToId: t.offered_to_id }),
      'message.updated',
      { ticketId: String(view.ticket_id), message: toMessageView(view) },
    );
  }
}

/** Reports of a provider's id not stored yet are kept this long (the race they cover lasts a moment). */
const EARLY_REPORT_LIFETIME = '1 hour';

/** States a provider reports about a message it took. */
const REPORTED_STATES = ['sent', 'delivered', 'read', 'failed'];

/** Serializes, per provider id, storing the id after a send and matching a report to it. */
async function lockExternalId(m: EntityManager, channel: string, externalId: string): Promise<void> {
  await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`delivery-report|${channel}|${externalId}`]);
}

/** The forward order of delivery states of an outbound message ("failed" can follow any but itself). */
const DELIVERY_ORDER = ['queued', 'sent', 'delivered', 'read'];

/** Base of every channel's outbound worker: the channel folder only adds its queue name and rate limit. */
export abstract class OutboundProcessor extends TypedWorker<'message.deliver'> {
  protected readonly handlers: JobHandlers<'message.deliver'> = {
    'message.deliver': (p, job) => this.delivery.deliver(p.messageId, p.comuneId, job),
  };

  constructor(
    protected readonly delivery: OutboundDelivery,
    protected readonly metrics: Metrics,
  ) {
    super();
  }
}
