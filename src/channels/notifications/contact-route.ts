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
