import pg from 'pg';
import { DataSource } from 'typeorm';
import { TenantScope } from '../../src/common/tenant-scope.js';
import { runInScope } from '../../src/tenancy/db-scope.js';
import { TENANT_TABLES } from '../../src/database/migrations/1765200000000-TenantRowLevelSecurity.js';
import { PORTAL_REPORT_TENANT_TABLES } from '../../src/database/migrations/1765600000000-PortalReports.js';
import { CATALOGUE_TENANT_TABLES } from '../../src/database/migrations/1765550000000-ServiceCatalogue.js';
import { PRIVACY_TENANT_TABLES } from '../../src/database/migrations/1765710000000-PrivacyRights.js';
import { SERVICE_RATING_TENANT_TABLES } from '../../src/database/migrations/1765700000000-PortalServiceRatings.js';
import { PARTICIPATION_TENANT_TABLES } from '../../src/database/migrations/1765800000000-Participation.js';
import { login, startApp, type TestApp } from '../support/harness.js';
import { comuneId } from '../support/factories.js';
import { IngestService } from '../../src/conversations/ingest.service.js';

/**
 * Tenant isolation is a property of the database: the application's role sees a comune's rows only
 * in that comune's scope, a query outside any scope sees and writes nothing, and child rows cannot
 * name another comune than their ticket's.
 */
