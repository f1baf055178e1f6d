// Generates a metropolitan-scale data set for the analytics benchmark, straight in SQL:
// tickets, messages, a compact event log, the per-ticket metrics and measured samples, and the
// rollups built from them in one pass per dimension. Full size: 2,000,000 tickets and 10,000,000
// messages over 365 days across the 41 comuni (Bari ~30 %). `--quick`: 20,000 / 100,000.
//
//   npm run build && node bench/analytics/generate.mjs [--quick] [--db postgres://…/sportello_bench]
//
// The database is dropped and recreated. Business seconds of generated samples are drawn as a
// fraction of wall seconds (the metric definitions are tested elsewhere); what this data set is
// for is the size and shape of what the dashboard queries read.
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { loadPreflight } from './run.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
// Re-run only the rollup phase on an already generated data set (its scratch tables still present).
const rollupsOnly = args.includes('--rollups-only');
const dbUrl = args.includes('--db') ? args[args.indexOf('--db') + 1] : 'postgres://postgres@127.0.0.1:5432/sportello_bench';
const TICKETS = quick ? 20_000 : 2_000_000;
const MESSAGES_PER_TICKET = 5;
const DAYS = 365;
const GAMMA = 1.05;

const bucket = (col) => `CASE WHEN ${col} > 0 THEN ceil(ln(${col}) / ln(${GAMMA}) - 1e-9)::int + 1 ELSE 0 END`;
const log = (m) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

