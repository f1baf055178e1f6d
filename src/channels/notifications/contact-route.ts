import type { EntityManager } from 'typeorm';
import { normalizeContact } from '../../common/contacts.js';

/** A contact the citizen left, as `normalizeContact` keeps it: a lower-case e-mail address or an E.164 number. */
export interface Contact {
  kind: 'email' | 'phone';
  value: string;
}

/**
 * The contact the citizen asked to be updated on, for one comune: their latest "updates" decision
 * there, when it grants it and names a contact. A later refusal (granted = false) withdraws it.
 */
export async function consentedContact(m: EntityManager, citizenId: string, comuneId: number): Promise<Contact | null> {
  const [latest] = await m.query(
    `SELECT granted, contact FROM citizen_consents
      WHERE citizen_id = $1 AND comune_id = $2 AND purpose = 'updates' ORDER BY id DESC LIMIT 1`,
    [citizenId, comuneId],
  );
  if (!latest?.granted || !latest.contact) return null;
  return normalizeContact(latest.contact);
}

/** How a notice to a contact leaves: an address of a channel, or the reason (Italian, for the console) it cannot. */
export type ContactRoute = { channel: string; address: string } | { channel: string; unavailable: string };

/**
 * E-mail addresses are written to from the comune's mailbox (the e-mail channel); mobile numbers
 * through the comune's WhatsApp Business number (Cloud API), which outside a conversation the
 * citizen started can only send its approved notification template. The WhatsApp address is the
 * one an identity of that number would have (`<account id>:<wa_id>`), so the channel's adapter
 * sends to a contact exactly as to a citizen who wrote to it.
 */
export async function contactRoute(m: EntityManager, comuneId: number, contact: Contact): Promise<ContactRoute> {
  if (contact.kind === 'email') {
    const [mailbox] = await m.query(
      `SELECT id FROM channel_accounts WHERE comune_id = $1 AND channel = 'email' AND enabled ORDER BY id LIMIT 1`,
      [comuneId],
    );
    return mailbox
      ? { channel: 'email', address: contact.value }
      : {
          channel: 'email',
          unavailable: `Avviso non inviato: il Comune non ha una casella e-mail attiva da cui scrivere a ${contact.value}.`,
        };
  }
  // Italian numbers: mobiles start with 3; the others (landlines 0…, 8… services) have no WhatsApp.
  if (/^\+39[^3]/.test(contact.value)) {
    return {
      channel: 'whatsapp',
      unavailable: `Avviso non inviato: ${contact.value} è un numero fisso, non raggiungibile su WhatsApp. Se serve, avvisare il cittadino per telefono.`,
    };
  }
  const accounts: Array<{ id: number; template: string | null }> = await m.query(
    `SELECT id, config->'notificationTemplate'->>'name' AS template FROM channel_accounts
      WHERE comune_id = $1 AND channel = 'whatsapp' AND enabled ORDER BY id`,
    [comuneId],
  );
  const account = accounts.find((a) => a.template);
  if (account) return { channel: 'whatsapp', address: `${account.id}:${contact.value.replace(/^\+/, '')}` };
  return {
    channel: 'whatsapp',
    unavailable: accounts.length
      ? `Avviso non inviato a ${contact.value}: il numero WhatsApp del Comune non ha un modello di messaggio approvato per gli aggiornamenti (notificationTemplate), l’unico modo di scrivere per primi su WhatsApp.`
      : `Avviso non inviato: il cittadino ha lasciato il numero ${contact.value}, ma il Comune non ha un numero WhatsApp Business attivo da cui scrivergli. Se serve, avvisare il cittadino per telefono.`,
  };
}

/**
 * What a logged-in citizen chose in the personal area for updates on their cases
 * (`citizen_notification_preferences`, purpose `updates`), for a case whose identity is linked to
 * their portal account: `none` (no notice), a route on the chosen channel, or null (no choice, or
 * the chosen channel is no longer linked: the usual rules apply). A refusal of updates recorded in
 * the comune after the choice (a withdrawal, a later request without consent) wins: `none`.
 * Read in the scanner's system scope (the account tables' policy admits named system scopes).
 */
export async function preferredRoute(
  m: EntityManager,
  identityId: string,
  comuneId: number,
): Promise<{ none: true } | { none: false; preferred: string; route: ContactRoute } | null> {
  const [p] = await m.query(
    `SELECT p.channel, a.id AS account_id, a.email,
            (SELECT k.granted FROM citizen_consents k
              WHERE k.citizen_id = ci.citizen_id AND k.comune_id = $2 AND k.purpose = 'updates' AND k.created_at > p.updated_at
              ORDER BY k.id DESC LIMIT 1) AS later_decision
       FROM citizen_account_links l
       JOIN citizen_identities ci ON ci.id = l.identity_id
       JOIN citizen_notification_preferences p ON p.account_id = l.account_id AND p.purpose = 'updates'
       JOIN citizen_accounts a ON a.id = l.account_id
      WHERE l.identity_id = $1`,
    [identityId, comuneId],
  );
  if (!p) return null;
  if (p.channel === 'none' || p.later_decision === false) return { none: true };
  const links: Array<{ channel: string; address: string }> = await m.query(
    `SELECT channel, address FROM citizen_account_links WHERE account_id = $1 ORDER BY linked_at DESC, id DESC`,
    [p.account_id],
  );
  const linked = (...channels: string[]) => links.find((l) => channels.includes(l.channel));
  const via = (route: ContactRoute) => ({ none: false as const, preferred: p.channel as string, route });
  switch (p.channel) {
    case 'email': {
      const address = linked('email')?.address ?? p.email ?? linked('portal')?.address.replace(/^mailto:/, '');
      const contact = address ? normalizeContact(address) : null;
      return contact ? via(await contactRoute(m, comuneId, contact)) : null;
    }
    case 'whatsapp': {
      // `<account>:<wa_id>` (Cloud API) or `<account>:<number>@c.us` (whatsapp-web): the number, written to from the comune's number.
      const wa = linked('whatsapp', 'whatsapp-web');
      const digits = wa ? /^\d+:(\d{6,15})(@.*)?$/.exec(wa.address)?.[1] : undefined;
      return digits ? via(await contactRoute(m, comuneId, { kind: 'phone', value: `+${digits}` })) : null;
    }
    case 'telegram': {
      // A bot writes only to chats that started it: the chat must be one of this comune's bot.
      const tg = linked('telegram');
      if (!tg) return null;
      const [bot] = await m.query(`SELECT 1 FROM channel_accounts WHERE id = $1 AND comune_id = $2 AND channel = 'telegram' AND enabled`, [
        Number(tg.address.split(':')[0]) || 0,
        comuneId,
      ]);
      return via(
        bot
          ? { channel: 'telegram', address: tg.address }
          : {
              channel: 'telegram',
              unavailable:
                'Avviso non inviato: il cittadino ha scelto Telegram nella sua area personale, ma la sua chat è collegata al bot di un altro Comune.',
            },
      );
    }
    case 'io':
      return via({ channel: 'io', unavailable: 'Avviso non inviato: il cittadino ha scelto l’app IO, non ancora attiva per Sportello.' });
    default:
      return null;
  }
}
