/**
 * Log-bucketed histograms of durations (seconds), mergeable by addition, so that percentiles of
 * any period and breakdown can be read from pre-aggregated rollups without touching the tickets.
 * Bucket k ≥ 1 holds values in (γ^(k-2), γ^(k-1)]; bucket 0 holds zero. Reading a percentile
 * returns the bucket's representative 2γ^(k-1)/(γ+1), within ±2.44 % (and ±1 s) of the exact
 * nearest-rank percentile.
 */
export const GAMMA = 1.05;
export const RELATIVE_ERROR = (GAMMA - 1) / (GAMMA + 1);
const LOG_GAMMA = Math.log(GAMMA);

/** Sparse histogram: bucket index (as a string key, as stored in jsonb) → count. */
export type Histogram = Record<string, number>;

export function bucketOf(seconds: number): number {
  if (!(seconds > 0)) return 0;
  // The epsilon keeps exact powers of γ in their own bucket despite floating-point noise.
  return Math.max(0, Math.ceil(Math.log(seconds) / LOG_GAMMA - 1e-9)) + 1;
}

export function representative(bucket: number): number {
  if (bucket <= 0) return 0;
  return (2 * Math.pow(GAMMA, bucket - 1)) / (GAMMA + 1);
}

export function addTo(h: Histogram, seconds: number, n = 1): void {
  const k = String(bucketOf(seconds));
  const v = (h[k] ?? 0) + n;
  if (v === 0) delete h[k]; else h[k] = v;
}

export function merge(into: Histogram, other: Histogram | null | undefined, sign = 1): Histogram {
  if (!other) return into;
  for (const [k, n] of Object.entries(other)) {
    const v = (into[k] ?? 0) + sign * n;
    if (v === 0) delete into[k]; else into[k] = v;
  }
  return into;
}

/** Nearest-rank percentile (the smallest value with at least p·n values at or below it), like percentile_disc. */
export function percentile(h: Histogram, p: number): number | null {
  const entries = Object.entries(h).map(([k, n]) => [Number(k), n] as [number, number]).filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const [k, n] of entries) {
    seen += n;
    if (seen >= rank) return Math.round(representative(k));
  }
  return Math.round(representative(entries[entries.length - 1][0]));
}

/** Exact nearest-rank percentile of raw values (what the histogram approximates). */
export function exactPercentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1];
}
