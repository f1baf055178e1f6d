import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The count-only dimensions (open data's category × channel, the map's area cells) become one row
 * per dimension, period, comune and day or month, holding every key's count in one jsonb map,
 * instead of one row per key: 30 days of open data for the 41 comuni read 1,230 rows instead of
 * ~48,000, and the work left per key is a loop in the API rather than a row to fetch, decode and
 * ship. Maps are added with hist_add (keys summed, zeros dropped), as the histograms already are.
 * Existing rows are folded into maps.
 */
export class AnalyticsCountMaps1764970000000 implements MigrationInterface {
  name = 'AnalyticsCountMaps1764970000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE analytics_count_maps (
        dim           text NOT NULL CHECK (dim IN ('area', 'category_channel')),
        period        text NOT NULL CHECK (period IN ('day', 'month')),
        comune_id     integer NOT NULL,
        period_start  date NOT NULL,
        -- key → new tickets (no zero entries)
        counts        jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (dim, period, comune_id, period_start)
      ) WITH (fillfactor = 80)`);
    await q.query(`
      INSERT INTO analytics_count_maps (dim, period, comune_id, period_start, counts)
      SELECT dim, period, comune_id, period_start, jsonb_object_agg(key, created)
        FROM analytics_counts WHERE created <> 0
       GROUP BY dim, period, comune_id, period_start ORDER BY dim, period, comune_id, period_start`);
    await q.query(`DROP TABLE analytics_counts`);
    await q.query(`ALTER TABLE analytics_count_maps RENAME TO analytics_counts`);
    await q.query(`ALTER TABLE analytics_counts RENAME CONSTRAINT analytics_count_maps_pkey TO analytics_counts_pkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE analytics_count_rows (
        dim           text NOT NULL CHECK (dim IN ('area', 'category_channel')),
        period        text NOT NULL CHECK (period IN ('day', 'month')),
        comune_id     integer NOT NULL,
        period_start  date NOT NULL,
        key           text NOT NULL,
        created       integer NOT NULL DEFAULT 0,
        PRIMARY KEY (dim, period, comune_id, period_start, key)
      ) WITH (fillfactor = 80)`);
    await q.query(`
      INSERT INTO analytics_count_rows (dim, period, comune_id, period_start, key, created)
      SELECT c.dim, c.period, c.comune_id, c.period_start, e.key, e.value::int FROM analytics_counts c, jsonb_each_text(c.counts) e`);
    await q.query(`DROP TABLE analytics_counts`);
    await q.query(`ALTER TABLE analytics_count_rows RENAME TO analytics_counts`);
    await q.query(`ALTER TABLE analytics_counts RENAME CONSTRAINT analytics_count_rows_pkey TO analytics_counts_pkey`);
  }
}
