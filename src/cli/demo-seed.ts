import type { DataSource } from 'typeorm';
import { AuthService } from '../auth/auth.service.js';
import { AppKeys } from '../channels/app/app-channel.controller.js';

export const DEFAULT_DEMO_PASSWORD = 'sportello-demo';

/** Bari's demo messaging accounts: [channel, label, config, secrets]. */
export const DEMO_MESSAGING_ACCOUNTS: Array<[string, string, Record<string, unknown>, Record<string, unknown>]> = [
  [
    'whatsapp',
    'WhatsApp URP – Bari',
    {
      phoneNumberId: '100000000000001',
      displayPhoneNumber: '+39 080 5771111',
      notificationTemplate: { name: 'aggiornamento_pratica', language: 'it' },
    },
    { accessToken: 'demo-whatsapp-access-token', appSecret: 'demo-whatsapp-app-secret', verifyToken: 'demo-whatsapp-verify-token' },
  ],
  [
    'telegram',
    'Telegram URP – Bari',
    { botUsername: 'urp_bari_demo_bot' },
    { botToken: '1000000001:demo-telegram-bot-token-replace-me', webhookSecret: 'demo-telegram-webhook-secret' },
  ],
  ['whatsapp-web', 'WhatsApp Web URP – Bari', { displayPhoneNumber: '+39 080 5771112' }, {}],
];

/**
 * Demo accounts for every comune: operatore@<slug>.demo (URP group), supervisore@<slug>.demo
 * (all groups), manager@<slug>.demo, plus admin@metro.demo; and an app API key per comune,
 * demo-app-key-<slug>. Existing accounts are left as they are.
 */
export async function seedDemo(ds: DataSource, password = DEFAULT_DEMO_PASSWORD): Promise<void> {
  // One hash for all demo accounts: they share the password anyway, and 120 argon2 hashes take long.
  const hash = await AuthService.hashPassword(password);
  await ds.transaction(async (m) => {
    await m.query(
      `INSERT INTO operators (comune_id, email, name, password_hash, role, capacity)
       VALUES (NULL, 'admin@metro.demo', 'Amministratore metropolitano', $1, 'metro_admin', 0)
       ON CONFLICT (email) DO NOTHING`,
      [hash],
    );
    const comuni: Array<{ id: number; slug: string; name: string }> = await m.query(`SELECT id, slug, name FROM comuni ORDER BY id`);
    for (const c of comuni) {
      for (const [local, role, name, capacity] of [
        ['operatore', 'operator', `Operatore URP ${c.name}`, 5],
        ['supervisore', 'supervisor', `Supervisore ${c.name}`, 5],
        ['manager', 'manager', `Responsabile ${c.name}`, 0],
      ] as const) {
        const [op] = await m.query(
          `INSERT INTO operators (comune_id, email, name, password_hash, role, capacity) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (email) DO NOTHING RETURNING id`,
          [c.id, `${local}@${c.slug}.demo`, name, hash, role, capacity],
        );
        if (!op) continue;
        const groups = role === 'operator' ? `AND code = 'urp'` : role === 'supervisor' ? '' : 'AND false';
        await m.query(
          `INSERT INTO operator_groups (operator_id, group_id, comune_id)
           SELECT $1, id, comune_id FROM competence_groups WHERE comune_id = $2 ${groups} ON CONFLICT DO NOTHING`,
          [op.id, c.id],
        );
      }
      await m.query(
        `INSERT INTO channel_accounts (comune_id, channel, label, key_hash) VALUES ($1, 'app', $2, $3) ON CONFLICT (key_hash) DO NOTHING`,
        [c.id, `App BariUnica – ${c.name}`, AppKeys.hash(`demo-app-key-${c.slug}`)],
      );
    }
    // Bari's URP mailbox: mail to urp@bari.demo reaches the built-in SMTP server (EMAIL_SMTP_PORT);
    // replies leave through EMAIL_DEFAULT_SMTP_URL (a local sink in development). See the README.
    await m.query(
      `INSERT INTO channel_accounts (comune_id, channel, label, config)
       SELECT c.id, 'email', 'E-mail URP – Bari', $1::jsonb FROM comuni c
        WHERE c.slug = 'bari' AND NOT EXISTS (SELECT 1 FROM channel_accounts a WHERE a.comune_id = c.id AND a.channel = 'email')`,
      [JSON.stringify({ address: 'urp@bari.demo', displayName: 'URP Comune di Bari', aliases: ['protocollo@bari.demo'] })],
    );
    // Bari's WhatsApp number (Cloud API), Telegram bot and whatsapp-web.js number, with demo
    // credentials to replace with the comune's real ones (README: "Channels: WhatsApp and Telegram").
    for (const [channel, label, config, secrets] of DEMO_MESSAGING_ACCOUNTS) {
      await m.query(
        `INSERT INTO channel_accounts (comune_id, channel, label, config, secrets)
         SELECT c.id, $1, $2, $3::jsonb, $4::jsonb FROM comuni c
          WHERE c.slug = 'bari' AND NOT EXISTS (SELECT 1 FROM channel_accounts a WHERE a.comune_id = c.id AND a.channel = $1)`,
        [channel, label, JSON.stringify(config), JSON.stringify(secrets)],
      );
    }
    await seedDemoCatalogue(m);
  });
}

