import type { Socket } from 'socket.io-client';
import { exactPercentile, RELATIVE_ERROR } from '../../src/analytics/histogram.js';
import { citizenSays, connectAgent, connectCitizen, eventually, login, nextEvent, startApp, type TestApp } from '../support/harness.js';

/**
 * Analytics end to end against the real app (API + workers, PostgreSQL, Redis): metrics kept
 * current from the event log, percentiles checked against a direct computation, tenant isolation
 * of every route, the CSAT round trip through the web chat, and an SLA breach pushed live.
 */
describe('analytics', () => {
  let t: TestApp;
  const sockets: Socket[] = [];
  let bari: number, modugno: number, bariUrp: number;
  const tok: Record<string, string> = {};
  const get = (path: string, who: string) => t.http.get(path).set('Authorization', `Bearer ${tok[who]}`);
  const idle = () =>
    eventually(async () => (await t.ds.query(`SELECT count(*)::int AS n FROM analytics_dirty`))[0].n === 0, 10_000, 'metrics recomputed');

  beforeAll(async () => {
    t = await startApp({ ANALYTICS_POLL_MS: '100', SLA_CHECK_MS: '150' });
    [{ id: bari }] = await t.ds.query(`SELECT id FROM comuni WHERE slug = 'bari'`);
    [{ id: modugno }] = await t.ds.query(`SELECT id FROM comuni WHERE slug = 'modugno'`);
    [{ id: bariUrp }] = await t.ds.query(`SELECT id FROM competence_groups WHERE comune_id = $1 AND code = 'urp'`, [bari]);
    for (const [k, email] of Object.entries({
      op: 'operatore@bari.demo',
      sup: 'supervisore@bari.demo',
      mgr: 'manager@bari.demo',
      modMgr: 'manager@modugno.demo',
      admin: 'admin@metro.demo',
    }))
      tok[k] = await login(t, email);
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await t.close();
  });

  it('computes percentiles from the rollups that agree with a direct computation over the raw intervals', async () => {
    // 80 historical tickets in Bari between 20 January and 10 March 2025 (whole February read from monthly rollups).
    const [cit] = await t.ds.query(`INSERT INTO citizens (display_name) VALUES ('Storico') RETURNING id`);
    const [ident] = await t.ds.query(
      `INSERT INTO citizen_identities (citizen_id, channel, address) VALUES ($1, 'app', 'storico') RETURNING id`,
      [cit.id],
    );
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const frt: number[] = [];
    const res: number[] = [];
    for (let i = 0; i < 80; i++) {
      const created = Date.parse('2025-01-20T08:00:00Z') + Math.floor(rand() * 48 * 86_400_000);
      const firstReply = Math.round(Math.exp(rand() * 11)) + 5; // 5 s … ~16 h
      const resolvedAfter = firstReply + Math.round(rand() * 86_400 * 3);
      const replyAt = created + firstReply * 1000;
      const resolvedAt = created + resolvedAfter * 1000;
      if (replyAt <= Date.parse('2025-03-10T22:59:59Z')) frt.push(firstReply);
      if (resolvedAt <= Date.parse('2025-03-10T22:59:59Z')) res.push(resolvedAfter);
      const [tk] = await t.ds.query(
        `INSERT INTO tickets (comune_id, reference, type, channel, citizen_id, citizen_identity_id, group_id, status, queue_state, created_at, resolved_at)
         VALUES ($1, $2, 'request', 'app', $3, $4, $5, 'resolved', 'done', $6, $7) RETURNING id`,
        [bari, `BA-2025-9${String(i).padStart(5, '0')}`, cit.id, ident.id, bariUrp, new Date(created), new Date(resolvedAt)],
      );
      const ev = (type: string, at: number, data: object, actor = 'system', op: number | null = null) =>
        t.ds.query(
          `INSERT INTO ticket_events (ticket_id, comune_id, type, actor_type, actor_operator_id, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [tk.id, bari, type, actor, op, JSON.stringify(data), new Date(at)],
        );
      await ev('ticket.created', created, { type: 'request' }, 'citizen');
      await ev('message.received', created, {}, 'citizen');
      await ev('ticket.routed', created, { groupId: bariUrp });
      await ev('note.added', created + 1000, {});
      await ev('message.sent', replyAt, {});
      await ev('status.changed', resolvedAt, { from: 'open', to: 'resolved' });
    }
    await idle();
    const r = await get(`/api/analytics/response-times?from=2025-01-20&to=2025-03-10`, 'mgr');
    expect(r.status).toBe(200);
    const [row] = r.body.rows;
    const close = (got: number, exact: number) => expect(Math.abs(got - exact)).toBeLessThanOrEqual(exact * RELATIVE_ERROR + 1);
    expect(row.firstResponse.count).toBe(frt.length);
    close(row.firstResponse.p50WallSeconds, exactPercentile(frt, 0.5)!);
    close(row.firstResponse.p90WallSeconds, exactPercentile(frt, 0.9)!);
    expect(row.firstResponse.avgWallSeconds).toBe(Math.round(frt.reduce((a, b) => a + b, 0) / frt.length));
    expect(row.resolution.count).toBe(res.length);
    close(row.resolution.p50WallSeconds, exactPercentile(res, 0.5)!);
    close(row.resolution.p90WallSeconds, exactPercentile(res, 0.9)!);
    // Business time against PostgreSQL's own percentile over the stored intervals.
    const [direct] = await t.ds.query(
      `SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY business_s) AS p50, percentile_disc(0.9) WITHIN GROUP (ORDER BY business_s) AS p90
         FROM analytics_samples WHERE comune_id = $1 AND metric = 'first_response' AND day BETWEEN '2025-01-20' AND '2025-03-10'`,
      [bari],
    );
    close(row.firstResponse.p50BusinessSeconds, direct.p50);
    close(row.firstResponse.p90BusinessSeconds, direct.p90);
    expect(row.firstResponse.p50BusinessSeconds).toBeLessThan(row.firstResponse.p50WallSeconds);

    // 5 February – 10 March: February is read as its monthly row minus 1–4 February. Same figures
    // as a direct computation over the stored intervals of those days.
    const part = await get(`/api/analytics/response-times?from=2025-02-05&to=2025-03-10`, 'mgr');
    for (const [metric, key] of [
      ['first_response', 'firstResponse'],
      ['resolution', 'resolution'],
    ] as const) {
      const [d] = await t.ds.query(
        `SELECT count(*)::int AS n, round(avg(wall_s))::int AS avg, array_agg(wall_s::int) AS wall, array_agg(business_s::int) AS bus
           FROM analytics_samples WHERE comune_id = $1 AND metric = $2 AND day BETWEEN '2025-02-05' AND '2025-03-10'`,
        [bari, metric],
      );
      const got = part.body.rows[0][key];
      expect(d.n).toBeGreaterThan(10);
      expect(got.count).toBe(d.n);
      expect(got.avgWallSeconds).toBe(d.avg);
      close(got.p50WallSeconds, exactPercentile(d.wall, 0.5)!);
      close(got.p90WallSeconds, exactPercentile(d.wall, 0.9)!);
      close(got.p50BusinessSeconds, exactPercentile(d.bus, 0.5)!);
      close(got.p90BusinessSeconds, exactPercentile(d.bus, 0.9)!);
    }
    const [{ n: createdInPart }] = await t.ds.query(
      `SELECT count(*)::int AS n FROM tickets WHERE comune_id = $1 AND reference LIKE 'BA-2025-9%'
          AND (created_at AT TIME ZONE 'Europe/Rome')::date BETWEEN '2025-02-05' AND '2025-03-10'`,
      [bari],
    );
    const partVolumes = await get(`/api/analytics/volumes?from=2025-02-05&to=2025-03-10`, 'mgr');
    expect(partVolumes.body.rows[0].created).toBe(createdInPart);
    expect(createdInPart).toBeLessThan(80);

    // The same period by day sums to the same counts; drill-down lists the tickets behind a number.
    const byDay = await get(`/api/analytics/volumes?from=2025-01-20&to=2025-03-10&breakdown=day`, 'mgr');
    expect(byDay.body.rows.reduce((s: number, x: any) => s + x.created, 0)).toBe(80);
    const drill = await get(
      `/api/analytics/drilldown?metric=first_response&from=2025-01-20&to=2025-03-10&groupId=${bariUrp}&limit=500`,
      'mgr',
    );
    expect(drill.status).toBe(200);
    expect(drill.body.rows).toHaveLength(frt.length);
    expect(drill.body.rows.map((x: any) => x.wallSeconds).sort((a: number, b: number) => a - b)).toEqual([...frt].sort((a, b) => a - b));
    const csv = await get(`/api/analytics/response-times?from=2025-01-20&to=2025-03-10&breakdown=group&format=csv`, 'mgr');
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.split('\r\n')[0]).toContain('firstResponse.p90WallSeconds');
    expect(csv.text).toContain('URP');
  });

  it('refuses bad filters naming the field', async () => {
    const bad = async (qs: string, field: string) => {
      const r = await get(`/api/analytics/response-times?${qs}`, 'mgr');
      expect(r.status).toBe(400);
      expect(r.body.fields.map((f: any) => f.field)).toContain(field);
    };
    await bad('from=2025-13-01', 'from');
    await bad('from=yesterday', 'from');
    await bad('from=2025-03-10&to=2025-03-01', 'from');
    await bad('breakdown=weather', 'breakdown');
    await bad('comuneId=abc', 'comuneId');
    await bad('groupId=1&channel=webchat', 'channel');
    await bad('groupId=1&breakdown=operator', 'breakdown');
    await bad('priority=whenever', 'priority');
    await bad('from=2020-01-01&to=2025-01-01', 'from');
    const d = await get(`/api/analytics/drilldown?metric=speed`, 'mgr');
    expect(d.status).toBe(400);
    expect(d.body.fields.map((f: any) => f.field)).toContain('metric');
    const cal = await t.http
      .put(`/api/analytics/calendars/${bari}`)
      .set('Authorization', `Bearer ${tok.mgr}`)
      .send({ openingHours: { '1': [['13:00', '09:00']] }, patronDay: '13-45' });
    expect(cal.status).toBe(400);
    expect(cal.body.fields.map((f: any) => f.field).sort()).toEqual(['openingHours.1.0', 'patronDay']);
  });

  it('keeps every analytics route inside the caller’s comune', async () => {
    const routes = [
      'live',
      'backlog',
      'response-times',
      'volumes',
      'volumes/by-hour',
      'sla',
      'csat',
      'map',
      'open-data',
      'drilldown?metric=created&x=1',
      'comuni',
      'sla-policies',
    ];
    const withQ = (r: string, q: string) => `/api/analytics/${r}${r.includes('?') ? '&' : '?'}${q}`;
    for (const r of routes) {
      expect((await get(withQ(r, 'from=2025-01-01&to=2025-03-31').replace('&x=1', ''), 'op')).status).toBe(403);
      expect((await get(withQ(r, `comuneId=${bari}`).replace('&x=1', ''), 'modMgr')).status).toBe(r === 'comuni' ? 200 : 404);
    }
    // Modugno's manager sees Modugno's figures only: none of Bari's 80 tickets.
    const mod = await get(`/api/analytics/volumes?from=2025-01-20&to=2025-03-10&breakdown=comune`, 'modMgr');
    expect(mod.status).toBe(200);
    expect(mod.body.rows.every((x: any) => x.key === String(modugno))).toBe(true);
    expect(mod.body.rows.reduce((s: number, x: any) => s + x.created, 0)).toBe(0);
    const drill = await get(`/api/analytics/drilldown?metric=created&from=2025-01-20&to=2025-03-10`, 'modMgr');
    expect(drill.body.rows).toEqual([]);
    const comuni = await get(`/api/analytics/comuni`, 'modMgr');
    expect(comuni.body.map((c: any) => c.id)).toEqual([modugno]);
    const policies = await get(`/api/analytics/sla-policies`, 'modMgr');
    expect(new Set(policies.body.map((p: any) => p.comuneId))).toEqual(new Set([modugno]));
    expect((await get(`/api/analytics/calendars/${bari}`, 'modMgr')).status).toBe(404);
    expect(
      (await t.http.put(`/api/analytics/calendars/${bari}`).set('Authorization', `Bearer ${tok.modMgr}`).send({ patronDay: '01-01' }))
        .status,
    ).toBe(404);
    const bariPolicy = (await get(`/api/analytics/sla-policies`, 'mgr')).body[0];
    expect(
      (await t.http.put(`/api/analytics/sla-policies/${bariPolicy.id}`).set('Authorization', `Bearer ${tok.modMgr}`).send({ name: 'x' }))
        .status,
    ).toBe(404);
    expect((await t.http.delete(`/api/analytics/sla-policies/${bariPolicy.id}`).set('Authorization', `Bearer ${tok.modMgr}`)).status).toBe(
      404,
    );
    expect(
      (await t.http.post(`/api/analytics/sla-policies`).set('Authorization', `Bearer ${tok.modMgr}`).send({ comuneId: bari, name: 'x' }))
        .status,
    ).toBe(404);
    // Supervisors read but do not change the rules.
    expect(
      (await t.http.put(`/api/analytics/calendars/${bari}`).set('Authorization', `Bearer ${tok.sup}`).send({ patronDay: '05-08' })).status,
    ).toBe(403);
    const [someTicket] = await t.ds.query(`SELECT id FROM tickets WHERE comune_id = $1 LIMIT 1`, [bari]);
    expect((await get(`/api/analytics/tickets/${someTicket.id}/sla`, 'modMgr')).status).toBe(404);
    expect((await get(`/api/analytics/tickets/${someTicket.id}/sla`, 'mgr')).status).toBe(200);
    // The metropolitan admin compares comuni.
    const all = await get(`/api/analytics/volumes?from=2025-01-20&to=2025-03-10&breakdown=comune`, 'admin');
    expect(all.body.rows.find((x: any) => x.key === String(bari))).toMatchObject({ label: 'Bari', created: 80 });
    const open = await get(`/api/analytics/open-data?from=2025-01-20&to=2025-03-10&format=csv`, 'admin');
    expect(open.text.split('\r\n')[0]).toBe('date,comuneIstat,comune,category,channel,tickets');
    expect(open.text).not.toMatch(/Storico|storico|BA-2025/);
  });

  it('asks for a rating after resolution through the web chat and counts it per group and operator', async () => {
    const op = await connectAgent(t, tok.op);
    sockets.push(op);
    const citizen = await connectCitizen(t, 'bari');
    sockets.push(citizen.socket);
    const offered = nextEvent(op, 'ticket.offered');
    const ack = await citizenSays(citizen.socket, "Buongiorno, a che ora apre l'ufficio anagrafe?", 'csat-1');
    const { ticket } = await offered;
    const reply = nextEvent(citizen.socket, 'message', (m: any) => m.text?.includes('F24'));
    expect(
      (
        await t.http
          .post(`/api/tickets/${ticket.id}/messages`)
          .set('Authorization', `Bearer ${tok.op}`)
          .send({ text: 'Apre alle 9, porti il modello F24.' })
      ).status,
    ).toBe(201);
    await reply;
    const survey = nextEvent(citizen.socket, 'message', (m: any) => /da 1 .* a 5/.test(m.text ?? ''));
    const request = nextEvent(citizen.socket, 'csat.request');
    expect(
      (await t.http.patch(`/api/tickets/${ticket.id}`).set('Authorization', `Bearer ${tok.op}`).send({ status: 'resolved' })).status,
    ).toBe(200);
    expect((await request).ticketReference).toBe(ack.ticketReference);
    expect((await survey).text).toContain(ack.ticketReference);

    const bad = await citizen.socket.timeout(5000).emitWithAck('csat', { ticketReference: ack.ticketReference, rating: 9 });
    expect(bad).toMatchObject({ ok: false, error: { field: 'rating' } });
    const ok = await citizen.socket
      .timeout(5000)
      .emitWithAck('csat', { ticketReference: ack.ticketReference, rating: 4, comment: 'Gentili e veloci' });
    expect(ok).toEqual({ ok: true });
    const again = await citizen.socket.timeout(5000).emitWithAck('csat', { ticketReference: ack.ticketReference, rating: 1 });
    expect(again).toMatchObject({ ok: false, error: { status: 409, field: 'rating' } });
    // Another session cannot rate someone else's request.
    const other = await connectCitizen(t, 'bari');
    sockets.push(other.socket);
    expect(await other.socket.timeout(5000).emitWithAck('csat', { ticketReference: ack.ticketReference, rating: 5 })).toMatchObject({
      ok: false,
      error: { status: 404 },
    });

    await idle();
    const [{ id: opId }] = await t.ds.query(`SELECT id FROM operators WHERE email = 'operatore@bari.demo'`);
    const byGroup = await get(`/api/analytics/csat?breakdown=group`, 'mgr');
    expect(byGroup.body.rows).toEqual([expect.objectContaining({ key: String(ticket.groupId), responses: 1, average: 4, rating4: 1 })]);
    const byOp = await get(`/api/analytics/csat?breakdown=operator`, 'sup');
    expect(byOp.body.rows).toEqual([expect.objectContaining({ key: String(opId), responses: 1, average: 4 })]);
    const [survey0] = await t.ds.query(`SELECT rating, comment FROM csat_surveys WHERE ticket_id = $1`, [ticket.id]);
    expect(survey0).toEqual({ rating: 4, comment: 'Gentili e veloci' });
    // The survey is not a response: first response stays the operator's reply.
    const sla = await get(`/api/analytics/tickets/${ticket.id}/sla`, 'op');
    expect(sla.body.firstResponse.wallSeconds).toBeGreaterThanOrEqual(0);
    const [{ n }] = await t.ds.query(
      `SELECT count(*)::int AS n FROM analytics_samples WHERE ticket_id = $1 AND metric = 'first_response'`,
      [ticket.id],
    );
    expect(n).toBe(1);
  });

  it('pushes an imminent and then a breached first-response SLA to the assignee and the group’s supervisor', async () => {
    // Always open, so the test does not depend on the hour it runs at.
    const always = Object.fromEntries(['1', '2', '3', '4', '5', '6', '7'].map((d) => [d, [['00:00', '24:00']]]));
    const cal = await t.http
      .put(`/api/analytics/calendars/${bari}`)
      .set('Authorization', `Bearer ${tok.mgr}`)
      .send({ openingHours: always, nationalHolidays: false, patronDay: null, closures: [] });
    expect(cal.status).toBe(200);
    const pol = await t.http
      .post(`/api/analytics/sla-policies`)
      .set('Authorization', `Bearer ${tok.mgr}`)
      .send({ name: 'URP chat', groupId: bariUrp, firstResponseSecs: 2, warnBeforeSecs: 1 });
    expect(pol.status).toBe(201);

    const op = await connectAgent(t, tok.op);
    const sup = await connectAgent(t, tok.sup, 'away');
    const modugnoMgr = await connectAgent(t, tok.modMgr);
    sockets.push(op, sup, modugnoMgr);
    const leaked: any[] = [];
    modugnoMgr.on('sla.breached', (p: any) => leaked.push(p));
    modugnoMgr.on('sla.warning', (p: any) => leaked.push(p));
    const citizen = await connectCitizen(t, 'bari');
    sockets.push(citizen.socket);
    const offered = nextEvent(op, 'ticket.offered');
    const ack = await citizenSays(citizen.socket, "Buonasera, l'ufficio anagrafe è aperto sabato?", 'sla-1');
    const { ticket } = await offered;
    expect((await t.http.post(`/api/tickets/${ticket.id}/accept`).set('Authorization', `Bearer ${tok.op}`)).status).toBe(204);

    const mine = (p: any) => p.ticketId === ticket.id;
    const [warnOp, warnSup] = await Promise.all([nextEvent(op, 'sla.warning', mine, 5000), nextEvent(sup, 'sla.warning', mine, 5000)]);
    expect(warnOp).toMatchObject({ reference: ack.ticketReference, kind: 'first_response', comuneId: bari });
    expect(warnSup.dueAt).toBe(warnOp.dueAt);
    const [breachOp, breachSup] = await Promise.all([
      nextEvent(op, 'sla.breached', mine, 6000),
      nextEvent(sup, 'sla.breached', mine, 6000),
    ]);
    expect(breachOp).toMatchObject({ kind: 'first_response', reference: ack.ticketReference });
    expect(breachSup.ticketId).toBe(ticket.id);
    expect(Date.parse(breachOp.dueAt)).toBeLessThanOrEqual(Date.now());

    const live = await get(`/api/analytics/live`, 'mgr');
    expect(live.body.slaBreached).toBeGreaterThanOrEqual(1);
    // Answering late stops the clock and the breach is counted in the reports.
    expect(
      (
        await t.http
          .post(`/api/tickets/${ticket.id}/messages`)
          .set('Authorization', `Bearer ${tok.op}`)
          .send({ text: 'Segnalato ai lavori pubblici.' })
      ).status,
    ).toBe(201);
    await idle();
    const sla = await get(`/api/analytics/sla?breakdown=group`, 'mgr');
    expect(sla.body.rows.find((x: any) => x.key === String(bariUrp))).toMatchObject({ firstResponseBreaches: 1 });
    const due = await get(`/api/analytics/tickets/${ticket.id}/sla`, 'op');
    expect(due.body).toMatchObject({ firstResponseDueAt: null, breaches: 1, policy: { name: 'URP chat' } });
    expect(due.body.resolutionDueAt).not.toBeNull();
    expect(leaked).toEqual([]);
  });
});
