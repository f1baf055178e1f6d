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
  });
}
