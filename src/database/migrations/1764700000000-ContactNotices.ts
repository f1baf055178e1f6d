import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notices sent to a contact the citizen left (an e-mail address, a mobile number) rather than to
 * the identity their ticket came from: the outbound message carries its own recipient, an address
 * of its channel (`messages.channel`) in that channel's form, as a citizen identity would have it.
 */
export class ContactNotices1764700000000 implements MigrationInterface {
  name = 'ContactNotices1764700000000';

  async up(q: QueryRunner): Promise<void> {
    // Nullable, no default: a catalogue-only change, no rewrite of the table.
    await q.query(`ALTER TABLE messages ADD COLUMN recipient_address text`);
    await q.query(`COMMENT ON COLUMN messages.recipient_address IS
      'Outbound only: where this message goes when it is not the ticket''s identity (a contact with consent to updates). NULL: the ticket''s identity.'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages DROP COLUMN IF EXISTS recipient_address`);
  }
}
