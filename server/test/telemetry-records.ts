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

/** A `POST /sdk/events` body: one SDK window, ended `ageMs` ago, that holds only `count` evaluations of `flag` (variant 'on'). */
export const evaluationsPayload = (flag: string, count: number, reason = 'DEFAULT', ageMs = 2_000) => {
  const at = new Date(Date.now() - ageMs).toISOString();
  return { sdk: 'test/1', batches: [{ windowStart: at, windowEnd: at, series: [], evaluations: [{ flag, variant: 'on', reason, count }] }], dropped: 0 };
};

/** `POST /api/v1/sdk/events` on `baseUrl` with an SDK key, as an SDK sends it. */
export const postEvents = (baseUrl: string, sdkKey: string, payload: unknown, signal?: AbortSignal): Promise<Response> =>
  fetch(`${baseUrl}/api/v1/sdk/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sdkKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(payload),
    ...(signal ? { signal } : {}),
  });
