import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The e-mail channel's memory: every Message-ID seen or sent on a comune's mailbox (to thread
 * replies into their ticket, to mark bounced replies failed, to recognise our own mail coming
 * back) and how far each polled IMAP mailbox has been read.
 */
export class EmailChannel1764460000000 implements MigrationInterface {
  name = 'EmailChannel1764460000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE email_messages (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account_id      integer NOT NULL REFERENCES channel_accounts(id) ON DELETE CASCADE,
        comune_id       integer NOT NULL,
        -- The RFC 5322 Message-ID without angle brackets.
        rfc_message_id  text NOT NULL,
        direction       text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
        -- message: a citizen's mail; pec: a certified mail unwrapped; ignored: auto-reply, bounce, PEC receipt.
        kind            text NOT NULL CHECK (kind IN ('message', 'pec', 'ignored')),
        ticket_id       bigint REFERENCES tickets(id) ON DELETE CASCADE,
        message_id      bigint REFERENCES messages(id) ON DELETE CASCADE,
        subject         text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        UNIQUE (account_id, rfc_message_id)
      )`);
    await q.query(`CREATE INDEX email_messages_thread ON email_messages (comune_id, rfc_message_id)`);
    await q.query(`CREATE INDEX email_messages_ticket ON email_messages (ticket_id, id) WHERE ticket_id IS NOT NULL`);
    await q.query(`CREATE INDEX email_messages_message ON email_messages (message_id) WHERE message_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE email_imap_state (
        account_id    integer PRIMARY KEY REFERENCES channel_accounts(id) ON DELETE CASCADE,
        mailbox       text NOT NULL,
        uid_validity  bigint NOT NULL,
        -- Every message up to this UID has been stored (or deliberately ignored).
        last_uid      bigint NOT NULL DEFAULT 0,
        last_error    text,
        polled_at     timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS email_imap_state`);
    await q.query(`DROP TABLE IF EXISTS email_messages`);
  }
}
