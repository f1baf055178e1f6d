import { Injectable } from '@nestjs/common';
import { Processor } from '@nestjs/bullmq';
import { DataSource } from 'typeorm';
import { appendEvents } from '../../cases/event-log.js';
import { insertMessage } from '../../conversations/messages.js';
import { outboundQueueName } from '../../jobs/jobs.js';
import { Metrics } from '../../ops/metrics.js';
import { appendOutbox, OutboxRelay } from '../../outbox/outbox.js';
import { inComune } from '../../tenancy/db-scope.js';
import type { ChannelAdapter, DeliveryResult, OutboundMessage } from '../channel-adapter.js';
import { consentedContact, contactRoute } from '../notifications/contact-route.js';
import { OutboundDelivery, OutboundProcessor } from '../outbound-delivery.js';
import { PORTAL_CHANNEL } from './portal-normalize.js';

/** The event that records the e-mail telling a portal citizen of an operator's reply (`data.replyId`): one per reply. */
export const PORTAL_REPLY_NOTICE = 'portal_reply';

/**
 * The citizen reads an operator's reply on the case page of the portal: a reply is delivered once
 * it is stored there. Without login nobody is on that page to see it, so an operator's reply is
 * also announced by e-mail to the address the citizen left, when they asked for updates: a
 * system message on the comune's e-mail channel, through its own outbound queue, once per reply.
 * (The summary of a new case, "taken in charge", "resolved" and followers' news leave the same way.)
 */
@Injectable()
export class PortalAdapter implements ChannelAdapter {
  readonly channel = PORTAL_CHANNEL;

  constructor(
    private readonly ds: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  async deliver(out: OutboundMessage): Promise<DeliveryResult> {
    const queued = await inComune(out.comuneId, () => this.announce(out));
    if (queued) this.relay.kick();
    return { status: 'sent' };
  }

  private announce(out: OutboundMessage): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const [row] = await m.query(
        `SELECT t.id, t.citizen_id, t.comune_id, msg.author_type, c.name AS comune
           FROM messages msg JOIN tickets t ON t.id = msg.ticket_id JOIN comuni c ON c.id = t.comune_id
          WHERE msg.id = $1 FOR NO KEY UPDATE OF t`,
        [out.messageId],
      );
      if (!row || row.author_type !== 'operator') return false;
      // The ticket row is locked: a retried delivery of the same reply sees the first one's event.
      const [sent] = await m.query(
        `SELECT 1 FROM ticket_events WHERE ticket_id = $1 AND type = 'citizen.notified' AND data->>'kind' = $2 AND data->>'replyId' = $3`,
        [row.id, PORTAL_REPLY_NOTICE, out.messageId],
      );
      if (sent) return false;
      const contact = await consentedContact(m, String(row.citizen_id), row.comune_id);
      if (contact?.kind !== 'email') return false;
      const route = await contactRoute(m, row.comune_id, contact);
      if (!('address' in route)) return false;
      const excerpt = out.text.length > 1500 ? `${out.text.slice(0, 1497)}…` : out.text;
      const msg = await insertMessage(m, {
        ticketId: row.id,
        comuneId: row.comune_id,
        direction: 'outbound',
        authorType: 'system',
        text:
          `Nuova risposta del Comune di ${row.comune} sulla sua pratica ${out.ticketReference}:\n\n${excerpt}\n\n` +
          `Per rispondere, apra la pratica sul portale del Comune con il codice ${out.ticketReference} e questo indirizzo e-mail.`,
        channel: route.channel,
        deliveryStatus: 'queued',
        recipientAddress: route.address,
      });
      await appendEvents(m, [
        {
          ticketId: String(row.id),
          comuneId: row.comune_id,
          type: 'citizen.notified',
          actorType: 'system',
          data: { kind: PORTAL_REPLY_NOTICE, messageId: String(msg.id), replyId: out.messageId, channel: route.channel, via: 'contact' },
        },
      ]);
      await appendOutbox(m, 'message.deliver', { messageId: String(msg.id), comuneId: row.comune_id, channel: route.channel });
      return true;
    });
  }
}

@Processor(outboundQueueName(PORTAL_CHANNEL))
export class PortalOutboundProcessor extends OutboundProcessor {
  constructor(delivery: OutboundDelivery, metrics: Metrics) {
    super(delivery, metrics);
  }
}
