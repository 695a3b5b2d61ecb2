/**
 * The latency histogram scheme shared by every Signalbox SDK and the server: `log2-16`.
 *
 * A positive value `v` is written `v = m · 2^e` with `1 ≤ m < 2` (e an integer), and falls in
 * bucket `index = 16·e + floor((m − 1)·16)`: 16 equal sub-buckets per power of two. Bucket `i`
 * covers `[2^e·(1 + s/16), 2^e·(1 + (s+1)/16))` with `e = floor(i / 16)`, `s = i − 16·e`.
 * Estimates use the bucket's midpoint, so a percentile read from the histogram is within
 * 1/32 ≈ 3.1 % (relative) of a value in that bucket.
 *
 * Range: `e` is clamped to [−64, 63], so indexes run from −1024 to 1023. Values at or below
 * 2^−64 (zero, negative numbers) count in bucket −1024, which estimates 0; values at or above
 * 2^64 count in bucket 1023. Non-finite values are never recorded.
 *
 * The computation is exact in IEEE-754 doubles (division by a power of two and `m − 1` are
 * exact), so every language gets the same index; in Python: `m, x = math.frexp(v)` gives
 * `e = x − 1`, `m·2`.
 */
export const HISTOGRAM_SCHEME = 'log2-16';
export const HISTOGRAM_SUB_BUCKETS = 16;
export const HISTOGRAM_MIN_INDEX = -1024;
export const HISTOGRAM_MAX_INDEX = 1023;
/** Largest relative error of a value estimated from its bucket (half a bucket's relative width). */
export const HISTOGRAM_RELATIVE_ERROR = 1 / 32;

const MIN_EXPONENT = -64;
const MAX_EXPONENT = 63;
const MIN_POSITIVE = 2 ** MIN_EXPONENT;

/** The `log2-16` bucket of a finite value (see the module comment). */
export function histogramIndex(value: number): number {
  if (!(value > MIN_POSITIVE)) return HISTOGRAM_MIN_INDEX;
  let exponent = Math.floor(Math.log2(value));
  // Math.log2 may round across a power of two; correct it so 2^e ≤ v < 2^(e+1) holds exactly.
  if (2 ** exponent > value) exponent -= 1;
  else if (2 ** (exponent + 1) <= value) exponent += 1;
  if (exponent > MAX_EXPONENT) return HISTOGRAM_MAX_INDEX;
  const mantissa = value / 2 ** exponent;
  return exponent * HISTOGRAM_SUB_BUCKETS + Math.floor((mantissa - 1) * HISTOGRAM_SUB_BUCKETS);
}

/** The lower bound of a bucket (bucket −1024: 0). */
export function histogramBucketLow(index: number): number {
  if (index <= HISTOGRAM_MIN_INDEX) return 0;
  const exponent = Math.floor(index / HISTOGRAM_SUB_BUCKETS);
  const sub = index - exponent * HISTOGRAM_SUB_BUCKETS;
  return 2 ** exponent * (1 + sub / HISTOGRAM_SUB_BUCKETS);
}

/** The value a bucket stands for in estimates: its midpoint (bucket −1024: 0). */
export function histogramBucketValue(index: number): number {
  if (index <= HISTOGRAM_MIN_INDEX) return 0;
  const exponent = Math.floor(index / HISTOGRAM_SUB_BUCKETS);
  const sub = index - exponent * HISTOGRAM_SUB_BUCKETS;
  return 2 ** exponent * (1 + (sub + 0.5) / HISTOGRAM_SUB_BUCKETS);
}

/** Bucket counts by index, as sent on the wire: `{ "<index>": count }`. */
export type HistogramBuckets = Record<string, number>;

/** Adds `from` into `into` (histograms merge by adding bucket counts). Returns `into`. */
export function mergeHistogramBuckets(into: HistogramBuckets, from: Readonly<HistogramBuckets>): HistogramBuckets {
  for (const key of Object.keys(from)) into[key] = (into[key] ?? 0) + from[key]!;
  return into;
}

/**
 * Estimated quantiles (each `q` in [0, 1]) of the values in a histogram, by nearest rank: the
 * value of the bucket holding the `ceil(q·n)`-th smallest value. `null` for an empty histogram.
 */
export function histogramQuantiles(buckets: Readonly<HistogramBuckets>, quantiles: readonly number[]): Array<number | null> {
  const entries: Array<[number, number]> = [];
  let total = 0;
  for (const key of Object.keys(buckets)) {
    const count = buckets[key]!;
    if (count > 0) {
      entries.push([Number(key), count]);
      total += count;
    }
  }
  if (total === 0) return quantiles.map(() => null);
  entries.sort((a, b) => a[0] - b[0]);
  return quantiles.map((q) => {
    const rank = Math.max(1, Math.ceil(Math.min(1, Math.max(0, q)) * total));
    let seen = 0;
    for (const [index, count] of entries) {
      seen += count;
      if (seen >= rank) return histogramBucketValue(index);
    }
    return histogramBucketValue(entries[entries.length - 1]![0]);
  });
}
