import type { DataSource } from 'typeorm';
import { TEST_CITIZENS } from '../portal/dev-idp/test-citizens.js';

/** The demo's comune with a shorter retention of closed cases than the default. */
export const DEMO_RETENTION = { comune: 'modugno', months: 24 };

/**
 * Privacy in the demo: Modugno keeps closed cases 24 months (its manager set it), and its privacy log
 * has a few lines — the change of period, a retention pass, an erasure carried out; Maria Rossi has
 * exported her data once. Running it again changes nothing.
 */
export async function seedDemoPrivacy(ds: DataSource): Promise<void> {
  const fiscalCode = TEST_CITIZENS.find((c) => c.id === 'maria-rossi')!.fiscalCode;
  await ds.transaction(async (m) => {
    await m.query(`SELECT set_config('sportello.comuni', '*', true), set_config('sportello.citizen', '*', true)`);
    const [c] = await m.query(`SELECT id FROM comuni WHERE slug = $1`, [DEMO_RETENTION.comune]);
    if (!c) return;
    const [manager] = await m.query(`SELECT id FROM operators WHERE comune_id = $1 AND role = 'manager' ORDER BY id LIMIT 1`, [c.id]);
    await m.query(
      `INSERT INTO comune_privacy_settings (comune_id, closed_case_retention_months, updated_by, updated_at)
       VALUES ($1, $2, $3, now() - interval '40 days')
       ON CONFLICT (comune_id) DO UPDATE SET closed_case_retention_months = EXCLUDED.closed_case_retention_months,
                                             updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
      [c.id, DEMO_RETENTION.months, manager?.id ?? null],
    );
    const [seeded] = await m.query(`SELECT 1 FROM privacy_events WHERE comune_id = $1 LIMIT 1`, [c.id]);
    if (seeded) return;
    const [maria] = await m.query(`SELECT id::text AS id FROM citizen_accounts WHERE fiscal_code = $1`, [fiscalCode]);
    const lines: Array<[string, string, string | null, number | null, object, string]> = [
      ['retention_set', 'operator', manager ? String(manager.id) : null, c.id, { retentionMonths: DEMO_RETENTION.months }, '40 days'],
      ['retention_anonymised', 'system', null, c.id, { cases: 7, afterErasureRequest: 0 }, '39 days'],
      ['erasure_completed', 'system', null, c.id, { casesAnonymised: 2, casesPendingUntilClosed: 1 }, '12 days'],
      ['retention_anonymised', 'system', null, c.id, { cases: 1, afterErasureRequest: 1 }, '3 days'],
    ];
    if (maria) lines.push(['export', 'citizen', maria.id, null, { cases: 2, consents: 2, follows: 0 }, '1 day']);
    for (const [kind, actorType, actorId, comuneId, counts, ago] of lines)
      await m.query(
        `INSERT INTO privacy_events (kind, actor_type, actor_id, comune_id, counts, created_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, now() - $6::interval)`,
        [kind, actorType, actorId, comuneId, JSON.stringify(counts), ago],
      );
  });
}
