import type { Socket } from 'socket.io-client';
import { localDate } from '../../src/comuni/business-calendar.js';
import { connectAgent, eventually, login, nextEvent, startApp, type TestApp } from '../support/harness.js';

/**
 * The metropolitan admin's live tiles, open data and map read small structures kept up to date
 * incrementally (live counters kept by triggers, new-ticket counts by the recompute worker). Here
 * they are compared, after every kind of change a ticket goes through, with the same figures
 * computed directly from the tickets and their SLA clocks, for all comuni, one comune and one group.
 */
describe('live counters, open data and map against a direct computation', () => {
  let t: TestApp;
  const sockets: Socket[] = [];
  let bari: number, modugno: number, bariUrp: number, bariOther: number;
  const tok: Record<string, string> = {};
  const get = (path: string, who: string) => t.http.get(path).set('Authorization', `Bearer ${tok[who]}`);
  const idle = () =>
    eventually(async () => (await t.ds.query(`SELECT count(*)::int AS n FROM analytics_dirty`))[0].n === 0, 10_000, 'metrics recomputed');
  const today = () => localDate(Date.now(), 'Europe/Rome');
  const ticketOf = async (reference: string) =>
    (await t.ds.query(`SELECT id::text, status, queue_state, group_id FROM tickets WHERE reference = $1`, [reference]))[0];
  let n = 0;
  const appMessage = async (slug: string, body: Record<string, unknown>) => {
    const r = await t.http
      .post('/api/app/v1/messages')
      .set('X-Api-Key', `demo-app-key-${slug}`)
      .send({ messageId: `lc-${++n}`, citizen: { id: `lc-citizen-${n}` }, ...body });
    expect(r.status).toBe(201);
    return r.body.ticketReference as string;
  };

  /** The live tiles as defined: counted over open tickets and running SLA clocks now. */
  async function direct(comuneIds: number[], groupId?: number) {
    const params: unknown[] = [comuneIds];
    if (groupId !== undefined) params.push(groupId);
    const g = groupId !== undefined ? ' AND t.group_id = $2' : '';
    const [x] = await t.ds.query(
      `SELECT count(*)::int AS open, count(*) FILTER (WHERE t.status = 'waiting_citizen')::int AS "waitingCitizen",
              count(*) FILTER (WHERE t.queue_state IN ('unrouted','queued','offered'))::int AS unassigned,
              extract(epoch FROM now() - min(t.waiting_since) FILTER (WHERE t.queue_state IN ('queued','offered')))::int AS "oldestWaitSeconds"
         FROM tickets t WHERE t.comune_id = ANY($1::int[]) AND t.status IN ('new','open','waiting_citizen')${g}`,
      params,
    );
    const [s] = await t.ds.query(
      `SELECT count(*) FILTER (WHERE m.next_due_at <= now())::int AS "slaBreached",
              count(*) FILTER (WHERE m.next_due_at > now() AND m.next_due_at <= now() + make_interval(secs => coalesce(p.warn_before_secs, 1800))
                                 AND m.next_due_at <= now() + interval '1 day')::int AS "slaAtRisk"
         FROM ticket_metrics m LEFT JOIN sla_policies p ON p.id = m.sla_policy_id JOIN tickets t ON t.id = m.ticket_id
        WHERE m.comune_id = ANY($1::int[]) AND m.next_due_at IS NOT NULL${g}`,
      params,
    );
    const [o] = await t.ds.query(
      `SELECT count(*)::int AS n FROM operators o WHERE o.comune_id = ANY($1::int[]) AND o.presence = 'online'
      ${groupId !== undefined ? 'AND EXISTS (SELECT 1 FROM operator_groups og WHERE og.operator_id = o.id AND og.group_id = $2)' : ''}`,
      params,
    );
    return { ...x, ...s, onlineOperators: o.n };
  }

  /** Live tiles over the API (all comuni, each comune, a manager's own, one group) equal the direct figures. */
  async function liveMatches(label: string) {
    const all = (await t.ds.query(`SELECT array_agg(id) AS ids FROM comuni`))[0].ids as number[];
    const cases: Array<[string, string, number[], number?]> = [
      ['admin', '/api/analytics/live', all],
      ['admin', `/api/analytics/live?comuneId=${bari}`, [bari]],
      ['admin', `/api/analytics/live?comuneId=${modugno}`, [modugno]],
      ['mgr', '/api/analytics/live', [bari]],
      ['sup', `/api/analytics/live?groupId=${bariUrp}`, [bari], bariUrp],
      ['sup', `/api/analytics/live?groupId=${bariOther}`, [bari], bariOther],
    ];
    for (const [who, path, ids, groupId] of cases) {
      const r = await get(path, who);
      expect(r.status).toBe(200);
      const want = await direct(ids, groupId);
      const { at: _at, oldestWaitSeconds, ...got } = r.body;
      const { oldestWaitSeconds: wantOldest, ...rest } = want;
      expect({ label, path, ...got }).toEqual({ label, path, ...rest });
      // Seconds since the oldest wait, computed a few milliseconds apart.
      if (wantOldest === null) expect(oldestWaitSeconds).toBeNull();
      else expect(Math.abs(oldestWaitSeconds - wantOldest)).toBeLessThanOrEqual(1);
    }
  }

  /** The backlog as defined: open tickets per comune and group now. */
  async function directBacklog(comuneIds: number[]) {
    const rows: any[] = await t.ds.query(
      `SELECT t.comune_id AS "comuneId", t.group_id AS "groupId", coalesce(g.name, 'non instradati') AS "group", count(*)::int AS open,
              count(*) FILTER (WHERE t.queue_state IN ('unrouted','queued','offered'))::int AS unassigned,
              count(*) FILTER (WHERE t.status = 'waiting_citizen')::int AS "waitingCitizen",
              extract(epoch FROM now() - min(t.waiting_since) FILTER (WHERE t.queue_state IN ('queued','offered')))::int AS "oldestWaitSeconds"
         FROM tickets t LEFT JOIN competence_groups g ON g.id = t.group_id
        WHERE t.comune_id = ANY($1::int[]) AND t.status IN ('new','open','waiting_citizen')
        GROUP BY t.comune_id, t.group_id, g.name ORDER BY t.comune_id, g.name NULLS FIRST`,
      [comuneIds],
    );
    return rows;
  }

  async function backlogMatches(label: string) {
    const all = (await t.ds.query(`SELECT array_agg(id) AS ids FROM comuni`))[0].ids as number[];
    for (const [who, path, ids] of [
      ['admin', '/api/analytics/backlog', all],
      ['mgr', '/api/analytics/backlog', [bari]],
    ] as const) {
      const r = await get(path, who);
      expect(r.status).toBe(200);
      const want = await directBacklog([...ids]);
      const strip = (rows: any[]) => rows.map(({ oldestWaitSeconds: _o, ...x }) => x);
      expect({ label, path, rows: strip(r.body.rows) }).toEqual({ label, path, rows: strip(want) });
      r.body.rows.forEach((x: any, i: number) => {
        if (want[i].oldestWaitSeconds === null) expect(x.oldestWaitSeconds).toBeNull();
        else expect(Math.abs(x.oldestWaitSeconds - want[i].oldestWaitSeconds)).toBeLessThanOrEqual(1);
      });
    }
  }

  /** Compared before and after the delta rows are folded; folding leaves one row per comune and group. */
  async function checkLive(label: string) {
    await liveMatches(`${label} (delta rows)`);
    await backlogMatches(`${label} (delta rows)`);
    await t.ds.query(`SELECT analytics_live_compact()`);
    const [dup] = await t.ds.query(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM analytics_live GROUP BY comune_id, group_id HAVING count(*) > 1) x`,
    );
    expect(dup.n).toBe(0);
    await liveMatches(`${label} (compacted)`);
    await backlogMatches(`${label} (compacted)`);
  }

  /** Open data as defined: new tickets per day, comune, category and channel; cells under 3 merged into "altro", then dropped if still under 3; sorted by those four. */
  async function directOpenData(from: string, to: string) {
    const rows: any[] = await t.ds.query(
      `SELECT to_char(t.created_at AT TIME ZONE 'Europe/Rome', 'YYYY-MM-DD') AS date, c.istat_code, c.name, coalesce(t.category, '-') AS category, t.channel, count(*)::int AS n
         FROM tickets t JOIN comuni c ON c.id = t.comune_id
        WHERE (t.created_at AT TIME ZONE 'Europe/Rome')::date BETWEEN $1::date AND $2::date GROUP BY 1, 2, 3, 4, 5`,
      [from, to],
    );
    const merged = new Map<
      string,
      { date: string; comuneIstat: string; comune: string; category: string; channel: string; tickets: number }
    >();
    for (const r of rows) {
      const [category, channel] = r.n >= 3 ? [r.category === '-' ? 'non classificata' : r.category, r.channel] : ['altro', 'altro'];
      const k = `${r.date}|${r.name}|${category}|${channel}`;
      const x = merged.get(k) ?? { date: r.date, comuneIstat: r.istat_code, comune: r.name, category, channel, tickets: 0 };
      x.tickets += r.n;
      merged.set(k, x);
    }
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return [...merged.values()]
      .filter((x) => x.tickets >= 3)
      .sort((a, b) => cmp(a.date, b.date) || cmp(a.comune, b.comune) || cmp(a.category, b.category) || cmp(a.channel, b.channel));
  }

  /** The map as defined: tickets with a position per ~1 km cell and category. */
  async function directMap(from: string, to: string, comuneIds: number[]) {
    const rows: any[] = await t.ds.query(
      `SELECT t.comune_id AS "comuneId", (floor(ST_Y(t.location::geometry) * 100) + 0.5) / 100 AS lat, (floor(ST_X(t.location::geometry) * 100) + 0.5) / 100 AS lng,
              coalesce(t.category, '-') AS category, count(*)::int AS count
         FROM tickets t WHERE t.location IS NOT NULL AND t.comune_id = ANY($3::int[])
          AND (t.created_at AT TIME ZONE 'Europe/Rome')::date BETWEEN $1::date AND $2::date GROUP BY 1, 2, 3, 4`,
      [from, to, comuneIds],
    );
    return rows.map((r) => ({ ...r, lat: Number(r.lat), lng: Number(r.lng) }));
  }
  const byCell = (a: any, b: any) =>
    a.comuneId - b.comuneId || a.lat - b.lat || a.lng - b.lng || (a.category < b.category ? -1 : a.category > b.category ? 1 : 0);

  async function countsMatch(label: string) {
    await idle();
    const to = today();
    const from = localDate(Date.now() - 29 * 86_400_000, 'Europe/Rome');
    const open = await get(`/api/analytics/open-data?from=${from}&to=${to}`, 'admin');
    expect(open.status).toBe(200);
    const want = await directOpenData(from, to);
    expect({ label, rows: open.body.rows }).toEqual({ label, rows: want });
    const all = (await t.ds.query(`SELECT array_agg(id) AS ids FROM comuni`))[0].ids as number[];
    for (const [who, path, ids] of [
      ['admin', `/api/analytics/map?from=${from}&to=${to}`, all],
      ['mgr', `/api/analytics/map?from=${from}&to=${to}`, [bari]],
    ] as const) {
      const map = await get(path, who);
      expect(map.status).toBe(200);
      expect({ label, who, rows: [...map.body.rows].sort(byCell) }).toEqual({
        label,
        who,
        rows: (await directMap(from, to, [...ids])).sort(byCell),
      });
    }
    return open.body.rows as any[];
  }

  beforeAll(async () => {
    t = await startApp({ ANALYTICS_POLL_MS: '100' });
    [{ id: bari }] = await t.ds.query(`SELECT id FROM comuni WHERE slug = 'bari'`);
    [{ id: modugno }] = await t.ds.query(`SELECT id FROM comuni WHERE slug = 'modugno'`);
    [{ id: bariUrp }] = await t.ds.query(`SELECT id FROM competence_groups WHERE comune_id = $1 AND code = 'urp'`, [bari]);
    [{ id: bariOther }] = await t.ds.query(`SELECT id FROM competence_groups WHERE comune_id = $1 AND code <> 'urp' ORDER BY id LIMIT 1`, [
      bari,
    ]);
    for (const [k, email] of Object.entries({
      op: 'operatore@bari.demo',
      sup: 'supervisore@bari.demo',
      mgr: 'manager@bari.demo',
      admin: 'admin@metro.demo',
    })) {
      tok[k] = await login(t, email);
    }
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await t.close();
  });

  it('gives the same live figures as a direct count while tickets are created, offered, assigned, answered, resolved, reopened and moved', async () => {
    await checkLive('no tickets');
    // An operator of Bari's URP online; new tickets in Bari and Modugno: offered, queued, unrouted.
    const op = await connectAgent(t, tok.op);
    sockets.push(op);
    const offered = nextEvent(op, 'ticket.offered');
    const near = { lat: 41.1171, lng: 16.8719 };
    const refs: string[] = [];
    for (let i = 0; i < 3; i++)
      refs.push(
        await appMessage('bari', {
          text: `Lampione spento ${i}`,
          type: 'report',
          category: 'illuminazione',
          location: { lat: near.lat + i * 0.004, lng: near.lng },
        }),
      );
    refs.push(await appMessage('bari', { text: 'Buca in strada', type: 'report', category: 'strade', location: near }));
    refs.push(await appMessage('modugno', { text: 'Orari anagrafe?' }));
    refs.push(await appMessage('modugno', { text: 'Certificato di residenza' }));
    refs.push(await appMessage('bari', { text: 'A che ora apre l’ufficio anagrafe?' }));
    await idle();
    await checkLive('created');
    expect((await get('/api/analytics/live', 'admin')).body.open).toBeGreaterThanOrEqual(6);

    // The offered ticket is accepted.
    const { ticket } = await offered;
    expect((await t.http.post(`/api/tickets/${ticket.id}/accept`).set('Authorization', `Bearer ${tok.op}`)).status).toBe(204);
    await idle();
    await checkLive('assigned');

    // Answered, then waiting for the citizen, resolved, reopened.
    expect(
      (
        await t.http
          .post(`/api/tickets/${ticket.id}/messages`)
          .set('Authorization', `Bearer ${tok.op}`)
          .send({ text: 'Mandiamo una squadra.' })
      ).status,
    ).toBe(201);
    expect(
      (await t.http.patch(`/api/tickets/${ticket.id}`).set('Authorization', `Bearer ${tok.op}`).send({ status: 'waiting_citizen' })).status,
    ).toBe(200);
    await idle();
    await checkLive('waiting for the citizen');
    expect(
      (await t.http.patch(`/api/tickets/${ticket.id}`).set('Authorization', `Bearer ${tok.op}`).send({ status: 'resolved' })).status,
    ).toBe(200);
    await idle();
    await checkLive('resolved');
    expect(
      (await t.http.patch(`/api/tickets/${ticket.id}`).set('Authorization', `Bearer ${tok.sup}`).send({ status: 'open' })).status,
    ).toBe(200);
    await idle();
    await checkLive('reopened');

    // Moved to another group by the supervisor, and a batch of changes in one statement.
    const other = refs.find((r) => r !== ticket.reference)!;
    const moved = await ticketOf(other);
    expect(
      (await t.http.post(`/api/tickets/${moved.id}/transfer`).set('Authorization', `Bearer ${tok.sup}`).send({ groupId: bariOther }))
        .status,
    ).toBe(204);
    await idle();
    await checkLive('transferred');
    await t.ds.query(`UPDATE tickets SET status = 'closed', queue_state = 'done' WHERE comune_id = $1 AND status <> 'closed'`, [modugno]);
    await idle();
    await checkLive('closed in bulk');
    await t.ds.query(
      `UPDATE tickets SET status = 'open', queue_state = 'unrouted', group_id = NULL, waiting_since = now() WHERE comune_id = $1`,
      [modugno],
    );
    await idle();
    await checkLive('reopened in bulk, unrouted');
    const [gone] = await t.ds.query(`SELECT id FROM tickets WHERE comune_id = $1 ORDER BY id LIMIT 1`, [modugno]);
    await t.ds.query(`DELETE FROM tickets WHERE id = $1`, [gone.id]);
    await idle();
    await checkLive('deleted');

    // Rebuilding from the tickets gives the same counters as the ones kept incrementally.
    const before = await t.ds
      .query(`SELECT comune_id, group_id, sum(open)::int AS o, sum(waiting_citizen)::int AS w, sum(unassigned)::int AS u, sum(sla_running)::int AS s
      FROM analytics_live GROUP BY 1, 2 HAVING sum(open) <> 0 OR sum(waiting_citizen) <> 0 OR sum(unassigned) <> 0 OR sum(sla_running) <> 0 ORDER BY 1, 2`);
    await t.ds.query(`SELECT analytics_live_rebuild()`);
    const after = await t.ds
      .query(`SELECT comune_id, group_id, sum(open)::int AS o, sum(waiting_citizen)::int AS w, sum(unassigned)::int AS u, sum(sla_running)::int AS s
      FROM analytics_live GROUP BY 1, 2 HAVING sum(open) <> 0 OR sum(waiting_citizen) <> 0 OR sum(unassigned) <> 0 OR sum(sla_running) <> 0 ORDER BY 1, 2`);
    expect(after).toEqual(before);
    expect(before.length).toBeGreaterThan(0);
  });

  it('keeps open data and the map equal to a count of the tickets, also when a category changes', async () => {
    let rows = await countsMatch('as created');
    // Three street lamps in Bari on the app channel: a cell of its own; the single pothole is merged into "altro".
    const mine = rows.filter((r) => r.comune === 'Bari');
    expect(mine).toEqual(expect.arrayContaining([expect.objectContaining({ category: 'illuminazione', channel: 'app', tickets: 3 })]));
    expect(mine.some((r) => r.category === 'strade')).toBe(false);

    // One lamp becomes a pothole: illuminazione falls under 3 and both go to "altro".
    const [lamp] = await t.ds.query(`SELECT id FROM tickets WHERE comune_id = $1 AND category = 'illuminazione' ORDER BY id LIMIT 1`, [
      bari,
    ]);
    expect(
      (await t.http.patch(`/api/tickets/${lamp.id}`).set('Authorization', `Bearer ${tok.sup}`).send({ category: 'strade' })).status,
    ).toBe(200);
    rows = await countsMatch('after a category change');
    const [{ bariToday }] = await t.ds.query(`SELECT count(*)::int AS "bariToday" FROM tickets WHERE comune_id = $1`, [bari]);
    expect(rows.filter((r) => r.comune === 'Bari')).toEqual([
      expect.objectContaining({ category: 'altro', channel: 'altro', tickets: bariToday }),
    ]);
    expect((await get(`/api/analytics/map?category=strade`, 'mgr')).body.rows.reduce((s: number, x: any) => s + x.count, 0)).toBe(2);

    // The numbers are kept in analytics_counts, not in the wide rollups.
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM analytics_rollups WHERE dim IN ('area', 'category_channel')`);
    expect(n).toBe(0);
  });

  it('moves SLA figures with the clock, with no write in between: running, at risk, breached', async () => {
    // Bitonto (no other ticket) always open, with a 6-second first response target warned 3 seconds before.
    const [{ id: bitonto }] = await t.ds.query(`SELECT id FROM comuni WHERE slug = 'bitonto'`);
    const always = Object.fromEntries(['1', '2', '3', '4', '5', '6', '7'].map((d) => [d, [['00:00', '24:00']]]));
    expect(
      (
        await t.http
          .put(`/api/analytics/calendars/${bitonto}`)
          .set('Authorization', `Bearer ${tok.admin}`)
          .send({ openingHours: always, nationalHolidays: false, patronDay: null, closures: [] })
      ).status,
    ).toBe(200);
    const pol = await t.http
      .post(`/api/analytics/sla-policies`)
      .set('Authorization', `Bearer ${tok.admin}`)
      .send({ comuneId: bitonto, name: 'Veloce', priority: 'normal', firstResponseSecs: 6, warnBeforeSecs: 3 });
    expect(pol.status).toBe(201);
    const ref = await appMessage('bitonto', { text: 'Quando passa la raccolta?' });
    await idle();
    const { id } = await ticketOf(ref);
    const [m] = await t.ds.query(
      `SELECT extract(epoch FROM next_due_at) * 1000 AS due, next_due_kind FROM ticket_metrics WHERE ticket_id = $1`,
      [id],
    );
    expect(m.next_due_kind).toBe('first_response');
    const due = Number(m.due);
    const at = async (ms: number) => {
      const wait = ms - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    };
    const tile = async () => (await get(`/api/analytics/live?comuneId=${bitonto}`, 'admin')).body;

    const phases: Array<[string, number, { slaAtRisk: number; slaBreached: number }]> = [];
    for (const [label, when] of [
      ['running', due - 4500],
      ['at risk', due - 1500],
      ['breached', due + 1500],
    ] as const) {
      expect(Date.now()).toBeLessThan(when); // the machine kept up: each phase is read inside its window
      await at(when);
      const got = await tile();
      const want = await direct([bitonto]);
      expect({ label, slaAtRisk: got.slaAtRisk, slaBreached: got.slaBreached }).toEqual({
        label,
        slaAtRisk: want.slaAtRisk,
        slaBreached: want.slaBreached,
      });
      phases.push([label, when, got]);
      // The same for all comuni: the metropolitan tile moves with it.
      const metro = (await get('/api/analytics/live', 'admin')).body;
      const all = (await t.ds.query(`SELECT array_agg(id) AS ids FROM comuni`))[0].ids as number[];
      const wantAll = await direct(all);
      expect({ label, slaAtRisk: metro.slaAtRisk, slaBreached: metro.slaBreached }).toEqual({
        label,
        slaAtRisk: wantAll.slaAtRisk,
        slaBreached: wantAll.slaBreached,
      });
    }
    const [running, risk, breached] = phases.map((p) => p[2]);
    expect(risk.slaAtRisk).toBe(running.slaAtRisk + 1);
    expect(breached.slaBreached).toBe(running.slaBreached + 1);
    expect(breached.slaAtRisk).toBe(running.slaAtRisk);

    // Resolving stops the clocks: the breach leaves the live tile.
    expect((await t.http.patch(`/api/tickets/${id}`).set('Authorization', `Bearer ${tok.admin}`).send({ status: 'resolved' })).status).toBe(
      200,
    );
    await idle();
    await checkLive('resolved late');
    expect((await tile()).slaBreached).toBe(breached.slaBreached - 1);
  });
});
