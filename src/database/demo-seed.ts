import type { DataSource } from 'typeorm';
import { AuthService } from '../auth/auth.service.js';
import { AppKeys } from '../channels/app/app-channel.controller.js';

export const DEFAULT_DEMO_PASSWORD = 'sportello-demo';

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
       ON CONFLICT (email) DO NOTHING`, [hash]);
    const comuni: Array<{ id: number; slug: string; name: string }> = await m.query(`SELECT id, slug, name FROM comuni ORDER BY id`);
    for (const c of comuni) {
      for (const [local, role, name, capacity] of [
        ['operatore', 'operator', `Operatore URP ${c.name}`, 5],
        ['supervisore', 'supervisor', `Supervisore ${c.name}`, 5],
        ['manager', 'manager', `Responsabile ${c.name}`, 0],
      ] as const) {
        const [op] = await m.query(
          `INSERT INTO operators (comune_id, email, name, password_hash, role, capacity) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (email) DO NOTHING RETURNING id`, [c.id, `${local}@${c.slug}.demo`, name, hash, role, capacity]);
        if (!op) continue;
        const groups = role === 'operator' ? `AND code = 'urp'` : role === 'supervisor' ? '' : 'AND false';
        await m.query(
          `INSERT INTO operator_groups (operator_id, group_id, comune_id)
           SELECT $1, id, comune_id FROM competence_groups WHERE comune_id = $2 ${groups} ON CONFLICT DO NOTHING`, [op.id, c.id]);
      }
      await m.query(
        `INSERT INTO channel_accounts (comune_id, channel, label, key_hash) VALUES ($1, 'app', $2, $3) ON CONFLICT (key_hash) DO NOTHING`,
        [c.id, `App BariUnica – ${c.name}`, AppKeys.hash(`demo-app-key-${c.slug}`)]);
    }
    // Bari's URP mailbox: mail to urp@bari.demo reaches the built-in SMTP server (EMAIL_SMTP_PORT);
    // replies leave through EMAIL_DEFAULT_SMTP_URL (a local sink in development). See the README.
    await m.query(
      `INSERT INTO channel_accounts (comune_id, channel, label, config)
       SELECT c.id, 'email', 'E-mail URP – Bari', $1::jsonb FROM comuni c
        WHERE c.slug = 'bari' AND NOT EXISTS (SELECT 1 FROM channel_accounts a WHERE a.comune_id = c.id AND a.channel = 'email')`,
      [JSON.stringify({ address: 'urp@bari.demo', displayName: 'URP Comune di Bari', aliases: ['protocollo@bari.demo'] })]);
  });
}
