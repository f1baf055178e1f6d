import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { conflictField, InvalidInputException, notFoundField, type FieldProblem } from '../../common/errors.js';
import { asSystem } from '../../tenancy/db-scope.js';
import type { Citizen } from '../identity/citizen-auth.js';
import { maskAddress, maskEmail, phoneDigitsOf } from '../identity/mask.js';
import type {
  ConsentPurpose,
  LinkDestination,
  MyConsent,
  NotificationChannel,
  NotificationChannelOption,
  NotificationPurpose,
  NotificationSettings,
} from './settings.api.js';

export const NOTIFICATION_PURPOSES: readonly NotificationPurpose[] = ['updates', 'replies', 'announcements', 'reminders'];
export const NOTIFICATION_CHANNELS: readonly NotificationChannel[] = ['email', 'whatsapp', 'telegram', 'io', 'none'];

const IO_UNAVAILABLE = 'L’app IO non è ancora attiva per Sportello: scegli un altro canale.';
const NOT_LINKED: Record<'email' | 'whatsapp' | 'telegram', string> = {
  email: 'nessun indirizzo e-mail verificato: collega prima un indirizzo e-mail in «Canali collegati»',
  whatsapp: 'WhatsApp non è collegato alla tua area personale: collega prima il tuo numero in «Canali collegati»',
  telegram: 'Telegram non è collegato alla tua area personale: collega prima la tua chat in «Canali collegati»',
};

type Json = Record<string, unknown>;
const isObject = (b: unknown): b is Json => typeof b === 'object' && b !== null && !Array.isArray(b);

interface ConsentRow {
  id: string;
  comune_name: string;
  comune_slug: string;
  purpose: ConsentPurpose;
  source: string;
  contact: string | null;
  reference: string | null;
  granted_at: Date;
  withdrawn_at: Date | null;
}

const toConsent = (r: ConsentRow): MyConsent => ({
  id: String(r.id),
  purpose: r.purpose,
  comune: { name: r.comune_name, slug: r.comune_slug },
  source: r.source,
  contact: r.contact,
  reference: r.reference,
  grantedAt: new Date(r.granted_at).toISOString(),
  withdrawnAt: r.withdrawn_at ? new Date(r.withdrawn_at).toISOString() : null,
  withdrawable: r.purpose === 'updates' && !r.withdrawn_at,
});

/**
 * The personal area's settings, in the citizen's scope: notification preferences (table
 * citizen_notification_preferences, the account's own rows), the consents given to the comuni
 * (read and withdrawn through the definer functions of migration PortalSettings), and where a link
 * code can be sent (the comuni's public channels).
 */
@Injectable()
export class PortalSettingsService {
  constructor(private readonly ds: DataSource) {}

  /** The channels a notice could go to, for this citizen: a linked identity (or the account's verified e-mail). */
  async channelOptions(citizen: Citizen): Promise<NotificationChannelOption[]> {
    const links: Array<{ channel: string; address: string }> = await this.ds.query(
      `SELECT channel, address FROM citizen_account_links ORDER BY linked_at DESC, id DESC`,
    );
    const linked = (...channels: string[]) => links.find((l) => channels.includes(l.channel));
    const email = linked('email')?.address ?? citizen.email ?? linked('portal')?.address.replace(/^mailto:/, '') ?? null;
    const wa = linked('whatsapp', 'whatsapp-web');
    const tg = linked('telegram');
    const option = (channel: 'email' | 'whatsapp' | 'telegram', address: string | null): NotificationChannelOption =>
      address
        ? { channel, available: true, address, reason: null }
        : { channel, available: false, address: null, reason: NOT_LINKED[channel] };
    return [
      option('email', email ? maskEmail(email) : null),
      option('whatsapp', wa ? maskAddress(wa.channel, wa.address) : null),
      option('telegram', tg ? maskAddress(tg.channel, tg.address) : null),
      { channel: 'io', available: false, address: null, reason: IO_UNAVAILABLE },
      { channel: 'none', available: true, address: null, reason: null },
    ];
  }

  async notifications(citizen: Citizen): Promise<NotificationSettings> {
    const rows: Array<{ purpose: NotificationPurpose; channel: NotificationChannel; updated_at: Date }> = await this.ds.query(
      `SELECT purpose, channel, updated_at FROM citizen_notification_preferences WHERE account_id = $1`,
      [citizen.id],
    );
    return {
      preferences: NOTIFICATION_PURPOSES.map((purpose) => {
        const r = rows.find((x) => x.purpose === purpose);
        return { purpose, channel: r?.channel ?? null, updatedAt: r ? new Date(r.updated_at).toISOString() : null };
      }),
      channels: await this.channelOptions(citizen),
    };
  }

