import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Response-time analytics and SLAs: each comune's business calendar (opening slots, holidays,
 * patron saint's day) and SLA policies; per-ticket metrics and measured samples recomputed from
 * the event log; additive rollups per day and per month that every dashboard query reads; the
 * queue of tickets whose metrics must be recomputed (filled by a trigger on the event log, so no
 * code path that writes events can forget it); CSAT surveys.
 */
export class Analytics1764500000000 implements MigrationInterface {
  name = 'Analytics1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE comune_calendars (
        comune_id          integer PRIMARY KEY REFERENCES comuni(id) ON DELETE CASCADE,
        timezone           text NOT NULL DEFAULT 'Europe/Rome',
        -- ISO weekday "1".."7" → [["HH:MM","HH:MM"], …]; days absent are closed.
        opening_hours      jsonb NOT NULL,
        national_holidays  boolean NOT NULL DEFAULT true,
        patron_day         text CHECK (patron_day ~ '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'),
        patron_saint       text,
        closures           date[] NOT NULL DEFAULT '{}',
        updated_at         timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE sla_policies (
        id                    serial PRIMARY KEY,
        comune_id             integer NOT NULL REFERENCES comuni(id) ON DELETE CASCADE,
        name                  text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
        -- NULL matches any value; the most specific matching policy applies.
        group_id              integer,
        priority              text CHECK (priority IN ('low','normal','high','urgent')),
        ticket_type           text,
        first_response_secs   integer CHECK (first_response_secs > 0),
        next_response_secs    integer CHECK (next_response_secs > 0),
        resolution_secs       integer CHECK (resolution_secs > 0),
        -- A clock this close to its due time (wall-clock seconds) is "at risk" and warned about.
        warn_before_secs      integer NOT NULL DEFAULT 1800 CHECK (warn_before_secs >= 0),
        created_at            timestamptz NOT NULL DEFAULT now(),
        updated_at            timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (group_id, comune_id) REFERENCES competence_groups(id, comune_id) ON DELETE CASCADE,
        UNIQUE NULLS NOT DISTINCT (comune_id, group_id, priority, ticket_type)
      )`);

    // Defaults for every comune, now and when one is onboarded: URP hours, Italian holidays, a
    // comune-wide SLA and a stricter one for urgent tickets. Patron saints' days are seeded only
    // where known for certain (Bari, San Nicola, 8 May); the others are set by each comune.
    await q.query(`
      CREATE FUNCTION comuni_analytics_defaults() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO comune_calendars (comune_id, opening_hours, patron_day, patron_saint)
        VALUES (NEW.id,
          '{"1":[["09:00","13:00"]],"2":[["09:00","13:00"],["15:00","17:00"]],"3":[["09:00","13:00"]],"4":[["09:00","13:00"],["15:00","17:00"]],"5":[["09:00","13:00"]]}',
          CASE NEW.istat_code WHEN '072006' THEN '05-08' END,
          CASE NEW.istat_code WHEN '072006' THEN 'San Nicola' END)
        ON CONFLICT (comune_id) DO NOTHING;
        INSERT INTO sla_policies (comune_id, name, first_response_secs, next_response_secs, resolution_secs)
        VALUES (NEW.id, 'Standard', 4 * 3600, 8 * 3600, 40 * 3600) ON CONFLICT DO NOTHING;
        INSERT INTO sla_policies (comune_id, name, priority, first_response_secs, next_response_secs, resolution_secs, warn_before_secs)
        VALUES (NEW.id, 'Urgente', 'urgent', 3600, 2 * 3600, 8 * 3600, 900) ON CONFLICT DO NOTHING;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER comuni_analytics_defaults AFTER INSERT ON comuni FOR EACH ROW EXECUTE FUNCTION comuni_analytics_defaults()`,
    );
    // Comuni that exist already get the same defaults (a no-op update fires nothing; insert directly).
    await q.query(`
      INSERT INTO comune_calendars (comune_id, opening_hours, patron_day, patron_saint)
      SELECT id, '{"1":[["09:00","13:00"]],"2":[["09:00","13:00"],["15:00","17:00"]],"3":[["09:00","13:00"]],"4":[["09:00","13:00"],["15:00","17:00"]],"5":[["09:00","13:00"]]}',
             CASE istat_code WHEN '072006' THEN '05-08' END, CASE istat_code WHEN '072006' THEN 'San Nicola' END
        FROM comuni ON CONFLICT DO NOTHING`);
    await q.query(`INSERT INTO sla_policies (comune_id, name, first_response_secs, next_response_secs, resolution_secs)
      SELECT id, 'Standard', 4 * 3600, 8 * 3600, 40 * 3600 FROM comuni ON CONFLICT DO NOTHING`);
    await q.query(`INSERT INTO sla_policies (comune_id, name, priority, first_response_secs, next_response_secs, resolution_secs, warn_before_secs)
      SELECT id, 'Urgente', 'urgent', 3600, 2 * 3600, 8 * 3600, 900 FROM comuni ON CONFLICT DO NOTHING`);

    await q.query(`
      CREATE TABLE ticket_metrics (
        ticket_id                  bigint PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
        comune_id                  integer NOT NULL,
        sla_policy_id              integer REFERENCES sla_policies(id) ON DELETE SET NULL,
        first_response_wall_s      integer,
        first_response_business_s  integer,
        resolution_wall_s          integer,
        resolution_business_s      integer,
        reopen_count               integer NOT NULL DEFAULT 0,
        breaches                   integer NOT NULL DEFAULT 0,
        first_response_due_at      timestamptz,
        next_response_due_at       timestamptz,
        resolution_due_at          timestamptz,
        paused                     boolean NOT NULL DEFAULT false,
        -- The earliest due time of a running clock, and which one: what the SLA monitor watches.
        next_due_at                timestamptz,
        next_due_kind              text,
        warned_due_at              timestamptz,
        breached_due_at            timestamptz,
        -- What this ticket added to the rollups besides its samples, to take it back on recompute.
        contrib                    jsonb NOT NULL,
        updated_at                 timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ticket_metrics_due ON ticket_metrics (next_due_at) WHERE next_due_at IS NOT NULL`);
    // Live "SLA at risk / breached" tiles: answered from the index alone.
    await q.query(
      `CREATE INDEX ticket_metrics_comune_due ON ticket_metrics (comune_id, next_due_at) INCLUDE (sla_policy_id) WHERE next_due_at IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE analytics_samples (
        ticket_id    bigint NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        metric       text NOT NULL CHECK (metric IN ('first_response','next_response','resolution')),
        seq          smallint NOT NULL,
        comune_id    integer NOT NULL,
        day          date NOT NULL,
        started_at   timestamptz NOT NULL,
        ended_at     timestamptz NOT NULL,
        wall_s       integer NOT NULL,
        business_s   integer NOT NULL,
        breached     boolean NOT NULL,
        operator_id  integer,
        group_id     integer,
        channel      text NOT NULL,
        type         text NOT NULL,
        category     text,
        priority     text NOT NULL,
        PRIMARY KEY (ticket_id, metric, seq)
      )`);
    // Drill-down: the tickets behind a number of one comune, metric and period.
    await q.query(`CREATE INDEX analytics_samples_drill ON analytics_samples (comune_id, metric, day, ticket_id)`);

    await q.query(`
      CREATE TABLE analytics_rollups (
        period        text NOT NULL CHECK (period IN ('day','month')),
        comune_id     integer NOT NULL,
        dim           text NOT NULL,
        key           text NOT NULL,
        period_start  date NOT NULL,
        created          integer NOT NULL DEFAULT 0,
        created_by_hour  integer[] NOT NULL DEFAULT array_fill(0, ARRAY[24]),
        messages_in      integer NOT NULL DEFAULT 0,
        reopened         integer NOT NULL DEFAULT 0,
        csat_n           integer NOT NULL DEFAULT 0,
        csat_sum         integer NOT NULL DEFAULT 0,
        csat_by_rating   integer[] NOT NULL DEFAULT array_fill(0, ARRAY[5]),
        frt_n integer NOT NULL DEFAULT 0, frt_wall_sum bigint NOT NULL DEFAULT 0, frt_bus_sum bigint NOT NULL DEFAULT 0,
        frt_breached integer NOT NULL DEFAULT 0, frt_hist_wall jsonb NOT NULL DEFAULT '{}', frt_hist_bus jsonb NOT NULL DEFAULT '{}',
        nrt_n integer NOT NULL DEFAULT 0, nrt_wall_sum bigint NOT NULL DEFAULT 0, nrt_bus_sum bigint NOT NULL DEFAULT 0,
        nrt_breached integer NOT NULL DEFAULT 0, nrt_hist_wall jsonb NOT NULL DEFAULT '{}', nrt_hist_bus jsonb NOT NULL DEFAULT '{}',
        res_n integer NOT NULL DEFAULT 0, res_wall_sum bigint NOT NULL DEFAULT 0, res_bus_sum bigint NOT NULL DEFAULT 0,
        res_breached integer NOT NULL DEFAULT 0, res_hist_wall jsonb NOT NULL DEFAULT '{}', res_hist_bus jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (period, comune_id, dim, period_start, key)
      )`);
    // Open data and the map read only new-ticket counts of many small rows: an index-only scan.
    await q.query(`CREATE INDEX analytics_rollups_counts ON analytics_rollups (dim, period, period_start) INCLUDE (comune_id, key, created)
      WHERE dim IN ('category_channel', 'area')`);
    // Adding histograms and counters is what keeps the rollups incremental.
    await q.query(`
      CREATE FUNCTION hist_add(a jsonb, b jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(jsonb_object_agg(k, n), '{}'::jsonb) FROM (
          SELECT k, sum(v::int) AS n FROM (SELECT * FROM jsonb_each_text(a) UNION ALL SELECT * FROM jsonb_each_text(b)) s(k, v)
           GROUP BY k) t WHERE n <> 0 $$`);
    await q.query(`
      CREATE FUNCTION int_array_add(a integer[], b integer[]) RETURNS integer[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT array_agg(coalesce(a[i], 0) + coalesce(b[i], 0) ORDER BY i)
          FROM generate_series(1, greatest(cardinality(a), cardinality(b))) i $$`);

    await q.query(`
      CREATE TABLE analytics_dirty (
        -- Append-only marks (never a conflicting upsert): a transaction writing an event never
        -- waits for the recompute worker, and a mark added during a recompute is a later row.
        id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        ticket_id  bigint NOT NULL,
        comune_id  integer NOT NULL,
        queued_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE FUNCTION ticket_events_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO analytics_dirty (ticket_id, comune_id) VALUES (NEW.ticket_id, NEW.comune_id);
        PERFORM pg_notify('analytics_dirty', '');
        RETURN NULL;
      END $$`);
    await q.query(
      `CREATE TRIGGER ticket_events_mark_dirty AFTER INSERT ON ticket_events FOR EACH ROW EXECUTE FUNCTION ticket_events_mark_dirty()`,
    );

    await q.query(`
      CREATE TABLE csat_surveys (
        ticket_id      bigint PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
        comune_id      integer NOT NULL,
        message_id     bigint REFERENCES messages(id) ON DELETE SET NULL,
        requested_at   timestamptz NOT NULL DEFAULT now(),
        answered_at    timestamptz,
        rating         smallint CHECK (rating BETWEEN 1 AND 5),
        comment        text CHECK (length(comment) <= 1000),
        group_id       integer,
        operator_id    integer
      )`);
    await q.query(`CREATE INDEX csat_surveys_comune ON csat_surveys (comune_id, answered_at) WHERE answered_at IS NOT NULL`);

    // Live tiles: open and unassigned tickets of a comune without walking its history.
    await q.query(`CREATE INDEX tickets_open_backlog ON tickets (comune_id, queue_state, waiting_since) INCLUDE (status, group_id)
      WHERE status IN ('new','open','waiting_citizen')`);
    // Drill-down from a volume to the tickets created in a period.
    await q.query(`CREATE INDEX tickets_comune_created ON tickets (comune_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS tickets_comune_created`);
    await q.query(`DROP INDEX IF EXISTS tickets_open_backlog`);
    await q.query(`DROP TRIGGER IF EXISTS ticket_events_mark_dirty ON ticket_events`);
    await q.query(`DROP FUNCTION IF EXISTS ticket_events_mark_dirty`);
    await q.query(`DROP TRIGGER IF EXISTS comuni_analytics_defaults ON comuni`);
    await q.query(`DROP FUNCTION IF EXISTS comuni_analytics_defaults`);
    for (const t of [
      'csat_surveys',
      'analytics_dirty',
      'analytics_rollups',
      'analytics_samples',
      'ticket_metrics',
      'sla_policies',
      'comune_calendars',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
    await q.query(`DROP FUNCTION IF EXISTS hist_add`);
    await q.query(`DROP FUNCTION IF EXISTS int_array_add`);
  }
}
