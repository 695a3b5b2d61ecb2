import { HISTOGRAM_MAX_INDEX, HISTOGRAM_MIN_INDEX, histogramBucketLow, type HistogramBuckets } from '@signalbox/sdk/telemetry';

// The SDK's running sums round once per value: at most (n − 1)·2^−53 relative, under 5e-7 for the
// 2^32 values a record may count.
const RELATIVE_TOLERANCE = 1e-6;
const slack = (bound: number): number => Math.abs(bound) * RELATIVE_TOLERANCE + Number.MIN_VALUE;

// histogramBucketLow of every index, computed once (this runs for every bucket SDKs send).
const LOWS = Float64Array.from({ length: HISTOGRAM_MAX_INDEX - HISTOGRAM_MIN_INDEX + 2 }, (_, i) => histogramBucketLow(HISTOGRAM_MIN_INDEX + i));
const lowOf = (index: number): number =>
  Number.isInteger(index) && index >= HISTOGRAM_MIN_INDEX && index <= HISTOGRAM_MAX_INDEX + 1 ? LOWS[index - HISTOGRAM_MIN_INDEX]! : histogramBucketLow(index);

/** A series record's numbers, as validated by its DTO. */
export interface SeriesNumbers {
  count: number;
  sum: number;
  sumSquares: number;
  buckets: Readonly<HistogramBuckets>;
}

export interface SeriesProblem {
  field: 'sum' | 'sumSquares';
  reason: string;
}

/**
 * What the record's own histogram says its sum and sum of squares can be. Bucket `i` holds values
 * in `[low(i), low(i + 1))`, except that the lowest also holds zero and every negative value and
 * the highest everything from 2^63·1.9375 up; and for any values sum² ≤ count · sumSquares. An
 * SDK that sends its aggregates as recorded always passes; a "rate" of 0/1 values whose sum is
 * above count (or below 0 with no zero among its values) does not.
 */
/** What a histogram's buckets bound its record's sum and sum of squares to, added up bucket by bucket (`addBucket`). */
export interface HistogramBounds {
  minSum: number;
  maxSum: number;
  minSquares: number;
  unboundedBelow: boolean;
  unboundedAbove: boolean;
}

export const emptyBounds = (): HistogramBounds => ({ minSum: 0, maxSum: 0, minSquares: 0, unboundedBelow: false, unboundedAbove: false });

/** Adds bucket `index` holding `count` values to `bounds`. */
export const addBucket = (bounds: HistogramBounds, index: number, count: number): void => {
  if (index <= HISTOGRAM_MIN_INDEX) bounds.unboundedBelow = true;
  else {
    const low = lowOf(index);
    bounds.minSum += count * low;
    bounds.minSquares += count * low * low;
  }
  if (index >= HISTOGRAM_MAX_INDEX) bounds.unboundedAbove = true;
  else bounds.maxSum += count * lowOf(index + 1);
};

export const seriesProblems = (series: SeriesNumbers): SeriesProblem[] => {
  const bounds = emptyBounds();
  for (const key in series.buckets) if (Object.hasOwn(series.buckets, key)) addBucket(bounds, Number(key), series.buckets[key]!);
  return boundsProblems(series, bounds);
};

/** `seriesProblems` of a record whose buckets were already added up into `bounds`. */
export const boundsProblems = (series: { count: number; sum: number; sumSquares: number }, bounds: HistogramBounds): SeriesProblem[] => {
  const { minSum, maxSum, minSquares, unboundedBelow, unboundedAbove } = bounds;
  const problems: SeriesProblem[] = [];
  if (!unboundedAbove && series.sum > maxSum + slack(maxSum))
    problems.push({ field: 'sum', reason: `must be at most ${maxSum} for the values its histogram holds` });
  else if (!unboundedBelow && series.sum < minSum - slack(minSum))
    problems.push({ field: 'sum', reason: `must be at least ${minSum} for the values its histogram holds` });
  // |sum| ≤ 1e100 (the DTO), so sum² is finite.
  const cauchySchwarz = series.count > 0 ? (series.sum * series.sum) / series.count : 0;
  if (cauchySchwarz > minSquares && series.sumSquares < cauchySchwarz - slack(cauchySchwarz))
    problems.push({ field: 'sumSquares', reason: `must be at least sum² / count (${cauchySchwarz})` });
  else if (series.sumSquares < minSquares - slack(minSquares))
    problems.push({ field: 'sumSquares', reason: `must be at least ${minSquares} for the values its histogram holds` });
  return problems;
};