  /** Sets the purposes the body names (null clears one); 400 naming `preferences.<purpose>` for anything else. */
  async setNotifications(citizen: Citizen, body: unknown): Promise<NotificationSettings> {
    const prefs = isObject(body) ? body.preferences : undefined;
    if (!isObject(prefs)) {
      throw new InvalidInputException(
        [{ field: 'preferences', message: 'deve essere un oggetto { finalità: canale }, ad esempio { "updates": "whatsapp" }' }],
        'preferences: formato non valido',
      );
    }
    const options = await this.channelOptions(citizen);
    const problems: FieldProblem[] = [];
    const changes: Array<[NotificationPurpose, NotificationChannel | null]> = [];
    for (const [purpose, channel] of Object.entries(prefs)) {
      const field = `preferences.${purpose}`;
      if (!NOTIFICATION_PURPOSES.includes(purpose as NotificationPurpose)) {
        problems.push({ field, message: 'finalità sconosciuta: deve essere updates, replies, announcements oppure reminders' });
        continue;
      }
      if (channel !== null && !NOTIFICATION_CHANNELS.includes(channel as NotificationChannel)) {
        problems.push({ field, message: 'canale sconosciuto: deve essere email, whatsapp, telegram, io, none oppure null' });
        continue;
      }
      const option = channel === null ? null : options.find((o) => o.channel === channel)!;
      if (option && !option.available) {
        problems.push({ field, message: option.reason ?? 'canale non disponibile' });
        continue;
      }
      changes.push([purpose as NotificationPurpose, channel as NotificationChannel | null]);
    }
    if (problems.length) throw new InvalidInputException(problems, problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    await this.ds.transaction(async (m) => {
      for (const [purpose, channel] of changes) {
        if (channel === null) {
          await m.query(`DELETE FROM citizen_notification_preferences WHERE account_id = $1 AND purpose = $2`, [citizen.id, purpose]);
        } else {
          await m.query(
            `INSERT INTO citizen_notification_preferences (account_id, purpose, channel) VALUES ($1, $2, $3)
             ON CONFLICT (account_id, purpose) DO UPDATE SET channel = EXCLUDED.channel, updated_at = now()
             WHERE citizen_notification_preferences.channel <> EXCLUDED.channel`,
            [citizen.id, purpose, channel],
          );
        }
      }
    });
    return this.notifications(citizen);
  }

  async consents(): Promise<MyConsent[]> {
    const rows: ConsentRow[] = await this.ds.query(`SELECT * FROM portal_my_consents()`);
    return rows.map(toConsent);
  }

  /** Withdraws a consent to updates of the citizen's; another citizen's (or none) → 404, a privacy notice → 409. */
  async withdraw(id: string): Promise<MyConsent> {
    const notFound = () => notFoundField('id', 'consenso non trovato tra i tuoi');
    if (!/^[1-9]\d{0,17}$/.test(id)) throw notFound();
    const mine = (await this.consents()).find((c) => c.id === id);
    if (!mine) throw notFound();
    if (mine.purpose !== 'updates') {
      throw conflictField(
        'id',
        'l’informativa privacy di una richiesta non si revoca: i dati della richiesta sono conservati come prevede la legge. Per i tuoi diritti vedi la pagina Privacy.',
      );
    }
    const [r] = await this.ds.query(`SELECT portal_withdraw_consent($1) AS at`, [id]);
    if (!r?.at) throw notFound();
    return (await this.consents()).find((c) => c.id === id) ?? { ...mine, withdrawnAt: new Date(r.at).toISOString(), withdrawable: false };
  }

  /**
   * Where a link code can be sent: each comune's active WhatsApp number, Telegram bot and URP
   * mailbox. Public contacts of the comuni, read across comuni in a named system scope.
   */
  destinations(): Promise<LinkDestination[]> {
    return asSystem('portal-link-destinations', async () => {
      const rows: Array<{ channel: string; name: string; slug: string; phone: string | null; bot: string | null; address: string | null }> =
        await this.ds.query(
          `SELECT a.channel, c.name, c.slug, a.config->>'displayPhoneNumber' AS phone, a.config->>'botUsername' AS bot,
                  a.config->>'address' AS address
             FROM channel_accounts a JOIN comuni c ON c.id = a.comune_id
            WHERE a.enabled AND a.channel IN ('whatsapp', 'whatsapp-web', 'telegram', 'email')
            ORDER BY c.name, a.channel, a.id`,
        );
      const out: LinkDestination[] = [];
      for (const r of rows) {
        const comune = { name: r.name, slug: r.slug };
        let d: LinkDestination | null = null;
        if ((r.channel === 'whatsapp' || r.channel === 'whatsapp-web') && r.phone) {
          const digits = phoneDigitsOf(r.phone.replace(/[^\d]/g, ''));
          if (digits) d = { channel: 'whatsapp', comune, address: r.phone, url: `https://wa.me/${digits}` };
        } else if (r.channel === 'telegram' && r.bot) {
          const bot = r.bot.replace(/^@/, '');
          d = { channel: 'telegram', comune, address: `@${bot}`, url: `https://t.me/${encodeURIComponent(bot)}` };
        } else if (r.channel === 'email' && r.address) {
          d = { channel: 'email', comune, address: r.address, url: `mailto:${r.address}` };
        }
        if (d && !out.some((x) => x.channel === d.channel && x.address === d.address)) out.push(d);
      }
      return out;
    });
  }
}
