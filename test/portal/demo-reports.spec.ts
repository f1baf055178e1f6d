import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source.js';
import { DEMO_REPORTS, seedDemoCitizen, seedDemoReports } from '../../src/cli/demo-reports.js';
import { seedDemoPrivacy } from '../../src/cli/demo-privacy.js';
import { createTestDatabase } from '../support/harness.js';

/** The demo's portal reports: stored by the one ingest, inside their comuni, some resolved, some followed; once. */
describe('demo reports', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;
  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await new DataSource(dataSourceOptions(db.url)).initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('stores a dozen reports in Bari, Modugno and Monopoli, inside each comune, and nothing more when run again', async () => {
    expect(await seedDemoReports(ds)).toBe(DEMO_REPORTS.length);
    const rows = await ds.query(
      `SELECT c.slug, t.status, t.type, t.channel, t.category, ST_Contains(c.boundary, t.location::geometry) AS inside,
              (SELECT count(*)::int FROM citizen_consents k WHERE k.ticket_id = t.id AND k.purpose = 'privacy') AS consents,
              (SELECT count(*)::int FROM report_followers f WHERE f.ticket_id = t.id) AS followers
         FROM tickets t JOIN comuni c ON c.id = t.comune_id WHERE t.channel = 'portal' ORDER BY t.id`,
    );
    expect(rows).toHaveLength(12);
    expect(new Set(rows.map((r: any) => r.slug))).toEqual(new Set(['bari', 'modugno', 'monopoli']));
    expect(rows.every((r: any) => r.inside && r.type === 'report' && r.consents === 1)).toBe(true);
    expect(rows.filter((r: any) => r.status === 'resolved')).toHaveLength(4);
    expect(rows.reduce((n: number, r: any) => n + r.followers, 0)).toBe(4);
    expect(await seedDemoReports(ds)).toBe(0);
    expect((await ds.query(`SELECT count(*)::int AS n FROM tickets WHERE channel = 'portal'`))[0].n).toBe(12);
  });

  it('gives the SPID demo citizen Maria Rossi an account whose «Le mie richieste» holds her two demo reports', async () => {
    await seedDemoCitizen(ds);
    await seedDemoCitizen(ds);
    const accounts = await ds.query(`SELECT id::text AS id, assurance, level FROM citizen_accounts WHERE email = 'maria.rossi@example.it'`);
    expect(accounts).toEqual([{ id: expect.any(String), assurance: 'spid', level: 2 }]);
    const mine = await ds.transaction(async (m) => {
      await m.query(`SELECT set_config('sportello.citizen', $1, true)`, [accounts[0].id]);
      return m.query(`SELECT comune_slug, channel FROM portal_my_cases() ORDER BY comune_slug`);
    });
    expect(mine).toEqual([
      { comune_slug: 'bari', channel: 'portal' },
      { comune_slug: 'modugno', channel: 'portal' },
    ]);
    // Her settings: WhatsApp linked, updates by WhatsApp, the consent to Modugno's updates withdrawn (kept, dated).
    const settings = await ds.transaction(async (m) => {
      await m.query(`SELECT set_config('sportello.citizen', $1, true)`, [accounts[0].id]);
      return {
        links: await m.query(`SELECT channel FROM citizen_account_links ORDER BY channel`),
        prefs: await m.query(`SELECT purpose, channel FROM citizen_notification_preferences`),
        consents: await m.query(
          `SELECT comune_slug, purpose, withdrawn_at IS NOT NULL AS withdrawn FROM portal_my_consents() ORDER BY comune_slug, purpose`,
        ),
      };
    });
    expect(settings).toEqual({
      links: [{ channel: 'portal' }, { channel: 'whatsapp' }],
      prefs: [{ purpose: 'updates', channel: 'whatsapp' }],
      consents: [
        { comune_slug: 'bari', purpose: 'privacy', withdrawn: false },
        { comune_slug: 'bari', purpose: 'updates', withdrawn: false },
        { comune_slug: 'modugno', purpose: 'privacy', withdrawn: false },
        { comune_slug: 'modugno', purpose: 'updates', withdrawn: true },
      ],
    });
  });

  it('sets Modugno’s retention to 24 months and writes a few privacy log lines once; Maria’s export among them', async () => {
    await seedDemoPrivacy(ds);
    await seedDemoPrivacy(ds);
    const [s] = await ds.query(
      `SELECT p.closed_case_retention_months AS months FROM comune_privacy_settings p JOIN comuni c ON c.id = p.comune_id WHERE c.slug = 'modugno'`,
    );
    expect(s.months).toBe(24);
    const kinds = await ds.query(`SELECT kind, comune_id IS NULL AS global FROM privacy_events ORDER BY created_at`);
    expect(kinds.map((k: any) => k.kind)).toEqual([
      'retention_set',
      'retention_anonymised',
      'erasure_completed',
      'retention_anonymised',
      'export',
    ]);
    expect(kinds.at(-1).global).toBe(true);
  });
});
