import type { Socket } from 'socket.io-client';
import { STATUS_PHASE, TICKET_STATUSES, isOpenStatus } from '../../src/cases/phases.js';
import { connectAgent, eventually, login, nextEvent, startApp, type TestApp } from '../support/harness.js';
import { createOperator, everyoneOffline, ticketByReference } from '../support/factories.js';
import { INSPECTION_SCHEMA_SQL } from '../support/case-types/inspection/inspection.case-type.js';
import { InspectionModule } from '../support/case-types/inspection/inspection.module.js';

/**
 * A case type added by one folder (test/support/case-types/inspection/): its manifest registered by
 * its own module, its own stages mapped onto the core phases, no operator, and a hook that takes a
 * visit slot in the transaction of the stage change.
 */
describe('case types: a type contributed by its own module', () => {
  let t: TestApp;
  let supervisor: string;
  let agent: Socket;
  const auth = () => ({ Authorization: `Bearer ${supervisor}` });

  beforeAll(async () => {
    t = await startApp({ OFFER_TIMEOUT_MS: '60000' }, undefined, [InspectionModule.register()]);
    for (const sql of INSPECTION_SCHEMA_SQL) await t.ds.query(sql);
    await everyoneOffline(t.ds);
    // Every clock has a target in Noci, so a missing one is the case type's doing.
    await t.ds.query(
      `UPDATE sla_policies SET first_response_secs = 3600, next_response_secs = 3600, resolution_secs = 86400
        WHERE comune_id = (SELECT id FROM comuni WHERE slug = 'noci')`,
    );
    supervisor = await login(t, (await createOperator(t.ds, { comune: 'noci', groups: ['urp'], role: 'supervisor' })).email);
    // An operator online with free capacity in every group: a case that needed one would be offered to them.
    const groups: Array<{ code: string }> = await t.ds.query(
      `SELECT code FROM competence_groups WHERE comune_id = (SELECT id FROM comuni WHERE slug = 'noci')`,
    );
    const op = await createOperator(t.ds, { comune: 'noci', groups: groups.map((g) => g.code), capacity: 10 });
    agent = await connectAgent(t, await login(t, op.email));
  });
  afterAll(async () => {
    agent?.disconnect();
    await t?.close();
  });

  let n = 0;
  const submit = (body: Record<string, unknown>) =>
    t.http
      .post('/api/app/v1/messages')
      .set('X-Api-Key', 'demo-app-key-noci')
      .send({ messageId: `insp-${++n}-${Date.now()}`, citizen: { id: `insp-citizen-${n}` }, text: 'Chiedo un sopralluogo', ...body });
  const patch = (id: string, body: Record<string, unknown>) => t.http.patch(`/api/tickets/${id}`).set(auth()).send(body);
  const detail = async (id: string) => (await t.http.get(`/api/tickets/${id}`).set(auth()).expect(200)).body;
  const eventTypes = async (id: string) =>
    ((await t.http.get(`/api/tickets/${id}/events`).set(auth()).expect(200)).body as Array<{ type: string }>).map((e) => e.type);

  async function newInspection(site: string, day: string): Promise<any> {
    const res = await submit({ type: 'inspection', payload: { site, day, ignored: 'dropped' } });
    expect(res.status).toBe(201);
    // Routed: it has a group, and nothing for an operator to take.
    return eventually(async () => {
      const row = await ticketByReference(t.ds, res.body.ticketReference);
      return row.queue_state !== 'unrouted' && row;
    });
  }

  it('says in SQL what src/cases/phases.ts says (case_phase, case_is_open)', async () => {
    const rows: Array<{ s: string; phase: string; open: boolean }> = await t.ds.query(
      `SELECT s, case_phase(s) AS phase, case_is_open(s) AS open FROM unnest($1::text[]) AS s`,
      [TICKET_STATUSES],
    );
    expect(rows.map((r) => [r.s, r.phase, r.open])).toEqual(TICKET_STATUSES.map((s) => [s, STATUS_PHASE[s], isOpenStatus(s)]));
  });

  it('validates the payload with its schema, naming the field, and keeps only the declared fields', async () => {
    const missing = await submit({ type: 'inspection', payload: { site: 'Scuola Pascoli' } });
    expect(missing.status).toBe(400);
    expect(missing.body.fields).toEqual([{ field: 'payload.day', message: 'must be a date YYYY-MM-DD' }]);
    expect((await submit({ type: 'inspection' })).body.fields[0].field).toBe('payload.site');

    const row = await newInspection('Scuola Pascoli', '2027-03-15');
    expect(row.payload).toEqual({ site: 'Scuola Pascoli', day: '2027-03-15' });
    expect(row.type).toBe('inspection');
  });

  it('needs no operator: routed to a group but never queued, offered or assigned', async () => {
    const row = await newInspection('Parco di via Roma', '2027-04-01');
    expect(row.queue_state).toBe('done');
    expect(row.group_id).not.toBeNull();
    expect(row.assignee_id).toBeNull();
    expect(row.offered_to_id).toBeNull();
    expect(row.status).toBe('new');
    const events = await eventTypes(row.id);
    expect(events).toContain('ticket.routed');
    expect(events).not.toContain('offer.made');
    // The operator was there, free: an ordinary request is offered to them at once.
    const offered = nextEvent(agent, 'ticket.offered');
    expect((await submit({ text: 'Una domanda qualsiasi' })).status).toBe(201);
    const request = (await offered).ticket;
    expect(request.type).toBe('request');
    expect((await ticketByReference(t.ds, row.reference)).queue_state).toBe('done');

    // No first-response clock: only its resolution is due. (The request has both.)
    const dues = (id: string) =>
      eventually(async () => {
        const [m] = await t.ds.query(`SELECT first_response_due_at, resolution_due_at FROM ticket_metrics WHERE ticket_id = $1`, [id]);
        return m?.resolution_due_at && m;
      });
    expect((await dues(row.id)).first_response_due_at).toBeNull();
    expect((await dues(request.id)).first_response_due_at).not.toBeNull();
  });

  it('moves through its own stages, its status following each stage’s phase; refused moves name the field', async () => {
    const { id } = await newInspection('Tetto del municipio', '2027-05-02');
    expect((await detail(id)).stage).toBe('requested');

    const skip = await patch(id, { stage: 'archived' });
    expect(skip.status).toBe(409);
    expect(skip.body.fields).toEqual([
      { field: 'stage', message: 'a inspection cannot go from requested to archived (next: scheduled, rejected)' },
    ]);
    const unknown = await patch(id, { stage: 'teleported' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.fields[0].field).toBe('stage');
    const byStatus = await patch(id, { status: 'resolved' });
    expect(byStatus.status).toBe(409);
    expect(byStatus.body.fields[0].field).toBe('status');

    const steps: Array<[string, string]> = [
      ['scheduled', 'new'], // same phase (open): the status stays
      ['awaiting_access', 'waiting_citizen'],
      ['scheduled', 'open'],
      ['inspected', 'resolved'],
      ['archived', 'closed'],
    ];
    for (const [stage, status] of steps) {
      const res = await patch(id, { stage });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe(status);
      expect((await detail(id)).stage).toBe(stage);
    }
    const row = await t.ds.query(`SELECT queue_state, assignee_id, resolved_at FROM tickets WHERE id = $1`, [id]);
    expect(row[0]).toMatchObject({ queue_state: 'done', assignee_id: null });
    expect((await patch(id, { stage: 'scheduled' })).body.fields[0]).toEqual({
      field: 'stage',
      message: 'a inspection cannot go from archived to scheduled (it is final)',
    });
    const events = await eventTypes(id);
    expect(events.filter((e) => e === 'stage.changed')).toHaveLength(5);
    expect(events).toContain('status.changed');
    expect(await t.ds.query(`SELECT site FROM inspection_visits WHERE ticket_id = $1`, [id])).toEqual([{ site: 'Tetto del municipio' }]);
  });

  it('runs its hook in the transaction of the change: a failing hook leaves nothing of it', async () => {
    const first = await newInspection('Palestra comunale', '2027-06-10');
    const second = await newInspection('Palestra comunale', '2027-06-10');
    expect((await patch(first.id, { stage: 'scheduled' })).status).toBe(200);

    // Same site, same day: the visit's uniqueness refuses the slot, and the stage change goes with it.
    const clash = await patch(second.id, { stage: 'scheduled' });
    expect(clash.status).toBe(409);
    expect(clash.body.fields).toEqual([{ field: 'stage', message: 'Palestra comunale is already booked on 2027-06-10' }]);
    const [row] = await t.ds.query(`SELECT stage, status, updated_at FROM tickets WHERE id = $1`, [second.id]);
    expect(row.stage).toBeNull();
    expect(row.status).toBe('new');
    expect((await detail(second.id)).stage).toBe('requested');
    expect(await eventTypes(second.id)).not.toContain('stage.changed');
    expect(await t.ds.query(`SELECT ticket_id FROM inspection_visits WHERE ticket_id = $1`, [second.id])).toEqual([]);
  });

  it('runs its onCreated hook in the transaction that stores the case; a refusal stores nothing', async () => {
    const row = await newInspection('Campo sportivo comunale', '2027-04-02');
    const [logged] = await t.ds.query(`SELECT site FROM inspection_requests WHERE ticket_id = $1`, [row.id]);
    expect(logged).toEqual({ site: 'Campo sportivo comunale' });

    await t.ds.query(`INSERT INTO inspection_closed_sites (comune_id, site) SELECT id, 'Ex mattatoio' FROM comuni WHERE slug = 'noci'`);
    const messageId = `insp-closed-${Date.now()}`;
    const refused = await t.http
      .post('/api/app/v1/messages')
      .set('X-Api-Key', 'demo-app-key-noci')
      .send({
        messageId,
        citizen: { id: 'insp-closed' },
        text: 'Sopralluogo',
        type: 'inspection',
        payload: { site: 'Ex mattatoio', day: '2027-04-03' },
      });
    expect(refused.status).toBe(409);
    expect(JSON.stringify(refused.body)).toContain('payload.site');
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM messages WHERE external_id LIKE $1`, [`%${messageId}%`]);
    expect(n).toBe(0);
    const [{ c }] = await t.ds.query(`SELECT count(*)::int AS c FROM tickets WHERE payload->>'site' = 'Ex mattatoio'`);
    expect(c).toBe(0);
  });

  it('describes each type, its payload schema and stages in the OpenAPI document', async () => {
    const doc = (await t.http.get('/api/docs-json').set(auth()).expect(200)).body;
    const types = Object.fromEntries((doc['x-case-types'] as Array<{ name: string }>).map((x) => [x.name, x]));
    expect(Object.keys(types).sort()).toEqual(['inspection', 'report', 'request']);
    expect(types.inspection).toMatchObject({
      needsOperator: false,
      requiresLocation: false,
      payload: { $ref: '#/components/schemas/InspectionPayload' },
      stages: { initial: 'requested' },
    });
    expect(types.report).toMatchObject({
      needsOperator: true,
      requiresLocation: true,
      payload: { $ref: '#/components/schemas/ReportPayload' },
    });
    const schema = doc.components.schemas.InspectionPayload;
    expect(schema.required).toEqual(['site', 'day']);
    expect(schema.properties.site).toMatchObject({ type: 'string', maxLength: 200 });
    expect(doc.components.schemas.ReportPayload.properties.address).toMatchObject({ type: 'string', maxLength: 300 });
  });
});