async function main() {
  if (!rollupsOnly) {
    const admin = new pg.Client({ connectionString: dbUrl.replace(/\/[^/]+$/, '/postgres') });
    await admin.connect();
    const name = new URL(dbUrl).pathname.slice(1);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    log(`database ${name} created; migrating and seeding the comuni and demo accounts`);
    try {
      execFileSync('node', ['dist/cli/seed.js', '--demo'], {
        stdio: 'inherit',
        env: {
          ...process.env,
          DATABASE_URL: dbUrl,
          DEMO_PASSWORD: process.env.DEMO_PASSWORD ?? 'bench-password',
          COMUNI_GEOJSON: process.env.COMUNI_GEOJSON ?? 'data/comuni-citta-metropolitana-bari.geojson',
        },
      });
    } catch (err) {
      process.exit(err.status ?? 1); // the seed printed its own line
    }
  }
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const q = async (label, sql, params) => {
    const t0 = Date.now();
    const r = await db.query(sql, params);
    log(`${label}: ${r.rowCount ?? ''} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return r;
  };
  await db.query(`SET maintenance_work_mem = '512MB'; SET work_mem = '256MB'; SET synchronous_commit = off`);
  // Bulk load: no per-row triggers (the dirty marks) nor FK checks; the data is consistent by construction.
  await db.query(`SET session_replication_role = replica`);
  // The CTEs below join on thousands of groups: hash joins, never nested loops over CTE scans.
  await db.query(`SET enable_nestloop = off`);

  if (!rollupsOnly) {
    await q(
      'operators',
      `
    INSERT INTO operators (comune_id, email, name, password_hash, role, capacity)
    SELECT c.id, format('bench-%s-%s@bench.invalid', c.id, i), format('Operatore %s %s', c.name, i),
           (SELECT password_hash FROM operators WHERE email = 'admin@metro.demo'), 'operator', 5
      FROM comuni c, generate_series(1, CASE WHEN c.istat_code = '072006' THEN 40 ELSE 6 END) i`,
    );
    await q(
      'operator groups',
      `
    INSERT INTO operator_groups (operator_id, group_id, comune_id)
    SELECT o.id, g.id, o.comune_id FROM operators o
      JOIN LATERAL (SELECT id FROM competence_groups WHERE comune_id = o.comune_id ORDER BY id OFFSET (o.id % 6) LIMIT 1) g ON true
     WHERE o.email LIKE 'bench-%'`,
    );
    await q(
      'lookup tables',
      `
    CREATE UNLOGGED TABLE bench_comuni AS
      SELECT row_number() OVER (ORDER BY id) - 1 AS idx, id, istat_code,
             (SELECT array_agg(g.id ORDER BY g.id) FROM competence_groups g WHERE g.comune_id = c.id) AS groups,
             (SELECT array_agg(o.id ORDER BY o.id) FROM operators o WHERE o.comune_id = c.id AND o.email LIKE 'bench-%') AS ops,
             ST_Y(ST_Centroid(boundary)) AS lat, ST_X(ST_Centroid(boundary)) AS lng
        FROM comuni c`,
    );
    const citizens = Math.ceil(TICKETS / 3);
    await q('citizens', `INSERT INTO citizens (display_name) SELECT 'Cittadino ' || i FROM generate_series(1, $1) i`, [citizens]);
    await q(
      'identities',
      `
    INSERT INTO citizen_identities (citizen_id, channel, address)
    SELECT id, (ARRAY['webchat','whatsapp','telegram','email','app'])[1 + id % 5], 'bench-' || id FROM citizens`,
    );

    // One row per ticket with every generated attribute and timing, then the real tables from it.
    await q(
      'ticket plan',
      `
    CREATE UNLOGGED TABLE bench_plan AS
    SELECT i AS n, c.id AS comune_id, c.groups[1 + (i % cardinality(c.groups))] AS group_id,
           c.ops[1 + ((i / 7) % cardinality(c.ops))] AS operator_id,
           ci.id AS identity_id, ci.citizen_id, ci.channel,
           (ARRAY['request','request','request','report','complaint'])[1 + i % 5] AS type,
           (ARRAY['anagrafe','tributi','rifiuti','illuminazione','strade','verde','servizi sociali','edilizia',NULL])[1 + (i / 3) % 9] AS category,
           (ARRAY['normal','normal','normal','normal','high','low','urgent'])[1 + (i / 11) % 7] AS priority,
           now() - (random() * $2 * interval '1 day') AS created_at,
           round(exp(random() * 11))::int + 10 AS frt_s,
           round(exp(random() * 12))::int + 60 AS nrt_s,
           round(exp(3 + random() * 11))::int + 300 AS res_s,
           random() < 0.97 AS resolved,
           CASE WHEN i % 5 = 3 THEN c.lat + (random() - 0.5) * 0.05 END AS lat,
           CASE WHEN i % 5 = 3 THEN c.lng + (random() - 0.5) * 0.05 END AS lng
      FROM generate_series(1, $1) i
      JOIN bench_comuni c ON c.idx = CASE WHEN i % 10 < 3 THEN (SELECT idx FROM bench_comuni WHERE istat_code = '072006') ELSE (i::bigint * 7919) % 41 END
      JOIN citizen_identities ci ON ci.id = 1 + (i % $3)`,
      [TICKETS, DAYS, citizens],
    );
    await q(
      'tickets',
      `
    INSERT INTO tickets (comune_id, reference, type, category, priority, status, queue_state, subject, channel, citizen_id, citizen_identity_id,
                         group_id, assignee_id, created_at, updated_at, first_response_at, resolved_at, last_message_at, location, waiting_since)
    OVERRIDING SYSTEM VALUE
    SELECT comune_id, 'BN-' || n, type, category, priority, CASE WHEN resolved THEN 'resolved' ELSE 'open' END,
           CASE WHEN resolved THEN 'done' WHEN n % 4 = 0 THEN 'queued' ELSE 'assigned' END, 'Richiesta ' || n, channel, citizen_id, identity_id,
           group_id, CASE WHEN n % 4 = 0 AND NOT resolved THEN NULL ELSE operator_id END, created_at, created_at, created_at + frt_s * interval '1 second',
           CASE WHEN resolved THEN created_at + res_s * interval '1 second' END, created_at + frt_s * interval '1 second',
           CASE WHEN lat IS NOT NULL THEN ST_SetSRID(ST_MakePoint(lng, lat), 4326)::geography END,
           CASE WHEN n % 4 = 0 AND NOT resolved THEN created_at END
      FROM bench_plan ORDER BY n`,
    );
    // What each comune knows of its citizens (row-level security shows a comune only these identities).
    await q(
      'identity links',
      `
    INSERT INTO citizen_identity_comuni (comune_id, identity_id)
    SELECT DISTINCT comune_id, identity_id FROM bench_plan ON CONFLICT DO NOTHING`,
    );
    await q('plan ticket ids', `ALTER TABLE bench_plan ADD COLUMN ticket_id bigint`);
    await q('plan ticket ids', `UPDATE bench_plan p SET ticket_id = t.id FROM tickets t WHERE t.reference = 'BN-' || p.n`);
    await q(
      'messages',
      `
    INSERT INTO messages (ticket_id, comune_id, direction, author_type, author_operator_id, text, channel, delivery_status, created_at)
    SELECT p.ticket_id, p.comune_id, CASE WHEN k % 2 = 1 THEN 'inbound' ELSE 'outbound' END, CASE WHEN k % 2 = 1 THEN 'citizen' ELSE 'operator' END,
           CASE WHEN k % 2 = 0 THEN p.operator_id END, 'Messaggio ' || k, p.channel, CASE WHEN k % 2 = 1 THEN 'received' ELSE 'delivered' END,
           p.created_at + CASE WHEN k = 1 THEN interval '0' ELSE (p.frt_s + (k - 2) * p.nrt_s) * interval '1 second' END
      FROM bench_plan p, generate_series(1, $1) k`,
      [MESSAGES_PER_TICKET],
    );
    await q(
      'events',
      `
    INSERT INTO ticket_events (ticket_id, comune_id, type, actor_type, actor_operator_id, data, created_at)
    SELECT ticket_id, comune_id, 'ticket.created', 'citizen', NULL, jsonb_build_object('channel', channel, 'type', type), created_at FROM bench_plan
    UNION ALL
    SELECT ticket_id, comune_id, 'status.changed', 'operator', operator_id, '{"from":"open","to":"resolved"}', created_at + res_s * interval '1 second'
      FROM bench_plan WHERE resolved`,
    );

    // Samples: a first response, one next response (messages 3 → 4) and the resolution of resolved tickets.
    await q(
      'samples',
      `
    INSERT INTO analytics_samples (ticket_id, metric, seq, comune_id, day, started_at, ended_at, wall_s, business_s, breached,
                                   operator_id, group_id, channel, type, category, priority)
    SELECT ticket_id, m.metric, 1, comune_id, ((m.started + m.wall * interval '1 second') AT TIME ZONE 'Europe/Rome')::date, m.started,
           m.started + m.wall * interval '1 second', m.wall, (m.wall * (0.15 + 0.2 * ((ticket_id % 7) / 7.0)))::int,
           (m.wall * (0.15 + 0.2 * ((ticket_id % 7) / 7.0))) > m.target, operator_id, group_id, channel, type, category, priority
      FROM bench_plan p CROSS JOIN LATERAL (VALUES
        ('first_response', p.created_at, p.frt_s, 4 * 3600, true),
        ('next_response', p.created_at + (p.frt_s + p.nrt_s) * interval '1 second', p.nrt_s, 8 * 3600, true),
        ('resolution', p.created_at, p.res_s, 40 * 3600, p.resolved)) m(metric, started, wall, target, present)
     WHERE m.present`,
    );
    await q(
      'ticket metrics',
      `
    INSERT INTO ticket_metrics (ticket_id, comune_id, first_response_wall_s, resolution_wall_s, contrib, next_due_at, next_due_kind)
    SELECT p.ticket_id, p.comune_id, p.frt_s, CASE WHEN p.resolved THEN p.res_s END,
           jsonb_build_object(
             'dims', jsonb_build_object('group', coalesce(t.group_id::text, '-'), 'operator', coalesce(t.assignee_id::text, '-'), 'channel', p.channel,
                                        'type', p.type, 'category', coalesce(p.category, '-'), 'priority', p.priority,
                                        'area', CASE WHEN p.lat IS NOT NULL THEN floor(p.lat * 100)::int || ':' || floor(p.lng * 100)::int || ':' || coalesce(p.category, '-') END),
             'created', jsonb_build_object('day', (p.created_at AT TIME ZONE 'Europe/Rome')::date, 'hour', extract(hour FROM p.created_at AT TIME ZONE 'Europe/Rome')::int),
             'messagesIn', jsonb_build_object((p.created_at AT TIME ZONE 'Europe/Rome')::date::text, 3),
             'reopened', '{}'::jsonb, 'csat', NULL),
           CASE WHEN NOT p.resolved THEN p.created_at + interval '3 days' END, CASE WHEN NOT p.resolved THEN 'resolution' END
      FROM bench_plan p JOIN tickets t ON t.id = p.ticket_id`,
    );
  }
  await q('clear rollups', `TRUNCATE analytics_rollups, analytics_counts`);
  await db.query(`DROP TABLE IF EXISTS bench_vol`);
  // Rollups, daily: samples per metric and dimension, then the volumes on top.
  const dims = {
    all: `'*'`,
    group: `coalesce(group_id::text, '-')`,
    operator: `coalesce(operator_id::text, '-')`,
    channel: 'channel',
    type: 'type',
    category: `coalesce(category, '-')`,
    priority: 'priority',
  };
  const periods = [
    ['day', 'day'],
    ['month', `date_trunc('month', day)::date`],
  ];
  for (const [period, dayExpr] of periods)
    for (const [metric, p] of [
      ['first_response', 'frt'],
      ['next_response', 'nrt'],
      ['resolution', 'res'],
    ]) {
      for (const [dim, key] of Object.entries(dims)) {
        await q(
          `rollup ${period} ${p} ${dim}`,
          `
        WITH s AS (SELECT comune_id, ${dayExpr} AS day, ${key} AS key, wall_s, business_s, breached, ${bucket('wall_s')} AS bw, ${bucket('business_s')} AS bb
                     FROM analytics_samples WHERE metric = '${metric}'),
             agg AS (SELECT comune_id, day, key, count(*)::int AS n, sum(wall_s) AS ws, sum(business_s) AS bs, count(*) FILTER (WHERE breached)::int AS br
                       FROM s GROUP BY 1, 2, 3),
             hw AS (SELECT comune_id, day, key, hist_from_jsonb(jsonb_object_agg(bw, c)) AS h FROM (SELECT comune_id, day, key, bw, count(*)::int AS c FROM s GROUP BY 1, 2, 3, 4) x GROUP BY 1, 2, 3),
             hb AS (SELECT comune_id, day, key, hist_from_jsonb(jsonb_object_agg(bb, c)) AS h FROM (SELECT comune_id, day, key, bb, count(*)::int AS c FROM s GROUP BY 1, 2, 3, 4) x GROUP BY 1, 2, 3)
        INSERT INTO analytics_rollups AS r (period, comune_id, dim, key, period_start, ${p}_n, ${p}_wall_sum, ${p}_bus_sum, ${p}_breached, ${p}_hist_wall, ${p}_hist_bus)
        SELECT '${period}', a.comune_id, '${dim}', a.key, a.day, a.n, a.ws, a.bs, a.br, hw.h, hb.h
          FROM agg a JOIN hw USING (comune_id, day, key) JOIN hb USING (comune_id, day, key)
        ON CONFLICT (period, comune_id, dim, period_start, key) DO UPDATE SET
          ${p}_n = EXCLUDED.${p}_n, ${p}_wall_sum = EXCLUDED.${p}_wall_sum, ${p}_bus_sum = EXCLUDED.${p}_bus_sum,
          ${p}_breached = EXCLUDED.${p}_breached, ${p}_hist_wall = EXCLUDED.${p}_hist_wall, ${p}_hist_bus = EXCLUDED.${p}_hist_bus`,
        );
      }
    }
  const vdims = {
    all: `'*'`,
    group: `coalesce(t.group_id::text, '-')`,
    operator: `coalesce(t.assignee_id::text, '-')`,
    channel: 'p.channel',
    type: 'p.type',
    category: `coalesce(p.category, '-')`,
    priority: 'p.priority',
    area: `CASE WHEN p.lat IS NOT NULL THEN floor(p.lat * 100)::int || ':' || floor(p.lng * 100)::int || ':' || coalesce(p.category, '-') END`,
    category_channel: `coalesce(p.category, '-') || '|' || p.channel`,
  };
  await q(
    'volume base',
    `CREATE UNLOGGED TABLE bench_vol AS
    SELECT p.*, t.assignee_id, (p.created_at AT TIME ZONE 'Europe/Rome')::date AS day, extract(hour FROM p.created_at AT TIME ZONE 'Europe/Rome')::int AS hour
      FROM bench_plan p JOIN tickets t ON t.id = p.ticket_id`,
  );
  // The count-only dimensions (map cells, open data's category × channel): one key → count map per comune and day or month.
  const countDims = new Set(['area', 'category_channel']);
  for (const [period, dayExpr] of periods)
    for (const [dim, key] of Object.entries(vdims)) {
      const k = key.replace(/t\.group_id/g, 'p.group_id').replace(/t\.assignee_id/g, 'p.assignee_id');
      if (countDims.has(dim)) {
        await q(
          `counts ${period} ${dim}`,
          `
        INSERT INTO analytics_counts (dim, period, comune_id, period_start, counts)
        SELECT '${dim}', '${period}', comune_id, day, jsonb_object_agg(key, n) FROM (
          SELECT comune_id, ${dayExpr} AS day, ${k} AS key, count(*)::int AS n FROM bench_vol p WHERE ${k} IS NOT NULL GROUP BY 1, 2, 3) x
         GROUP BY comune_id, day ORDER BY comune_id, day`,
        );
        continue;
      }
      await q(
        `rollup ${period} volume ${dim}`,
        `
      WITH v AS (SELECT comune_id, ${dayExpr} AS day, ${k} AS key, hour, resolved FROM bench_vol p),
           h AS (SELECT comune_id, day, key, hour, count(*)::int AS c FROM v WHERE key IS NOT NULL GROUP BY 1, 2, 3, 4),
           agg AS (SELECT comune_id, day, key, sum(c)::int AS n, jsonb_object_agg(hour, c) AS hours FROM h GROUP BY 1, 2, 3)
      INSERT INTO analytics_rollups AS r (period, comune_id, dim, key, period_start, created, created_by_hour, messages_in)
      SELECT '${period}', comune_id, '${dim}', key, day, n,
             ARRAY(SELECT coalesce((hours ->> i::text)::int, 0) FROM generate_series(0, 23) i), n * 3
        FROM agg
      ON CONFLICT (period, comune_id, dim, period_start, key) DO UPDATE SET
        created = EXCLUDED.created, created_by_hour = EXCLUDED.created_by_hour, messages_in = EXCLUDED.messages_in`,
      );
    }
  await db.query(`SET session_replication_role = origin`);
  // Triggers were off during the load: count what is open now for the live tiles.
  await q('live counters', `SELECT analytics_live_rebuild()`);
  await q('drop scratch tables', `DROP TABLE bench_plan, bench_vol, bench_comuni`);
  await q('analyze', `ANALYZE`);
  const sizes = await db.query(`SELECT (SELECT count(*) FROM tickets) AS tickets, (SELECT count(*) FROM messages) AS messages,
      (SELECT count(*) FROM analytics_samples) AS samples, (SELECT count(*) FROM analytics_rollups) AS rollups,
      pg_size_pretty(pg_database_size(current_database())) AS size`);
  log(`done: ${JSON.stringify(sizes.rows[0])}`);
  await db.end();
}

// Checked first: the server answers with PostGIS (the database itself is created here), then one
// line for anything that stops the run, never a stack trace.
try {
  const { checkPostgresOwner, runCommand } = await loadPreflight();
  await runCommand(
    'bench/analytics/generate.mjs',
    async () => {
      await checkPostgresOwner({ url: dbUrl, variable: 'the --db option', createsDatabase: true });
      await main();
    },
    { postgres: [{ url: dbUrl, variable: 'the --db option' }] },
  );
} catch (err) {
  process.stderr.write(`Sportello: ${err.message}\n`); // no build yet
  process.exit(err.exitCode ?? 69);
}
