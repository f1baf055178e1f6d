import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Citizen notifications of ticket state changes (taken in charge, resolved), sent on the citizen's
 * own channel. One row per ticket event notified: the unique event id makes the scanner that
 * turns events into messages safe to run twice, or on several workers at once.
 */
export class ChannelNotifications1764600000000 implements MigrationInterface {
  name = 'ChannelNotifications1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE channel_notifications (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id    bigint NOT NULL UNIQUE REFERENCES ticket_events(id) ON DELETE CASCADE,
        ticket_id   bigint NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        comune_id   integer NOT NULL,
        kind        text NOT NULL CHECK (kind IN ('taken_in_charge', 'resolved')),
        -- NULL when the citizen has no channel we can write to (nothing was sent).
        message_id  bigint REFERENCES messages(id) ON DELETE CASCADE,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    // "Taken in charge" is said once per ticket, however many times it is transferred or reassigned.
    await q.query(`CREATE UNIQUE INDEX channel_notifications_taken_once ON channel_notifications (ticket_id)
      WHERE kind = 'taken_in_charge' AND message_id IS NOT NULL`);
    await q.query(`CREATE INDEX channel_notifications_message ON channel_notifications (message_id) WHERE message_id IS NOT NULL`);
    await q.query(`CREATE INDEX ticket_events_notifiable ON ticket_events (created_at, id)
      WHERE type IN ('ticket.assigned', 'status.changed')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ticket_events_notifiable`);
    await q.query(`DROP TABLE IF EXISTS channel_notifications`);
  }
}
