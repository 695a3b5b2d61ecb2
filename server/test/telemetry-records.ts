import { histogramIndex, type SeriesRecord } from '@signalbox/sdk';

/** A series record of exactly these values, built the way every SDK builds it. */
export const seriesOf = (flag: string | null, variant: string | null, metric: string, values: number[], errors = 0): SeriesRecord => {
  const buckets: Record<string, number> = {};
  for (const v of values) buckets[histogramIndex(v)] = (buckets[histogramIndex(v)] ?? 0) + 1;
  return {
    flag,
    variant,
    metric,
    count: values.length,
    sum: values.reduce((a, b) => a + b, 0),
    sumSquares: values.reduce((a, b) => a + b * b, 0),
    errors,
    histogram: { scheme: 'log2-16', buckets },
  };
};
