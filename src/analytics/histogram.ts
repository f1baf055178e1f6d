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

/** Sparse histogram: bucket index (as a string key) → count. What the worker accumulates deltas in. */
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
  if (v === 0) delete h[k];
  else h[k] = v;
}

/** Nearest-rank percentile (the smallest value with at least p·n values at or below it), like percentile_disc. */
export function percentile(h: Histogram, p: number): number | null {
  const sum = new HistogramSum();
  for (const [k, n] of Object.entries(h)) sum.add(Number(k), n);
  return sum.percentile(p);
}

/** Exact nearest-rank percentile of raw values (what the histogram approximates). */
export function exactPercentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1];
}

/**
 * As stored in the rollups: a PostgreSQL integer array whose subscripts are the bucket indexes,
 * from the lowest non-zero bucket to the highest (`[12:14]={3,0,1}`; `{}` when empty). Text that
 * PostgreSQL prints and parses fast, and that the API merges without building objects: a year of
 * every comune is ~570 rows of six histograms.
 */
export function toPgArray(h: Histogram): string {
  let lo = Infinity;
  let hi = -Infinity;
  for (const [k, n] of Object.entries(h)) {
    if (n === 0) continue;
    const b = Number(k);
    if (b < lo) lo = b;
    if (b > hi) hi = b;
  }
  if (lo > hi) return '{}';
  const values: number[] = [];
  for (let b = lo; b <= hi; b++) values.push(h[b] ?? 0);
  return `[${lo}:${hi}]={${values.join(',')}}`;
}

/** Sum of stored histograms (dense, by bucket index), for reading percentiles of a period. */
export class HistogramSum {
  private counts = new Float64Array(400);

  /** Adds (or, sign −1, takes back) a histogram in the rollups' array text form. */
  addPgArray(text: string, sign: 1 | -1 = 1): void {
    let i = 0;
    let b = 1; // PostgreSQL's default lower bound, printed without "[lo:hi]="
    if (text.charCodeAt(0) === 91 /* [ */) {
      const colon = text.indexOf(':');
      b = Number(text.slice(1, colon));
      i = text.indexOf('=', colon) + 1;
    }
    if (text.charCodeAt(i) !== 123 /* { */ || text.length - i <= 2) return;
    let v = 0;
    let neg = false;
    for (let j = i + 1; j < text.length; j++) {
      const ch = text.charCodeAt(j);
      if (ch === 44 /* , */ || ch === 125 /* } */) {
        this.add(b++, sign * (neg ? -v : v));
        v = 0;
        neg = false;
      } else if (ch === 45 /* - */) {
        neg = true;
      } else {
        v = v * 10 + (ch - 48);
      }
    }
  }

  add(bucket: number, n: number): void {
    if (n === 0) return;
    if (bucket >= this.counts.length) {
      const grown = new Float64Array(Math.max(bucket + 1, this.counts.length * 2));
      grown.set(this.counts);
      this.counts = grown;
    }
    this.counts[bucket] += n;
  }

  addSum(other: HistogramSum): void {
    other.counts.forEach((n, b) => this.add(b, n));
  }

  /** Nearest-rank percentile, as `percentile` of a sparse histogram. */
  percentile(p: number): number | null {
    let total = 0;
    for (const n of this.counts) if (n > 0) total += n;
    if (total === 0) return null;
    const rank = Math.max(1, Math.ceil(p * total));
    let seen = 0;
    let last = 0;
    for (let b = 0; b < this.counts.length; b++) {
      const n = this.counts[b];
      if (n <= 0) continue;
      seen += n;
      last = b;
      if (seen >= rank) return Math.round(representative(b));
    }
    return Math.round(representative(last));
  }
}
