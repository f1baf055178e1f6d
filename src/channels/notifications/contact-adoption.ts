import type { DataSource, EntityManager } from 'typeorm';

/** How long after a notice a reply from its recipient still joins the ticket it was about. */
export const NOTICE_REPLY_WINDOW = '30 days';

/**
 * A citizen who wrote from the web chat, the app or at the desk and left a contact for updates gets
 * notices there (an e-mail, a WhatsApp template). When they answer from that contact, the contact is
 * theirs: it becomes one of their identities and the answer joins the ticket the notice was about,
 * instead of opening a ticket for a stranger. Only an address we wrote to about that ticket is
 * adopted, and never one already known as someone else's identity (that message then goes its
 * normal way).
 *
 * `reference` set: the message already names its ticket (an e-mail reply threaded by its headers or
 * subject) and the address is adopted if a notice went to it on that ticket. Without it: the latest
 * ticket of this comune a notice went to that address within NOTICE_REPLY_WINDOW. Returns the
 * reference of the ticket the message should join, or null.
 */
export async function adoptNoticeRecipient(
  db: DataSource | EntityManager,
  p: { channel: string; address: string; displayName: string | null; comuneId: number; reference?: string | null },
): Promise<string | null> {
  // The identities of other comuni are not visible here: the adoption (insert the identity, link it
  // to this comune, or tell that the address is already the same citizen's or someone else's) is
  // sportello_adopt_contact's, which refuses a comune outside this session's scope.
  const rows: Array<{ reference: string }> = await db.query(
    `WITH notice AS (
       SELECT t.id, t.reference, t.citizen_id
         FROM messages m JOIN tickets t ON t.id = m.ticket_id
        WHERE m.channel = $1 AND m.recipient_address = $2 AND m.direction = 'outbound'
          AND t.comune_id = $3 AND ($4::text IS NULL OR t.reference = $4)
          AND ($4::text IS NOT NULL OR m.created_at > now() - interval '${NOTICE_REPLY_WINDOW}')
        ORDER BY m.id DESC LIMIT 1)
     SELECT n.reference FROM notice n WHERE sportello_adopt_contact(n.citizen_id, $1, $2, $3, $5)`,
    [p.channel, p.address, p.comuneId, p.reference ?? null, p.displayName],
  );
  return rows[0]?.reference ?? null;
}
