import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TicketSummary } from '../realtime/events.api.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { roomsForTicket, rooms } from '../realtime/rooms.js';
import { TICKET_SUMMARY_COLUMNS, toTicketSummary } from './ticket-views.js';

type TicketEventName = 'ticket.created' | 'ticket.assigned' | 'ticket.updated' | 'ticket.offered';

/**
 * Pushes committed ticket changes to the agent rooms that may see them. Called after commit;
 * a failure here never undoes or fails the change itself.
 */
@Injectable()
export class TicketNotifier {
  private readonly logger = new Logger(TicketNotifier.name);

  constructor(
    private readonly ds: DataSource,
    private readonly realtime: RealtimeService,
  ) {}

  async summaries(ids: string[]): Promise<TicketSummary[]> {
    if (ids.length === 0) return [];
    const rows = await this.ds.query(`SELECT ${TICKET_SUMMARY_COLUMNS} FROM tickets t WHERE t.id = ANY($1::bigint[])`, [ids]);
    return rows.map(toTicketSummary);
  }

  /**
   * `previousRooms`: rooms that saw the ticket before the change (a transfer out of a group, an
   * offer that moved on), so they learn it left.
   */
  async notify(
    ticketIds: string[],
    event: TicketEventName,
    change: string,
    previousRooms: string[] = [],
    correlationId?: string,
  ): Promise<void> {
    try {
      for (const ticket of await this.summaries(ticketIds)) {
        const to = [...new Set([...roomsForTicket(ticket), ...previousRooms])];
        this.emit(to, event, ticket, change, correlationId);
      }
    } catch (err) {
      this.logger.warn(`could not notify ${event} for ${ticketIds.join(',')}: ${(err as Error).message}`);
    }
  }

  private emit(to: string[], event: TicketEventName, ticket: TicketSummary, change: string, correlationId?: string): void {
    switch (event) {
      case 'ticket.created':
        this.realtime.toAgents(to, 'ticket.created', { ticket, correlationId });
        break;
      case 'ticket.assigned':
        this.realtime.toAgents(to, 'ticket.assigned', { ticket });
        break;
      case 'ticket.offered':
        if (ticket.offeredToId !== null) {
          this.realtime.toAgents([rooms.operator(ticket.offeredToId)], 'ticket.offered', {
            ticket,
            expiresAt: ticket.offerExpiresAt ?? new Date().toISOString(),
          });
        }
        this.realtime.toAgents(to, 'ticket.updated', { ticket, change });
        break;
      default:
        this.realtime.toAgents(to, 'ticket.updated', { ticket, change });
    }
  }
}
