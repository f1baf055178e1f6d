import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Providers' delivery reports (WhatsApp status webhooks, whatsapp-web.js receipts) that arrive
 * before we stored the provider's id of the message they are about: a "delivered" can overtake
 * the answer to our own send call. They wait here, once per id and state, and are applied when
 * the send stores the id (OutboundDelivery); those never claimed are dropped after an hour.
 */
export class EarlyDeliveryReports1764710000000 implements MigrationInterface {
  name = 'EarlyDeliveryReports1764710000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE early_delivery_reports (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        channel      text NOT NULL,
        -- The provider's id of our message (a wamid), as messages.external_id will hold it.
        external_id  text NOT NULL,
        status       text NOT NULL CHECK (status IN ('sent', 'delivered', 'read', 'failed')),
        error        text,
        -- When the provider says it happened; received_at is when it reached us.
        reported_at  timestamptz,
        received_at  timestamptz NOT NULL DEFAULT now(),
        UNIQUE (channel, external_id, status)
      )`);
    await q.query(`CREATE INDEX early_delivery_reports_received ON early_delivery_reports (received_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS early_delivery_reports`);
  }
}
