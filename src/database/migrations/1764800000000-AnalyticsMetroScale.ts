import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Ticket states counted as open on the live tiles (the same as the backlog). */
const OPEN = `('new','open','waiting_citizen')`;
/** Queue states of an open ticket that nobody has taken yet. */
const UNASSIGNED = `('unrouted','queued','offered')`;

/**
 * The metropolitan admin's dashboard at the scale of 41 comuni:
 *
 * - `analytics_counts`: the count-only dimensions of new tickets (category × channel for the open
 *   data export, ~1 km area cells for the map) move out of the wide `analytics_rollups` into a
 *   narrow table keyed for "these comuni, these days". Existing rows are moved, not recomputed.
 * - `analytics_live`: what the live tiles count now (open, waiting for the citizen, unassigned,
 *   running SLA clocks) per comune and group, kept by triggers on `tickets` and `ticket_metrics`
 *   in the same transaction as the change. Triggers only append delta rows (no row is updated
 *   in place, so two transactions never wait for each other nor deadlock on a counter);
 *   `analytics_live_compact()` folds them into one row per comune and group from time to time.
 *   What depends on the clock is derived at read time: the oldest wait from the first entries of
 *   `tickets_open_backlog` per comune, "breached" as running clocks minus those still due after
 *   now, "at risk" from those same rows (`ticket_metrics_comune_due`, due after now only).
 */
export class AnalyticsMetroScale1764800000000 implements MigrationInterface {
  name = 'AnalyticsMetroScale1764800000000';

