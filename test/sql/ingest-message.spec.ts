import { readFileSync } from 'node:fs';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source.js';
import { applySqlDefinitions, sha256, sqlDefinitionPath, SQL_DEFINITIONS } from '../../src/database/sql-definitions.js';
import type { IngestArgs } from '../../src/conversations/ingest-args.js';
import { createTestDatabase } from '../support/harness.js';

/**
 * `ingest_message(jsonb)` and `ingest_lookup(jsonb)` called with SQL (src/conversations/sql/ingest_message.sql),
 * as the owner, no HTTP and no services; and the repeatable step that applies the file. The survey's
 * answer is no longer the SQL's business: it is the first inbound interceptor, tested through the
 * service in test/analytics/csat-channels.spec.ts (with and without an open request).
 */
describe('ingest_message as SQL', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let c: pg.Client;
  let n = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = new pg.Client({ connectionString: db.url });
    await c.connect();
    // The definer functions check the caller's scope: the metropolitan one (every comune).
    await c.query(`SELECT set_config('sportello.comuni', '*', false)`);
  });
  afterAll(async () => {
    await c?.end();
    await db?.drop();
  });

  const args = (over: Partial<IngestArgs> = {}): IngestArgs => ({
    channel: 'telegram',
    externalId: `sql-${++n}`,
    address: 'tg:sql-1',
    displayName: 'Maria',
    comuneId: 1,
    forceNew: false,
    reference: null,
    year: '2026',
    type: 'request',
    category: null,
    subject: 'Una domanda',
    payload: {},
    location: null,
    text: 'Buongiorno',
    attachments: [],
    correlationId: null,
    consents: [],
    events: [],
    ...over,
  });
  const ingest = async (a: IngestArgs) => (await c.query(`SELECT * FROM ingest_message($1::jsonb)`, [JSON.stringify(a)])).rows[0];
  const ticket = async (id: string) =>
    (await c.query(`SELECT *, ST_AsText(location::geometry) AS wkt FROM tickets WHERE id = $1`, [id])).rows[0];
  const events = async (id: string) =>
    (await c.query(`SELECT type, data FROM ticket_events WHERE ticket_id = $1 ORDER BY id`, [id])).rows as Array<{
      type: string;
      data: any;
    }>;

  it('a new sender opens a ticket; the same provider id again is a duplicate of it', async () => {
    const a = args({ address: 'tg:dup' });
    const first = await ingest(a);
    expect(first).toMatchObject({ outcome: 'created', comune_id: 1, direction: 'inbound', author_type: 'citizen', text: 'Buongiorno' });
    expect(first.identity_id).not.toBeNull();
    const again = await ingest({ ...a, text: 'altro testo' });
    expect(again).toMatchObject({ outcome: 'duplicate', ticket_id: first.ticket_id, message_id: first.message_id, text: null });
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM messages WHERE ticket_id = $1`, [first.ticket_id]);
    expect(rows[0].n).toBe(1);
  });

  it('a later message joins the open ticket; a later position becomes its place, with an event', async () => {
    const first = await ingest(args({ address: 'tg:pos' }));
    const second = await ingest(args({ address: 'tg:pos', text: 'ecco dove', location: { lat: 41.1171, lng: 16.8719 } }));
    expect(second).toMatchObject({ outcome: 'continued', ticket_id: first.ticket_id });
    expect((await ticket(first.ticket_id)).wkt).toBe('POINT(16.8719 41.1171)');
    expect((await events(first.ticket_id)).map((e) => e.type)).toEqual([
      'ticket.created',
      'message.received',
      'message.received',
      'location.changed',
    ]);
  });

  it("a citizen's reply reopens a ticket waiting for the citizen", async () => {
    const first = await ingest(args({ address: 'tg:wait' }));
    await c.query(`UPDATE tickets SET status = 'waiting_citizen' WHERE id = $1`, [first.ticket_id]);
    const reply = await ingest(args({ address: 'tg:wait', text: 'ecco i documenti' }));
    expect(reply).toMatchObject({ outcome: 'continued', ticket_id: first.ticket_id, status: 'waiting_citizen' });
    expect((await ticket(first.ticket_id)).status).toBe('open');
    const last = (await events(first.ticket_id)).at(-1)!;
    expect(last).toEqual({ type: 'status.changed', data: { from: 'waiting_citizen', to: 'open' } });
  });

  it('a reply joins a case of a type with its own stages without moving it: its stages decide', async () => {
    const first = await ingest(args({ address: 'tg:staged' }));
    await c.query(`UPDATE tickets SET status = 'waiting_citizen', stage = 'awaiting_access' WHERE id = $1`, [first.ticket_id]);
    const reply = await ingest(args({ address: 'tg:staged', text: 'il cancello è aperto' }));
    expect(reply).toMatchObject({ outcome: 'continued', ticket_id: first.ticket_id });
    expect(await ticket(first.ticket_id)).toMatchObject({ status: 'waiting_citizen' });
    expect((await events(first.ticket_id)).map((e) => e.type)).not.toContain('status.changed');
  });

  it("another comune's reference does not thread into that comune's ticket", async () => {
    const inOne = await ingest(args({ address: 'tg:ref' }));
    const inTwo = await ingest(args({ address: 'tg:ref', comuneId: 2, reference: inOne.reference, text: 'rispondo' }));
    expect(inTwo.outcome).toBe('created');
    expect(inTwo.comune_id).toBe(2);
    expect(inTwo.ticket_id).not.toBe(inOne.ticket_id);
    // Its own reference does thread, into the open ticket of comune 1.
    const own = await ingest(args({ address: 'tg:ref', reference: inOne.reference, text: 'ancora' }));
    expect(own).toMatchObject({ outcome: 'continued', ticket_id: inOne.ticket_id });
  });

  it('an unknown comune is refused with no_data_found, nothing stored', async () => {
    const a = args({ address: 'tg:nowhere', comuneId: 999999 });
    await expect(ingest(a)).rejects.toMatchObject({ code: 'P0002' });
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM messages WHERE external_id = $1`, [a.externalId]);
    expect(rows[0].n).toBe(0);
  });

  it('consents and extra events are stored with the case; a failing consent leaves no ticket', async () => {
    const ok = await ingest(
      args({
        address: 'tel:+390801234567',
        forceNew: true,
        consents: [{ purpose: 'privacy', granted: true, source: 'phone', recordedBy: null }],
        events: [{ type: 'ticket.entered_for_citizen', actorType: 'system', data: { channel: 'phone' } }],
      }),
    );
    const { rows } = await c.query(`SELECT purpose, granted, citizen_id FROM citizen_consents WHERE ticket_id = $1`, [ok.ticket_id]);
    expect(rows).toEqual([{ purpose: 'privacy', granted: true, citizen_id: ok.citizen_id }]);
    expect((await events(ok.ticket_id)).map((e) => e.type)).toContain('ticket.entered_for_citizen');

    const a = args({ address: 'tel:+390807654321', forceNew: true, consents: [{ purpose: 'privacy', granted: true, source: 'phone' }] });
    await c.query('BEGIN');
    try {
      await c.query(
        `CREATE FUNCTION pg_temp.refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'consent refused'; END $$`,
      );
      await c.query(`CREATE TRIGGER refuse_consent BEFORE INSERT ON citizen_consents FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse()`);
      await expect(c.query(`SELECT * FROM ingest_message($1::jsonb)`, [JSON.stringify(a)])).rejects.toThrow(/consent refused/);
    } finally {
      await c.query('ROLLBACK');
    }
    const left = await c.query(`SELECT count(*)::int AS n FROM messages WHERE external_id = $1`, [a.externalId]);
    expect(left.rows[0].n).toBe(0);
  });

  it('ingest_lookup: the identity and the open ticket, or a duplicate, writing nothing', async () => {
    const lookup = async (a: IngestArgs) => (await c.query(`SELECT * FROM ingest_lookup($1::jsonb)`, [JSON.stringify(a)])).rows[0];
    expect(await lookup(args({ address: 'tg:look' }))).toEqual({
      duplicate: false,
      identity_id: null,
      citizen_id: null,
      open_ticket_id: null,
      open_ticket_referenced: false,
    });
    const first = await ingest(args({ address: 'tg:look' }));
    expect(await lookup(args({ address: 'tg:look' }))).toMatchObject({
      duplicate: false,
      open_ticket_id: first.ticket_id,
      open_ticket_referenced: false,
    });
    expect(await lookup(args({ address: 'tg:look', reference: first.reference }))).toMatchObject({ open_ticket_referenced: true });
    expect(await lookup(args({ address: 'tg:look', forceNew: true }))).toMatchObject({ open_ticket_id: null });
    const { rows } = await c.query(`SELECT external_id FROM messages WHERE ticket_id = $1`, [first.ticket_id]);
    expect(await lookup(args({ address: 'tg:look', externalId: rows[0].external_id }))).toMatchObject({ duplicate: true });
  });

  describe('the repeatable step', () => {
    let ds: DataSource;
    beforeAll(async () => {
      ds = new DataSource(dataSourceOptions(db.url));
      await ds.initialize();
    });
    afterAll(() => ds?.destroy());

    it('records the hash; an unchanged file is not applied again; a changed one is', async () => {
      const file = SQL_DEFINITIONS[0].file;
      const text = readFileSync(sqlDefinitionPath(file), 'utf8');
      const [row] = await ds.query(`SELECT sha256, applied_at FROM sql_definitions WHERE name = 'ingest_message'`);
      expect(row.sha256).toBe(sha256(text));

      expect(await applySqlDefinitions(ds)).toEqual([]);
      const [same] = await ds.query(`SELECT applied_at FROM sql_definitions WHERE name = 'ingest_message'`);
      expect(same.applied_at).toEqual(row.applied_at);

      const changed = `${text}\nCOMMENT ON FUNCTION ingest_message(jsonb) IS 'changed by the test';\n`;
      expect(await applySqlDefinitions(ds, SQL_DEFINITIONS, () => changed)).toEqual(['ingest_message']);
      const [after] = await ds.query(`SELECT sha256 FROM sql_definitions WHERE name = 'ingest_message'`);
      expect(after.sha256).toBe(sha256(changed));
      const [{ note }] = await ds.query(`SELECT obj_description('ingest_message(jsonb)'::regprocedure) AS note`);
      expect(note).toBe('changed by the test');
      // The old positional signature is gone.
      const old = await ds.query(`SELECT count(*)::int AS n FROM pg_proc WHERE proname = 'ingest_message'`);
      expect(old[0].n).toBe(1);
    });
  });
});
