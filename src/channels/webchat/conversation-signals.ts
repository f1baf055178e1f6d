import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../../common/tenant-scope.js';
import { OutboundDelivery } from '../outbound-delivery.js';
import { visibleTickets } from '../../tickets/ticket-visibility.js';
import { RealtimeService } from '../../realtime/realtime.service.js';
import { roomsForTicket } from '../../realtime/rooms.js';
import { OPEN_STATUS_SQL } from '../../cases/phases.js';

const WEBCHAT = 'webchat';
const ID = /^\d{1,18}$/;

/**
 * Typing indicators and read state between an operator and a web-chat citizen. Typing is a
 * passing signal (not stored); "read" is stored as the messages' delivery state.
 */
@Injectable()
export class ConversationSignals {
  constructor(
    private readonly ds: DataSource,
    private readonly realtime: RealtimeService,
    private readonly delivery: OutboundDelivery,
  ) {}

  async operatorTyping(principal: Principal, ticketId: string, typing: boolean): Promise<boolean> {
    const t = await this.webchatTicket(principal, ticketId);
    if (!t) return false;
    this.realtime.toWebchat(t.address, 'typing', { typing });
    return true;
  }

  /** Marks the citizen's messages up to `upToMessageId` read, and tells the citizen. */
  async operatorRead(principal: Principal, ticketId: string, upToMessageId: string): Promise<boolean> {
    if (!ID.test(upToMessageId)) return false;
    const params: unknown[] = [ticketId];
    if (!ID.test(ticketId)) return false;
    const [t] = await this.ds.query(
      `SELECT t.id, t.channel, i.address FROM tickets t JOIN citizen_identities i ON i.id = t.citizen_identity_id
        WHERE t.id = $1 AND ${visibleTickets(principal, params)}`,
      params,
    );
    if (!t) return false;
    await this.ds.query(
      `UPDATE messages SET delivery_status = 'read' WHERE ticket_id = $1 AND direction = 'inbound' AND id <= $2 AND delivery_status = 'received'`,
      [t.id, upToMessageId],
    );
    if (t.channel === WEBCHAT) this.realtime.toWebchat(t.address, 'read', { upToMessageId });
    return true;
  }

  async citizenTyping(address: string, typing: boolean): Promise<void> {
    const [t] = await this.ds.query(
      `SELECT t.id, t.comune_id, t.group_id, t.assignee_id, t.offered_to_id FROM tickets t
         JOIN citizen_identities i ON i.id = t.citizen_identity_id
        WHERE i.channel = $1 AND i.address = $2 AND t.status IN ${OPEN_STATUS_SQL} ORDER BY t.id DESC LIMIT 1`,
      [WEBCHAT, address],
    );
    if (!t) return;
    this.realtime.toAgents(
      roomsForTicket({ comuneId: t.comune_id, groupId: t.group_id, assigneeId: t.assignee_id, offeredToId: t.offered_to_id }),
      'citizen.typing',
      { ticketId: String(t.id), typing },
    );
  }

  /**
   * The citizen saw the operator's replies up to this one: they become "read" in the console.
   *
   * The web-chat adapter hands the reply to the citizen's socket before the worker stores "sent",
   * so the citizen's "read" of that very reply can arrive while it is still "queued": it is read
   * all the same (the citizen has it on screen). The worker's "sent", stored after, cannot undo it:
   * delivery states only move forward. Earlier replies still queued are not marked: the citizen
   * may not have them yet.
   */
  async citizenRead(address: string, upToMessageId: string): Promise<void> {
    if (!ID.test(upToMessageId)) return;
    const rows: Array<{ id: string }> = await this.ds.query(
      `SELECT m.id FROM messages m JOIN tickets t ON t.id = m.ticket_id JOIN citizen_identities i ON i.id = t.citizen_identity_id
        WHERE i.channel = $1 AND i.address = $2 AND m.direction = 'outbound' AND NOT m.internal AND m.id <= $3
          AND (m.delivery_status IN ('sent', 'delivered') OR (m.id = $3 AND m.delivery_status = 'queued'))
        ORDER BY m.id DESC LIMIT 50`,
      [WEBCHAT, address, upToMessageId],
    );
    for (const r of rows) await this.delivery.setStatus(String(r.id), 'read', null);
  }

  private async webchatTicket(principal: Principal, ticketId: string): Promise<{ address: string } | null> {
    if (!ID.test(ticketId)) return null;
    const params: unknown[] = [ticketId, WEBCHAT];
    const [t] = await this.ds.query(
      `SELECT i.address FROM tickets t JOIN citizen_identities i ON i.id = t.citizen_identity_id
        WHERE t.id = $1 AND t.channel = $2 AND ${visibleTickets(principal, params)}`,
      params,
    );
    return t ?? null;
  }
}