describe('row-level security', () => {
  let t: TestApp;
  let app: pg.Client;
  let bari: number;
  let modugno: number;

  const appSays = (citizen: string, messageId: string, text: string, name?: string) =>
    t.http
      .post('/api/app/v1/messages')
      .set('X-Api-Key', 'demo-app-key-bari')
      .send({ messageId, citizen: { id: citizen, ...(name ? { name } : {}) }, text });

  beforeAll(async () => {
    t = await startApp();
    bari = await comuneId(t.ds, 'bari');
    modugno = await comuneId(t.ds, 'modugno');
    const res = await appSays('rls-1', 'rls-1', 'Buche in via Sparano');
    expect(res.status).toBe(201);
    // A connection as the application's role, as the application makes them.
    app = new pg.Client({ connectionString: t.config.databaseAppUrl });
    await app.connect();
  });
  afterAll(async () => {
    await app?.end();
    await t?.close();
  });

  const asApp = async (setting: string | null, sql: string, params: unknown[] = []) => {
    await app.query('BEGIN');
    try {
      if (setting !== null) await app.query(`SELECT set_config('sportello.comuni', $1, true)`, [setting]);
      return (await app.query(sql, params)).rows;
    } finally {
      await app.query('ROLLBACK');
    }
  };

  it('connects the application as a role that owns nothing and cannot bypass row-level security', async () => {
    const [role] = await asApp(
      null,
      `SELECT current_user AS name, r.rolsuper, r.rolbypassrls
      FROM pg_roles r WHERE r.rolname = current_user`,
    );
    expect(role).toEqual({ name: 'sportello_app', rolsuper: false, rolbypassrls: false });
    const owned = await asApp(
      null,
      `SELECT count(*)::int AS n FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)`,
    );
    expect(owned[0].n).toBe(0);
  });

  it('has row-level security with the tenant policy on every table that carries a comune', async () => {
    const rows = await t.ds.query(`
      SELECT c.relname AS table, c.relrowsecurity AS rls, count(p.polname)::int AS policies
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'comune_id' AND NOT a.attisdropped
        LEFT JOIN pg_policy p ON p.polrelid = c.oid AND p.polname = 'tenant_scope'
       WHERE c.relkind = 'r' GROUP BY c.relname, c.relrowsecurity ORDER BY 1`);
    // A new table with a comune_id and no policy fails here, named.
    expect(rows.filter((r: any) => !r.rls || r.policies !== 1).map((r: any) => r.table)).toEqual([]);
    expect(rows.map((r: any) => r.table).sort()).toEqual(
      [
        ...TENANT_TABLES,
        ...PORTAL_REPORT_TENANT_TABLES,
        ...CATALOGUE_TENANT_TABLES,
        ...PRIVACY_TENANT_TABLES,
        ...SERVICE_RATING_TENANT_TABLES,
        ...PARTICIPATION_TENANT_TABLES,
      ].sort(),
    );
  });

  it('shows nothing and accepts no write outside a scope', async () => {
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM tickets`))[0].n).toBeGreaterThan(0);
    expect((await asApp(null, `SELECT count(*)::int AS n FROM tickets`))[0].n).toBe(0);
    expect((await asApp('', `SELECT count(*)::int AS n FROM messages`))[0].n).toBe(0);
    expect((await asApp('garbage', `SELECT count(*)::int AS n FROM operators`))[0].n).toBe(0);
    await expect(
      asApp(
        null,
        `INSERT INTO canned_responses (comune_id, group_id, shortcut, title, body)
      SELECT comune_id, id, 'x', 'x', 'x' FROM competence_groups LIMIT 1`,
      ),
    ).resolves.toEqual([]); // sees no group: inserts nothing
    await expect(asApp(null, `INSERT INTO analytics_live (comune_id, open) VALUES ($1, 1)`, [bari])).rejects.toThrow(/row-level security/);
  });

  it("shows a comune's scope its own rows only, and a system scope every comune", async () => {
    const count = (setting: string) => asApp(setting, `SELECT count(*)::int AS n FROM tickets WHERE comune_id = $1`, [bari]);
    expect((await count(String(bari)))[0].n).toBeGreaterThan(0);
    expect((await count(String(modugno)))[0].n).toBe(0);
    expect((await count(`${modugno},${bari}`))[0].n).toBeGreaterThan(0);
    expect((await count('*'))[0].n).toBeGreaterThan(0);
    await expect(asApp(String(modugno), `INSERT INTO analytics_live (comune_id, open) VALUES ($1, 1)`, [bari])).rejects.toThrow(
      /row-level security/,
    );
  });

  it("runs the application's own queries in the scope of the code that makes them", async () => {
    const ds = t.app.get(DataSource);
    const sql = `SELECT count(*)::int AS n FROM tickets`;
    expect((await ds.query(sql))[0].n).toBe(0);
    expect((await runInScope(TenantScope.ofComune(modugno), () => ds.query(sql)))[0].n).toBe(0);
    expect((await runInScope(TenantScope.ofComune(bari), () => ds.query(sql)))[0].n).toBeGreaterThan(0);
    expect((await runInScope(TenantScope.system('test'), () => ds.query(sql)))[0].n).toBeGreaterThan(0);
    // Many at once on a small pool: each connection carries its own caller's scope.
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        runInScope(TenantScope.ofComune(i % 2 ? bari : modugno), () => ds.query(sql)).then((r) => [i % 2, r[0].n]),
      ),
    );
    for (const [isBari, n] of results) expect(n > 0).toBe(isBari === 1);
  });

  it("binds messages, attachments and events to their ticket's comune", async () => {
    const [tk] = await t.ds.query(`SELECT id FROM tickets WHERE comune_id = $1 LIMIT 1`, [bari]);
    await expect(
      t.ds.query(
        `INSERT INTO messages (ticket_id, comune_id, direction, author_type, text, channel, delivery_status)
      VALUES ($1, $2, 'inbound', 'citizen', 'x', 'app', 'received')`,
        [tk.id, modugno],
      ),
    ).rejects.toThrow(/messages_ticket_comune/);
    await expect(
      t.ds.query(`INSERT INTO ticket_events (ticket_id, comune_id, type, actor_type) VALUES ($1, $2, 'x', 'system')`, [tk.id, modugno]),
    ).rejects.toThrow(/ticket_events_ticket_comune/);
    const [m] = await t.ds.query(`SELECT id FROM messages WHERE ticket_id = $1 LIMIT 1`, [tk.id]);
    await expect(
      t.ds.query(
        `INSERT INTO attachments (message_id, comune_id, storage_key, filename, content_type, size_bytes)
      VALUES ($1, $2, 'k', 'f.png', 'image/png', 1)`,
        [m.id, modugno],
      ),
    ).rejects.toThrow(/attachments_message_comune/);
  });

  it("keeps the name a citizen gave each comune to that comune, and another comune's identities out of the ticket view", async () => {
    // The same person writes to Bari from the app, and is known to Modugno's desk by a fiscal code.
    const first = await appSays('rls-2', 'rls-2a', 'Prima segnalazione', 'Maria Rossi');
    expect(first.status).toBe(201);
    const [acc] = await t.ds.query(`SELECT id FROM channel_accounts WHERE comune_id = $1 AND channel = 'app' LIMIT 1`, [bari]);
    // Modugno's desk types a fiscal code for a citizen who is the same person (merged identity).
    const [bariTicket] = await t.ds.query(`SELECT t.id, t.citizen_id FROM tickets t WHERE t.reference = $1`, [first.body.ticketReference]);
    const [modTicket] = await t.ds.query(
      `
      WITH ci AS (INSERT INTO citizen_identities (citizen_id, channel, address, display_name) VALUES ($1, 'desk', 'RSSMRA80A41A662X', 'Maria R.') RETURNING id),
           l AS (INSERT INTO citizen_identity_comuni (comune_id, identity_id, display_name) SELECT $2, id, 'Maria R. (Modugno)' FROM ci)
      INSERT INTO tickets (comune_id, reference, type, channel, citizen_id, citizen_identity_id)
      SELECT $2, 'MOD-RLS-1', 'request', 'desk', $1, id FROM ci RETURNING id`,
      [bariTicket.citizen_id, modugno],
    );
    // A later message to Bari with another name changes Bari's name only.
    expect((await appSays('rls-2', 'rls-2b', 'Aggiornamento', 'Maria Rossi Bianchi')).status).toBe(201);

    const bariSup = await login(t, 'supervisore@bari.demo');
    const view = await t.http.get(`/api/tickets/${bariTicket.id}`).set('Authorization', `Bearer ${bariSup}`);
    expect(view.status).toBe(200);
    expect(view.body.citizen.identities).toEqual([{ channel: 'app', address: `${acc.id}:rls-2`, displayName: 'Maria Rossi Bianchi' }]);
    expect(JSON.stringify(view.body)).not.toContain('RSSMRA80A41A662X');
    const panel = await t.http.get(`/api/console/tickets/${bariTicket.id}/citizen`).set('Authorization', `Bearer ${bariSup}`);
    expect(panel.status).toBe(200);
    expect(panel.body.displayName).toBe('Maria Rossi Bianchi');
    expect(panel.body.identities.map((i: any) => i.address)).toEqual([`${acc.id}:rls-2`]);
    expect(JSON.stringify(panel.body)).not.toMatch(/RSSMRA80A41A662X|Modugno\)/);

    const modSup = await login(t, 'supervisore@modugno.demo');
    const modView = await t.http.get(`/api/console/tickets/${modTicket.id}/citizen`).set('Authorization', `Bearer ${modSup}`);
    expect(modView.status).toBe(200);
    expect(modView.body.displayName).toBe('Maria R. (Modugno)');
    expect(modView.body.identities.map((i: any) => i.address)).toEqual(['RSSMRA80A41A662X']);
    expect(JSON.stringify(modView.body)).not.toMatch(/Maria Rossi|rls-2/);
  });
  describe('the citizen registry', () => {
    const linkedTo = async (comune: number) =>
      (
        await t.ds.query(`SELECT DISTINCT identity_id::text AS id FROM citizen_identity_comuni WHERE comune_id = $1 ORDER BY 1`, [comune])
      ).map((r: any) => r.id);
    const bariOnly = `SELECT count(*)::int AS n FROM citizen_identities ci
      WHERE ci.id IN (SELECT identity_id FROM citizen_identity_comuni WHERE comune_id = ${'$'}1)
        AND ci.id NOT IN (SELECT identity_id FROM citizen_identity_comuni WHERE comune_id = ${'$'}2)`;

    it("shows a comune's scope only the identities and citizens it knows, and no scope none", async () => {
      expect((await t.ds.query(bariOnly, [bari, modugno]))[0].n).toBeGreaterThan(0);
      const modIds = await linkedTo(modugno);
      const seen = await asApp(String(modugno), `SELECT id::text AS id FROM citizen_identities ORDER BY 1`);
      expect(seen.map((r: any) => r.id)).toEqual(modIds);
      expect((await asApp(String(modugno), bariOnly, [bari, modugno]))[0].n).toBe(0);
      const [{ n: total }] = await t.ds.query(`SELECT count(*)::int AS n FROM citizen_identities`);
      expect((await asApp('*', `SELECT count(*)::int AS n FROM citizen_identities`))[0].n).toBe(total);
      // Bari's app citizen is not Modugno's to see.
      const [{ citizen_id: bariCitizen }] = await t.ds.query(
        `SELECT t.citizen_id FROM tickets t JOIN citizen_identities i ON i.id = t.citizen_identity_id WHERE i.address LIKE '%:rls-1'`,
      );
      expect(await asApp(String(modugno), `SELECT id FROM citizens WHERE id = $1`, [bariCitizen])).toEqual([]);
      expect(await asApp(String(bari), `SELECT id FROM citizens WHERE id = $1`, [bariCitizen])).toHaveLength(1);
      for (const setting of [null, '', 'garbage']) {
        expect((await asApp(setting, `SELECT count(*)::int AS n FROM citizen_identities`))[0].n).toBe(0);
        expect((await asApp(setting, `SELECT count(*)::int AS n FROM citizens`))[0].n).toBe(0);
      }
    });

    it('refuses a direct insert into the registry, and a definer function for a comune outside the scope', async () => {
      const [{ citizen_id: bariCitizen }] = await t.ds.query(`SELECT t.citizen_id FROM tickets t WHERE t.comune_id = $1 LIMIT 1`, [bari]);
      await expect(asApp(String(bari), `INSERT INTO citizens (display_name) VALUES ('x')`)).rejects.toThrow(/row-level security/);
      await expect(
        asApp(String(bari), `INSERT INTO citizen_identities (citizen_id, channel, address) VALUES ($1, 'desk', 'RLS-DIRECT')`, [
          bariCitizen,
        ]),
      ).rejects.toThrow(/row-level security/);
      await expect(asApp(String(modugno), `SELECT * FROM sportello_identity_link('desk', 'RLS-OUT', $1, 'x')`, [bari])).rejects.toThrow(
        /outside the scope/,
      );
      await expect(asApp(String(modugno), `SELECT * FROM sportello_identity_lookup('desk', 'RLS-OUT', $1)`, [bari])).rejects.toThrow(
        /outside the scope/,
      );
      await expect(
        asApp(String(modugno), `SELECT sportello_adopt_contact($1, 'email', 'rls-out@example.org', $2, 'x')`, [bariCitizen, bari]),
      ).rejects.toThrow(/outside the scope/);
      await expect(asApp(null, `SELECT * FROM sportello_identity_link('desk', 'RLS-OUT', $1, 'x')`, [bari])).rejects.toThrow(
        /outside the scope/,
      );
      // In scope, the function links (and creates) the identity for the caller's comune.
      const rows = await asApp(
        String(modugno),
        `SELECT f.identity_id, (SELECT count(*)::int FROM citizen_identities) AS n
        FROM sportello_identity_link('desk', 'RLS-IN', $1, 'x') f`,
        [modugno],
      );
      expect(rows).toHaveLength(1);
      expect((await t.ds.query(`SELECT count(*)::int AS n FROM citizen_identities WHERE address = 'RLS-IN'`))[0].n).toBe(0); // rolled back
    });

    it("ingests a brand-new sender and one known to another comune, linking the identity to the message's comune", async () => {
      const ingest = t.app.get(IngestService);
      const fresh = await ingest.ingest({
        channel: 'app',
        comuneId: modugno,
        externalId: 'rls-new-1',
        sender: { address: 'rls-new-sender', displayName: 'Nuovo' },
        text: 'Ciao',
      });
      expect(fresh.duplicate).toBeFalsy();
      const [newId] = await t.ds.query(`SELECT i.id, array_agg(l.comune_id ORDER BY l.comune_id) AS comuni, min(l.display_name) AS name
        FROM citizen_identities i JOIN citizen_identity_comuni l ON l.identity_id = i.id WHERE i.channel = 'app' AND i.address = 'rls-new-sender' GROUP BY i.id`);
      expect(newId.comuni).toEqual([modugno]);
      expect(newId.name).toBe('Nuovo');

      const [known] = await t.ds.query(`SELECT i.id, i.address FROM citizen_identities i WHERE i.address LIKE '%:rls-1'`);
      const again = await ingest.ingest({
        channel: 'app',
        comuneId: modugno,
        externalId: 'rls-known-1',
        sender: { address: known.address, displayName: 'Da Modugno' },
        text: 'Anche qui',
      });
      expect(again.duplicate).toBeFalsy();
      const [tk] = await t.ds.query(`SELECT t.comune_id, t.citizen_identity_id::text AS identity FROM tickets t WHERE t.reference = $1`, [
        again.ticketReference,
      ]);
      expect(tk).toEqual({ comune_id: modugno, identity: String(known.id) });
      expect(
        (await t.ds.query(`SELECT count(*)::int AS n FROM citizen_identities WHERE channel = 'app' AND address = $1`, [known.address]))[0]
          .n,
      ).toBe(1);
      const links = await t.ds.query(
        `SELECT comune_id, display_name FROM citizen_identity_comuni WHERE identity_id = $1 ORDER BY comune_id`,
        [known.id],
      );
      expect(links.map((l: any) => l.comune_id).sort()).toEqual([bari, modugno].sort());
      expect(links.find((l: any) => l.comune_id === modugno).display_name).toBe('Da Modugno');
      // Now Modugno's scope sees it.
      expect(await asApp(String(modugno), `SELECT id FROM citizen_identities WHERE id = $1`, [known.id])).toHaveLength(1);
      // An unknown comune still answers "not found".
      await expect(
        ingest.ingest({ channel: 'app', comuneId: 999_998, externalId: 'rls-nowhere', sender: { address: 'rls-nowhere' }, text: 'x' }),
      ).rejects.toMatchObject({ status: 404 });
    });
  });
});
