import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RealtimeService } from '../../realtime/realtime.service.js';
import { roomsForTicket } from '../../realtime/rooms.js';
import { appendEvents } from '../../tickets/event-log.js';
import { TicketNotifier } from '../../cases/ticket-notifier.js';
import { MESSAGE_COLUMNS, toMessageView } from '../../cases/ticket-views.js';
import { InSystemScope } from '../../tenancy/db-scope.js';

/**
 * What chat channels add to the ingest pipeline: a citizen's edit of a sent message updates the
 * stored message (the previous text stays in the ticket's event log). (A position sent into an
 * open conversation is handled by the ingest pipeline itself.)
 */
@Injectable()
export class InboundExtras {
  private readonly logger = new Logger(InboundExtras.name);

  constructor(
    private readonly ds: DataSource,
    private readonly realtime: RealtimeService,
    private readonly notifier: TicketNotifier,
  ) {}

  /**
   * Replaces the text of a stored citizen message. Returns false when no such message is stored
   * (the caller then stores the edited message as new) and true otherwise, also when the text was already this one.
   */
  // A provider's message id is unique per channel: the edit finds its message in whichever comune.
  @InSystemScope('channel-edits')
  async editMessage(channel: string, externalId: string, text: string | null): Promise<boolean> {
    const result = await this.ds.transaction(async (m) => {
      const rows = await m.query(
        `SELECT m.id, m.text, m.ticket_id, m.comune_id FROM messages m
          WHERE m.channel = $1 AND m.external_id = $2 AND m.direction = 'inbound' FOR UPDATE`,
        [channel, externalId],
      );
      if (!rows.length) return null;
      const r = rows[0];
      if ((r.text ?? null) === (text ?? null)) return { changed: false, id: String(r.id), ticketId: String(r.ticket_id) };
      await m.query(`UPDATE messages SET text = $2 WHERE id = $1`, [r.id, text]);
      await appendEvents(m, [
        {
          ticketId: String(r.ticket_id),
          comuneId: r.comune_id,
          type: 'message.edited',
          actorType: 'citizen',
          data: { messageId: String(r.id), channel, previousText: r.text, text },
        },
      ]);
      return { changed: true, id: String(r.id), ticketId: String(r.ticket_id) };
    });
    if (!result) return false;
    if (result.changed) await this.announce(result.id, result.ticketId);
    return true;
  }

  private async announce(messageId: string, ticketId: string): Promise<void> {
    try {
      const [view] = await this.ds.query(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.id = $1`, [messageId]);
      const [t] = await this.notifier.summaries([ticketId]);
      if (view && t) this.realtime.toAgents(roomsForTicket(t), 'message.updated', { ticketId, message: toMessageView(view) });
    } catch (err) {
      this.logger.warn(`could not announce the edit of message ${messageId}: ${(err as Error).message}`);
    }
  }
}
