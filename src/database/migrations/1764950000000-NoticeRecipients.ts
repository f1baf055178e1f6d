import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A message from an address nobody is known by is checked against the notices we sent to contacts
 * (messages.recipient_address): the citizen answering one joins their ticket. This partial index
 * keeps that check to the few notice rows instead of the whole messages table.
 */
export class NoticeRecipients1764950000000 implements MigrationInterface {
  name = 'NoticeRecipients1764950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS messages_notice_recipient ON messages (channel, recipient_address, id)
                     WHERE recipient_address IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS messages_notice_recipient`);
  }
}
