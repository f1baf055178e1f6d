import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { appendOutbox, OutboxRelay } from '../../outbox/outbox.js';
import { RealtimeService } from '../../realtime/realtime.service.js';
import { roomsForTicket } from '../../realtime/rooms.js';
import { appendEvents } from '../../tickets/event-log.js';
import { TicketNotifier } from '../../cases/ticket-notifier.js';
import { MESSAGE_COLUMNS, toMessageView } from '../../cases/ticket-views.js';
import { ChannelRegistry } from '../channel-registry.js';
import { consentedContact, contactRoute, preferredRoute, type ContactRoute } from './contact-route.js';
import { contactNotificationText, notificationText, preferredNotificationText, type NotificationKind } from './notification-texts.js';
import { InSystemScope } from '../../tenancy/db-scope.js';
import { isOpenStatus } from '../../cases/phases.js';
import { insertMessage } from '../../conversations/messages.js';
import { PollingPass } from '../../jobs/polling.js';

/**
 * Channels where a citizen is reached after they left. The web chat shows the conversation live
 * while open (and its history on return), and the app reads the ticket's state over its API; a
 * citizen of those (or of a phone or desk request) is notified on the contact they left, when
 * they consented to updates.
 */
export const NOTIFIED_CHANNELS = ['whatsapp', 'whatsapp-web', 'telegram', 'email'];

/** Where a notice goes: the ticket's own channel, or a contact's route; `preference` when the citizen chose it in the personal area. */
type Route = ({ contact: false; channel: string } | ({ contact: true } & ContactRoute)) & { preference?: boolean };

/** Events older than this are not notified any more: news that late would confuse more than help. */
const LOOKBACK = '1 hour';

/**
 * Tells citizens on their own channel (or on the contact they left for updates) when their
 * ticket is taken in charge and when it is resolved. It reads the ticket event log (no change to the core services): each notifiable event
 * becomes, in one transaction, a row in channel_notifications (unique per event, and once per
 * ticket for "taken in charge"), a system message on the ticket and a `message.deliver` outbox
 * entry — so the notice goes through the channel's own queue, rate limits and retries, and its
 * delivery state shows in the console like any reply.
 */