/**
 * The citizen portal's catalogue (BariUnica): external services of Bari, Modugno, Monopoli and the
 * Metropolitan City (comune `null`), with placeholder addresses on the comuni's sites. Seeded once:
 * a catalogue that already has entries is left as it is.
 * [comune slug | null, area, title it, title en, description it, description en, url, audience, online]
 */
export const DEMO_CATALOGUE: Array<[string | null, string, string, string, string, string, string, string, boolean]> = [
  [
    null,
    'mobility',
    'Permessi ZTL metropolitani',
    'Metropolitan ZTL permits',
    'Richiesta e rinnovo dei permessi di accesso alle zone a traffico limitato.',
    'Apply for and renew limited traffic zone permits.',
    'https://servizi.cittametropolitana.ba.it/ztl',
    'citizens',
    true,
  ],
  [
    null,
    'business',
    'SUAP — Sportello Unico Attività Produttive',
    'SUAP — One-stop shop for businesses',
    'Pratiche per avviare, modificare o chiudere un’attività d’impresa.',
    'Start, change or close a business activity.',
    'https://www.impresainungiorno.gov.it/web/ba/suap',
    'businesses',
    true,
  ],
  [
    null,
    'environment',
    'Autorizzazioni ambientali (AUA)',
    'Environmental permits (AUA)',
    'Autorizzazione Unica Ambientale per impianti e attività produttive.',
    'Single environmental permit for plants and productive activities.',
    'https://servizi.cittametropolitana.ba.it/ambiente/aua',
    'businesses',
    true,
  ],
  [
    null,
    'education',
    'Edilizia scolastica superiore: segnalazioni',
    'Secondary school buildings: reports',
    'Segnala guasti negli istituti superiori gestiti dalla Città Metropolitana.',
    'Report faults in the secondary schools the Metropolitan City runs.',
    'https://servizi.cittametropolitana.ba.it/scuole',
    'all',
    true,
  ],
  [
    'bari',
    'taxes',
    'Pagamento TARI con pagoPA',
    'Waste tax (TARI) payment with pagoPA',
    'Consulta gli avvisi della tassa rifiuti e paga online con pagoPA.',
    'See your waste tax notices and pay online with pagoPA.',
    'https://egov.ba.it/servizi/tari-pagopa',
    'citizens',
    true,
  ],
  [
    'bari',
    'registry',
    'Certificati anagrafici (ANPR)',
    'Registry certificates (ANPR)',
    'Scarica gratuitamente i certificati anagrafici dall’Anagrafe Nazionale.',
    'Download registry certificates for free from the national registry.',
    'https://www.anagrafenazionale.interno.it/servizi-al-cittadino/',
    'citizens',
    true,
  ],
  [
    'bari',
    'education',
    'Iscrizione ai servizi scolastici',
    'School services enrolment',
    'Mensa e trasporto scolastico: iscrizione, rette e menù.',
    'School meals and transport: enrolment, fees and menus.',
    'https://egov.ba.it/servizi/servizi-scolastici',
    'citizens',
    true,
  ],
  [
    'bari',
    'social',
    'Bonus e contributi sociali',
    'Social bonuses and benefits',
    'Domande per contributi affitto, bonus famiglie e sostegno al reddito.',
    'Apply for rent support, family bonuses and income support.',
    'https://egov.ba.it/servizi/contributi-sociali',
    'citizens',
    true,
  ],
  [
    'bari',
    'building',
    'Pratiche edilizie online (SUE)',
    'Building permits online (SUE)',
    'Presenta CILA, SCIA e permessi di costruire allo Sportello Unico Edilizia.',
    'File building notices and permits with the building one-stop shop.',
    'https://egov.ba.it/servizi/sue',
    'all',
    true,
  ],
  [
    'bari',
    'participation',
    'Bari Partecipa',
    'Bari Partecipa',
    'Proposte, consultazioni e bilancio partecipativo del Comune di Bari.',
    'Proposals, consultations and participatory budgeting of the Comune of Bari.',
    'https://partecipa.comune.bari.it',
    'citizens',
    true,
  ],
  [
    'bari',
    'culture',
    'Prenotazione sale e spazi culturali',
    'Booking of cultural venues',
    'Richiedi l’uso di sale e spazi comunali per eventi e iniziative.',
    'Request the use of municipal rooms and spaces for events.',
    'https://egov.ba.it/servizi/spazi-culturali',
    'all',
    false,
  ],
  [
    'modugno',
    'taxes',
    'Pagamento TARI con pagoPA',
    'Waste tax (TARI) payment with pagoPA',
    'Avvisi della tassa rifiuti e pagamento online.',
    'Waste tax notices and online payment.',
    'https://www.comune.modugno.ba.it/servizi/tari',
    'citizens',
    true,
  ],
  [
    'modugno',
    'registry',
    'Certificati anagrafici (ANPR)',
    'Registry certificates (ANPR)',
    'Certificati anagrafici online, gratuiti e con valore legale.',
    'Registry certificates online, free and legally valid.',
    'https://www.anagrafenazionale.interno.it/servizi-al-cittadino/',
    'citizens',
    true,
  ],
  [
    'modugno',
    'education',
    'Iscrizione mensa scolastica',
    'School meals enrolment',
    'Iscrizione al servizio di refezione scolastica e pagamento dei pasti.',
    'Enrol in school meals and pay for them.',
    'https://www.comune.modugno.ba.it/servizi/mensa',
    'citizens',
    true,
  ],
  [
    'modugno',
    'social',
    'Contributi per il canone di locazione',
    'Rent support',
    'Domanda di contributo per l’affitto della prima casa.',
    'Apply for support with the rent of your home.',
    'https://www.comune.modugno.ba.it/servizi/contributi-affitto',
    'citizens',
    true,
  ],
  [
    'monopoli',
    'taxes',
    'Pagamento IMU e TARI',
    'Property and waste taxes (IMU, TARI)',
    'Calcolo e pagamento dei tributi comunali con pagoPA.',
    'Compute and pay local taxes with pagoPA.',
    'https://www.comune.monopoli.ba.it/servizi/tributi',
    'all',
    true,
  ],
  [
    'monopoli',
    'culture',
    'Info turismo e prenotazione visite',
    'Tourist information and guided tours',
    'Visite al centro storico e al castello Carlo V.',
    'Tours of the old town and the Charles V castle.',
    'https://www.comune.monopoli.ba.it/turismo',
    'all',
    true,
  ],
  [
    'monopoli',
    'mobility',
    'Permessi ZTL centro storico',
    'Old town ZTL permits',
    'Permessi di accesso alla zona a traffico limitato del centro storico.',
    'Access permits for the old town’s limited traffic zone.',
    'https://www.comune.monopoli.ba.it/servizi/ztl',
    'citizens',
    true,
  ],
  [
    'monopoli',
    'public-works',
    'Segnalazione guasti illuminazione pubblica',
    'Street lighting faults',
    'Segnala un lampione spento o danneggiato.',
    'Report a street light that is off or damaged.',
    'https://www.comune.monopoli.ba.it/servizi/illuminazione',
    'citizens',
    true,
  ],
];

async function seedDemoCatalogue(m: { query: (sql: string, params?: unknown[]) => Promise<unknown> }): Promise<void> {
  const [{ n }] = (await m.query(`SELECT count(*)::int AS n FROM catalogue_entries`)) as Array<{ n: number }>;
  if (n > 0) return;
  let position = 0;
  for (const [slug, area, titleIt, titleEn, descIt, descEn, url, audience, online] of DEMO_CATALOGUE) {
    await m.query(
      `INSERT INTO catalogue_entries (comune_id, area, title_it, title_en, description_it, description_en, url, audience, online, position)
       SELECT (SELECT id FROM comuni WHERE slug = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10
        WHERE $1::text IS NULL OR EXISTS (SELECT 1 FROM comuni WHERE slug = $1)`,
      [slug, area, titleIt, titleEn, descIt, descEn, url, audience, online, position++],
    );
  }
}
