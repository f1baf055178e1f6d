import type { MigrationInterface, QueryRunner } from 'typeorm';

const HISTOGRAMS = ['frt', 'nrt', 'res'].flatMap((p) => [`${p}_hist_wall`, `${p}_hist_bus`]);

/**
 * The rollups' response-time histograms become integer arrays whose subscripts are the bucket
 * indexes, from the lowest non-zero bucket to the highest (`[12:14]={3,0,1}`), instead of jsonb
 * maps of bucket → count. A year of every comune reads ~570 rows of six histograms: as jsonb,
 * PostgreSQL spent most of the query printing numeric values and the API most of the rest building
 * and merging objects of string keys; as arrays, printing is integer output and the API adds them
 * into typed arrays (src/analytics/histogram.ts, HistogramSum). Added by `hist_array_add`, which
 * trims zero buckets at both ends as `hist_add` dropped zero keys.
 *
 * `hist_from_jsonb` converts the old form (the migration, and the benchmark's data generator, which
 * builds the maps with jsonb_object_agg).
 */
export class RollupHistogramArrays1765100000000 implements MigrationInterface {
  name = 'RollupHistogramArrays1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION hist_from_jsonb(h jsonb) RETURNS integer[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        WITH b AS (SELECT min(k::int) AS lo, max(k::int) AS hi FROM jsonb_each_text(h) e(k, v) WHERE v::int <> 0)
        SELECT CASE WHEN b.lo IS NULL THEN '{}'::integer[]
                    ELSE (format('[%s:%s]=', b.lo, b.hi)
                          || (SELECT array_agg(coalesce((h->>(i::text))::int, 0) ORDER BY i) FROM generate_series(b.lo, b.hi) i)::text)::integer[] END
          FROM b $$`);
    await q.query(`
      CREATE FUNCTION hist_array_add(a integer[], b integer[]) RETURNS integer[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        WITH s AS (SELECT i, coalesce(a[i], 0) + coalesce(b[i], 0) AS v
                     FROM generate_series(least(array_lower(a, 1), array_lower(b, 1)), greatest(array_upper(a, 1), array_upper(b, 1))) i),
             r AS (SELECT min(i) FILTER (WHERE v <> 0) AS lo, max(i) FILTER (WHERE v <> 0) AS hi FROM s)
        SELECT CASE WHEN r.lo IS NULL THEN '{}'::integer[]
                    ELSE (format('[%s:%s]=', r.lo, r.hi) || (SELECT array_agg(v ORDER BY i) FROM s WHERE i BETWEEN r.lo AND r.hi)::text)::integer[] END
          FROM r $$`);
    await q.query(`ALTER TABLE analytics_rollups ${HISTOGRAMS.map((c) => `ALTER COLUMN ${c} DROP DEFAULT`).join(', ')}`);
    await q.query(
      `ALTER TABLE analytics_rollups ${HISTOGRAMS.map((c) => `ALTER COLUMN ${c} TYPE integer[] USING hist_from_jsonb(${c})`).join(', ')}`,
    );
    await q.query(`ALTER TABLE analytics_rollups ${HISTOGRAMS.map((c) => `ALTER COLUMN ${c} SET DEFAULT '{}'`).join(', ')}`);
  }

  async down(q: QueryRunner): Promise<void> {
    const toJsonb = (c: string) =>
      `(SELECT coalesce(jsonb_object_agg(i, ${c}[i]) FILTER (WHERE ${c}[i] <> 0), '{}') FROM generate_subscripts(${c}, 1) i)`;
    await q.query(`ALTER TABLE analytics_rollups ${HISTOGRAMS.map((c) => `ALTER COLUMN ${c} DROP DEFAULT`).join(', ')}`);
    await q.query(`ALTER TABLE analytics_rollups ${HISTOGRAMS.map((c) => `ALTER COLUMN ${c} TYPE jsonb USING ${toJsonb(c)}`).join(', ')}`);
    await q.query(`ALTER TABLE analytics_rollups ${HISTOGRAMS.map((c) => `ALTER COLUMN ${c} SET DEFAULT '{}'`).join(', ')}`);
    await q.query(`DROP FUNCTION hist_array_add(integer[], integer[])`);
    await q.query(`DROP FUNCTION hist_from_jsonb(jsonb)`);
  }
}