@Injectable()
export class NotificationScanner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(NotificationScanner.name);
  private readonly polling: PollingPass;

  constructor(
    private readonly ds: DataSource,
    private readonly relay: OutboxRelay,
    private readonly registry: ChannelRegistry,
    private readonly realtime: RealtimeService,
    private readonly notifier: TicketNotifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.polling = new PollingPass('notification scan', () => this.pass(), this.config.messaging.notifyPollMs, this.logger);
  }

  onApplicationBootstrap(): void {
    this.polling.start(() => this.scan());
  }

  onApplicationShutdown(): void {
    this.polling.stop();
  }

  /** One pass; returns how many notices were queued. Concurrent calls share the pass. */
  @InSystemScope('notifications')
  scan(): Promise<number> {
    return this.polling.run();
  }

  private async pass(): Promise<number> {
    const events: Array<{ id: string; ticket_id: string; comune_id: number; kind: NotificationKind }> = await this.ds.query(
      `SELECT e.id, e.ticket_id, e.comune_id,
              CASE WHEN e.type = 'ticket.assigned' THEN 'taken_in_charge' ELSE 'resolved' END AS kind
         FROM ticket_events e
        WHERE e.created_at > now() - interval '${LOOKBACK}'
          AND (e.type = 'ticket.assigned' OR (e.type = 'status.changed' AND e.data->>'to' = 'resolved'))
          AND NOT EXISTS (SELECT 1 FROM channel_notifications n WHERE n.event_id = e.id)
        ORDER BY e.id LIMIT 200`,
    );
    let queued = 0;
    for (const e of events) {
      const made = await this.notify(e);
      if (made) {
        queued++;
        await this.announce(made.messageId, e.ticket_id);
      }
    }
    if (queued) this.relay.kick();
    return queued;
  }

  private async notify(e: {
    id: string;
    ticket_id: string;
    comune_id: number;
    kind: NotificationKind;
  }): Promise<{ messageId: string } | null> {
    return this.ds.transaction(async (m) => {
      const [t] = await m.query(
        `SELECT t.id, t.reference, t.status, t.comune_id, t.citizen_id, t.citizen_identity_id, c.name AS comune, i.channel
           FROM tickets t JOIN comuni c ON c.id = t.comune_id JOIN citizen_identities i ON i.id = t.citizen_identity_id
          WHERE t.id = $1 FOR UPDATE OF t`,
        [e.ticket_id],
      );
      const stillTrue = t && (e.kind === 'resolved' ? t.status === 'resolved' : isOpenStatus(t.status));
      // "Taken in charge" is said once per ticket, however often it is reassigned (the ticket row lock orders concurrent scanners).
      const saidBefore =
        e.kind === 'taken_in_charge' && t
          ? (
              await m.query(
                `SELECT 1 FROM channel_notifications WHERE ticket_id = $1 AND kind = 'taken_in_charge' AND message_id IS NOT NULL`,
                [t.id],
              )
            ).length > 0
          : false;
      const [row] = await m.query(
        `INSERT INTO channel_notifications (event_id, ticket_id, comune_id, kind) VALUES ($1, $2, $3, $4)
         ON CONFLICT (event_id) DO NOTHING RETURNING id`,
        [e.id, e.ticket_id, e.comune_id, e.kind],
      );
      // No row: another scanner settled this event. A row without a message: seen, nothing to say.
      if (!row || saidBefore || !stillTrue) return null;
      // A channel not notified, or not available in this build, and no contact: the event is settled, nothing is sent.
      const route = await this.route(m, t);
      if (!route) return null;

      const text = route.preference
        ? preferredNotificationText(e.kind, t.reference, t.comune)
        : route.contact
          ? contactNotificationText(e.kind, t.reference, t.comune)
          : notificationText(e.kind, t.reference, t.comune);
      const unavailable = 'unavailable' in route ? route.unavailable : null;
      const msg = await insertMessage(m, {
        ticketId: t.id,
        comuneId: t.comune_id,
        direction: 'outbound',
        authorType: 'system',
        text,
        channel: route.channel,
        deliveryStatus: unavailable ? 'failed' : 'queued',
        deliveryError: unavailable,
        recipientAddress: 'address' in route ? route.address : null,
      });
      await m.query(`UPDATE channel_notifications SET message_id = $2 WHERE id = $1`, [row.id, msg.id]);
      const data = {
        kind: e.kind,
        messageId: String(msg.id),
        channel: route.channel,
        ...(route.preference ? { via: 'preference' } : route.contact ? { via: 'contact' } : {}),
      };
      if (unavailable) {
        // Nothing can leave: the notice stays on the ticket as a failed delivery, with the reason.
        await appendEvents(m, [
          {
            ticketId: String(t.id),
            comuneId: t.comune_id,
            type: 'citizen.not_notified',
            actorType: 'system',
            data: { ...data, reason: unavailable },
          },
        ]);
        return { messageId: String(msg.id) };
      }
      await appendEvents(m, [{ ticketId: String(t.id), comuneId: t.comune_id, type: 'citizen.notified', actorType: 'system', data }]);
      await appendOutbox(m, 'message.deliver', { messageId: String(msg.id), comuneId: t.comune_id, channel: route.channel });
      return { messageId: String(msg.id) };
    });
  }

  /**
   * Where the notice goes. A logged-in citizen's choice in the personal area comes first, for a case
   * whose identity is linked to their account: none (nothing is sent), or the chosen channel (the
   * case's own when it is the same). Otherwise the channel the ticket came from when the citizen is
   * reached there; otherwise (web chat, app, phone, desk, portal) the contact they left with consent
   * to updates, if any.
   */
  private async route(
    m: EntityManager,
    t: { channel: string; citizen_id: string; citizen_identity_id: string; comune_id: number },
  ): Promise<Route | null> {
    const preferred = await preferredRoute(m, String(t.citizen_identity_id), t.comune_id);
    if (preferred?.none) return null;
    if (preferred) {
      const same = preferred.preferred === t.channel || (preferred.preferred === 'whatsapp' && t.channel === 'whatsapp-web');
      if (same && NOTIFIED_CHANNELS.includes(t.channel) && this.registry.get(t.channel)) {
        return { contact: false, preference: true, channel: t.channel };
      }
      return { ...this.available(preferred.route), contact: true, preference: true };
    }
    if (NOTIFIED_CHANNELS.includes(t.channel)) return this.registry.get(t.channel) ? { contact: false, channel: t.channel } : null;
    const contact = await consentedContact(m, String(t.citizen_id), t.comune_id);
    if (!contact) return null;
    return { contact: true, ...this.available(await contactRoute(m, t.comune_id, contact)) };
  }

  /** A route to a channel this installation has no adapter for cannot be taken: a failed notice with the reason. */
  private available(route: ContactRoute): ContactRoute {
    if ('address' in route && !this.registry.get(route.channel)) {
      return {
        channel: route.channel,
        unavailable: `Avviso non inviato: il canale ${route.channel} non è attivo in questa installazione.`,
      };
    }
    return route;
  }

  private async announce(messageId: string, ticketId: string): Promise<void> {
    try {
      const [view] = await this.ds.query(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.id = $1`, [messageId]);
      const [t] = await this.notifier.summaries([ticketId]);
      if (view && t) this.realtime.toAgents(roomsForTicket(t), 'message.created', { ticketId, message: toMessageView(view) });
    } catch (err) {
      this.logger.warn(`could not announce notification ${messageId}: ${(err as Error).message}`);
    }
  }
}