  async up(q: QueryRunner): Promise<void> {
    // Narrow rows, updated in place (created += n) without touching the key: HOT updates keep
    // them on their page, and a day's rows stay together in the heap.
    await q.query(`
      CREATE TABLE analytics_counts (
        dim           text NOT NULL CHECK (dim IN ('area', 'category_channel')),
        period        text NOT NULL CHECK (period IN ('day', 'month')),
        comune_id     integer NOT NULL,
        period_start  date NOT NULL,
        key           text NOT NULL,
        created       integer NOT NULL DEFAULT 0,
        PRIMARY KEY (dim, period, comune_id, period_start, key)
      ) WITH (fillfactor = 80)`);
    await q.query(`
      INSERT INTO analytics_counts (dim, period, comune_id, period_start, key, created)
      SELECT dim, period, comune_id, period_start, key, created FROM analytics_rollups WHERE dim IN ('area', 'category_channel')
       ORDER BY dim, period, comune_id, period_start, key`);
    await q.query(`DELETE FROM analytics_rollups WHERE dim IN ('area', 'category_channel')`);
    await q.query(`DROP INDEX IF EXISTS analytics_rollups_counts`);

    await q.query(`
      CREATE TABLE analytics_live (
        id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        comune_id        integer NOT NULL,
        -- The ticket's competence group (NULL: not routed yet); SLA clock rows carry none.
        group_id         integer,
        open             integer NOT NULL DEFAULT 0,
        waiting_citizen  integer NOT NULL DEFAULT 0,
        unassigned       integer NOT NULL DEFAULT 0,
        sla_running      integer NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE INDEX analytics_live_comune ON analytics_live (comune_id, group_id)`);

    // One delta row per change of what a ticket counts for: −old +new, or one net row when both
    // fall on the same comune and group (nothing when they cancel out, e.g. new → open).
    await q.query(`
      CREATE FUNCTION tickets_live_delta() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        o_open int := 0; o_wait int := 0; o_una int := 0;
        n_open int := 0; n_wait int := 0; n_una int := 0;
      BEGIN
        IF TG_OP <> 'INSERT' AND OLD.status IN ${OPEN} THEN
          o_open := 1; o_wait := (OLD.status = 'waiting_citizen')::int; o_una := (OLD.queue_state IN ${UNASSIGNED})::int;
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.status IN ${OPEN} THEN
          n_open := 1; n_wait := (NEW.status = 'waiting_citizen')::int; n_una := (NEW.queue_state IN ${UNASSIGNED})::int;
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.comune_id = NEW.comune_id AND OLD.group_id IS NOT DISTINCT FROM NEW.group_id THEN
          IF (n_open, n_wait, n_una) <> (o_open, o_wait, o_una) THEN
            INSERT INTO analytics_live (comune_id, group_id, open, waiting_citizen, unassigned)
            VALUES (NEW.comune_id, NEW.group_id, n_open - o_open, n_wait - o_wait, n_una - o_una);
          END IF;
          RETURN NULL;
        END IF;
        IF o_open = 1 THEN
          INSERT INTO analytics_live (comune_id, group_id, open, waiting_citizen, unassigned) VALUES (OLD.comune_id, OLD.group_id, -1, -o_wait, -o_una);
        END IF;
        IF n_open = 1 THEN
          INSERT INTO analytics_live (comune_id, group_id, open, waiting_citizen, unassigned) VALUES (NEW.comune_id, NEW.group_id, 1, n_wait, n_una);
        END IF;
        RETURN NULL;
      END $$`);
    // WHEN is checked without entering the function: the many updates that touch none of these
    // columns (last message, assignee, …) cost nothing.
    await q.query(`CREATE TRIGGER tickets_live_insert AFTER INSERT ON tickets FOR EACH ROW
      WHEN (NEW.status IN ${OPEN}) EXECUTE FUNCTION tickets_live_delta()`);
    await q.query(`CREATE TRIGGER tickets_live_update AFTER UPDATE OF status, queue_state, group_id, comune_id ON tickets FOR EACH ROW
      WHEN ((OLD.status, OLD.queue_state, OLD.group_id, OLD.comune_id) IS DISTINCT FROM (NEW.status, NEW.queue_state, NEW.group_id, NEW.comune_id))
      EXECUTE FUNCTION tickets_live_delta()`);
    await q.query(`CREATE TRIGGER tickets_live_delete AFTER DELETE ON tickets FOR EACH ROW
      WHEN (OLD.status IN ${OPEN}) EXECUTE FUNCTION tickets_live_delta()`);

    // A running SLA clock is a ticket_metrics row with a due time.
    await q.query(`
      CREATE FUNCTION ticket_metrics_live_delta() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' AND OLD.next_due_at IS NOT NULL THEN
          INSERT INTO analytics_live (comune_id, sla_running) VALUES (OLD.comune_id, -1);
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.next_due_at IS NOT NULL THEN
          INSERT INTO analytics_live (comune_id, sla_running) VALUES (NEW.comune_id, 1);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER ticket_metrics_live_insert AFTER INSERT ON ticket_metrics FOR EACH ROW
      WHEN (NEW.next_due_at IS NOT NULL) EXECUTE FUNCTION ticket_metrics_live_delta()`);
    await q.query(`CREATE TRIGGER ticket_metrics_live_update AFTER UPDATE OF next_due_at, comune_id ON ticket_metrics FOR EACH ROW
      WHEN ((OLD.next_due_at IS NULL) IS DISTINCT FROM (NEW.next_due_at IS NULL) OR OLD.comune_id IS DISTINCT FROM NEW.comune_id)
      EXECUTE FUNCTION ticket_metrics_live_delta()`);
    await q.query(`CREATE TRIGGER ticket_metrics_live_delete AFTER DELETE ON ticket_metrics FOR EACH ROW
      WHEN (OLD.next_due_at IS NOT NULL) EXECUTE FUNCTION ticket_metrics_live_delta()`);

    // Folds the delta rows of every comune that has some into one row per comune and group. The
    // DELETE … RETURNING and the INSERT are one statement (one snapshot): a delta committed
    // meanwhile is not seen, so it stays for the next run; readers see either side, never both.
    await q.query(`
      CREATE FUNCTION analytics_live_compact() RETURNS integer LANGUAGE plpgsql AS $$
      DECLARE n integer;
      BEGIN
        IF NOT pg_try_advisory_xact_lock(7303, 0) THEN RETURN 0; END IF;
        WITH pending AS (SELECT DISTINCT comune_id FROM analytics_live GROUP BY comune_id, group_id HAVING count(*) > 1),
             gone AS (DELETE FROM analytics_live l USING pending p WHERE l.comune_id = p.comune_id
                      RETURNING l.comune_id, l.group_id, l.open, l.waiting_citizen, l.unassigned, l.sla_running)
        INSERT INTO analytics_live (comune_id, group_id, open, waiting_citizen, unassigned, sla_running)
        SELECT comune_id, group_id, sum(open), sum(waiting_citizen), sum(unassigned), sum(sla_running) FROM gone
         GROUP BY comune_id, group_id
        HAVING sum(open) <> 0 OR sum(waiting_citizen) <> 0 OR sum(unassigned) <> 0 OR sum(sla_running) <> 0;
        GET DIAGNOSTICS n = ROW_COUNT;
        RETURN n;
      END $$`);
    // Recounts from the tickets (after a bulk load that bypassed triggers, or to repair). The
    // delete (a data-modifying WITH always runs to completion) and the recount share one
    // snapshot; changes committed later keep their deltas.
    await q.query(`
      CREATE FUNCTION analytics_live_rebuild() RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(7303, 0);
        WITH gone AS (DELETE FROM analytics_live RETURNING 1)
        INSERT INTO analytics_live (comune_id, group_id, open, waiting_citizen, unassigned, sla_running)
        SELECT comune_id, group_id, count(*), count(*) FILTER (WHERE status = 'waiting_citizen'),
               count(*) FILTER (WHERE queue_state IN ${UNASSIGNED}), 0
          FROM tickets WHERE status IN ${OPEN}
         GROUP BY comune_id, group_id
        UNION ALL
        SELECT comune_id, NULL, 0, 0, 0, count(*) FROM ticket_metrics WHERE next_due_at IS NOT NULL GROUP BY comune_id;
      END $$`);
    await q.query(`SELECT analytics_live_rebuild()`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['tickets_live_insert', 'tickets_live_update', 'tickets_live_delete'])
      await q.query(`DROP TRIGGER IF EXISTS ${t} ON tickets`);
    for (const t of ['ticket_metrics_live_insert', 'ticket_metrics_live_update', 'ticket_metrics_live_delete']) {
      await q.query(`DROP TRIGGER IF EXISTS ${t} ON ticket_metrics`);
    }
    await q.query(`DROP FUNCTION IF EXISTS tickets_live_delta`);
    await q.query(`DROP FUNCTION IF EXISTS ticket_metrics_live_delta`);
    await q.query(`DROP FUNCTION IF EXISTS analytics_live_compact`);
    await q.query(`DROP FUNCTION IF EXISTS analytics_live_rebuild`);
    await q.query(`DROP TABLE IF EXISTS analytics_live`);
    await q.query(`
      INSERT INTO analytics_rollups (period, comune_id, dim, key, period_start, created)
      SELECT period, comune_id, dim, key, period_start, created FROM analytics_counts
      ON CONFLICT (period, comune_id, dim, period_start, key) DO UPDATE SET created = EXCLUDED.created`);
    await q.query(`DROP TABLE IF EXISTS analytics_counts`);
    await q.query(`CREATE INDEX analytics_rollups_counts ON analytics_rollups (dim, period, period_start) INCLUDE (comune_id, key, created)
      WHERE dim IN ('category_channel', 'area')`);
  }
}
