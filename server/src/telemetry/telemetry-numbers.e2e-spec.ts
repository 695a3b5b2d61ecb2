import type { SeriesRecord } from '@signalbox/sdk';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aProject, aStringFlag } from '../../test/builders.js';
import { seriesOf } from '../../test/telemetry-records.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';
import { TelemetryService } from './telemetry.service.js';

/**
 * Numbers an SDK (or anyone holding an SDK key) can send: bounded and consistent at ingest, and
 * merged into rollups by arithmetic that cannot overflow, so a batch is never half-applied, never
 * a 500, and never turns later statistics into NaN.
 */

const windowAgo = (minutes: number) => {
  const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 - minutes * 60_000);
  return { windowStart: new Date(at.getTime() + 1_000).toISOString(), windowEnd: new Date(at.getTime() + 2_000).toISOString(), minute: at };
};

const isFiniteNumberEverywhere = (value: unknown): boolean => {
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isFiniteNumberEverywhere);
  if (value !== null && typeof value === 'object') return Object.values(value).every(isFiniteNumberEverywhere);
  return true;
};

describe('telemetry numbers', () => {
  let t: TestApp;
  let sdkKey: string;
  const base = '/api/v1/projects/numbers/environments/production/telemetry';

  beforeAll(async () => {
    t = await startTestApp();
    sdkKey = (await aProject(t.http, t.admin, 'numbers', [{ key: 'production', name: 'Production' }])).sdkKeys.production!;
  });
  afterAll(() => t.close());

  const send = (series: SeriesRecord[], window = windowAgo(2), evaluations: unknown[] = []) =>
    t.http
      .post('/api/v1/sdk/events')
      .set(bearer(sdkKey))
      .send({ sdk: 'test/1', batches: [{ windowStart: window.windowStart, windowEnd: window.windowEnd, series, evaluations }], dropped: 0 });
  const seriesTotals = async (metric: string) => {
    const res = await t.http
      .get(`${base}/series`)
      .query({ metric, from: new Date(Date.now() - 3_600_000).toISOString() })
      .set(t.admin)
      .expect(200);
    return res.body.series as Array<{ flag: string | null; variant: string | null; total: Record<string, number | null> }>;
  };

  it('refuses sums and squares past their bounds with 400 naming the field and the bound, every time, instead of a 500 the second time', async () => {
    const huge: SeriesRecord = {
      ...seriesOf(null, null, 'huge', [1]),
      sum: 1e154,
      sumSquares: 1.5e308,
      histogram: { scheme: 'log2-16', buckets: { '1023': 1 } },
    };
    for (let i = 0; i < 2; i++) {
      const res = await send([huge]);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.details).toEqual([
        { field: 'batches[0].series[0].sum', reason: 'sum must not be greater than 1e+100' },
        { field: 'batches[0].series[0].sumSquares', reason: 'sumSquares must not be greater than 1e+200' },
      ]);
    }
    expect(await seriesTotals('huge')).toEqual([]);
  });

  it('refuses counts past 2^32 - 1 per record, instead of a 500 (bigint out of range) after merging 1,100 of them', async () => {
    const window = windowAgo(3);
    const series = Array.from({ length: 1_100 }, () => ({
      ...seriesOf(null, null, 'many', [1]),
      count: 9_007_199_254_740_991,
      sum: 9_007_199_254_740_991,
      sumSquares: 9_007_199_254_740_991,
      histogram: { scheme: 'log2-16' as const, buckets: { '0': 9_007_199_254_740_991 } },
    }));
    const res = await send(series, window);
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(400);
    expect(res.body.details).toContainEqual({ field: 'batches[0].series[0].count', reason: 'count must not be greater than 4294967295' });
    // Thousands of problems: the answer lists the first 100 and says how many more there were.
    expect(res.body.details).toHaveLength(100);
    expect(res.body.message).toMatch(/; and \d+ more problems$/);
    const evaluations = await send([], window, [{ flag: 'f', variant: null, reason: 'STATIC', count: 9_007_199_254_740_991 }]);
    expect(evaluations.body.details).toEqual([{ field: 'batches[0].evaluations[0].count', reason: 'count must not be greater than 4294967295' }]);

    // At the bound, 1,100 of them merge into one minute exactly.
    const atBound = Array.from({ length: 1_100 }, () => ({
      ...seriesOf(null, null, 'many', [1]),
      count: 4_294_967_295,
      sum: 4_294_967_295,
      sumSquares: 4_294_967_295,
      histogram: { scheme: 'log2-16' as const, buckets: { '0': 4_294_967_295 } },
    }));
    expect((await send(atBound, window)).status).toBe(202);
    expect((await send(atBound, window)).status).toBe(202);
    const [many] = await seriesTotals('many');
    expect(many!.total).toMatchObject({ count: 2 * 1_100 * 4_294_967_295, mean: 1, errorRate: 0 });
  });

  it('refuses sums and squares the histogram contradicts: a 0/1 rate with sum > count or below 0, squares below sum² / count', async () => {
    const rate = seriesOf('f', 'v1', 'converted', [1, 0, 1, 1, 0]);
    const problems = async (series: SeriesRecord) => {
      const res = await send([series]);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      return res.body.details as Array<{ field: string; reason: string }>;
    };
    expect(await problems({ ...rate, sum: 12, sumSquares: 30 })).toEqual([
      { field: 'batches[0].series[0].sum', reason: expect.stringMatching(/^must be at most 3\.1875 .*histogram/) },
    ]);
    const ones = seriesOf('f', 'v1', 'converted', [1, 1, 1]);
    expect(await problems({ ...ones, sum: -3 })).toEqual([
      { field: 'batches[0].series[0].sum', reason: expect.stringMatching(/^must be at least 3 .*histogram/) },
    ]);
    expect(await problems({ ...ones, sumSquares: 1 })).toEqual([
      { field: 'batches[0].series[0].sumSquares', reason: expect.stringMatching(/^must be at least 3 .*histogram/) },
    ]);
    const spread = seriesOf(null, null, 'spread', [-5, 0, 5]);
    expect(await problems({ ...spread, sum: -15, sumSquares: 1 })).toEqual([
      { field: 'batches[0].series[0].sumSquares', reason: 'must be at least sum² / count (75)' },
    ]);
    // What real SDKs send passes: negative values, zeros, values past 2^64, a 0/1 rate.
    expect((await send([spread, rate, seriesOf(null, null, 'wide', [-1e30, 0, 1e-30, 3.5, 2 ** 70])])).status).toBe(202);
  });

  it('merges a minute any number of times without overflowing: rollups saturate instead of failing the batch', async () => {
    const window = windowAgo(4);
    const top = {
      ...seriesOf('f', 'v1', 'saturated', [1]),
      count: 1,
      sum: 1e100,
      sumSquares: 1e200,
      histogram: { scheme: 'log2-16' as const, buckets: { '1023': 1 } },
    };
    expect((await send([top], window)).status).toBe(202);
    // Acknowledged batches are written at the next flush; this test edits the stored row directly.
    await t.app.get(TelemetryService).flush();
    // Push the stored row to the edge of every column, as a long-running attacker with an SDK key could.
    await t.app.get(DataSource).query(
      `UPDATE metric_rollups SET count = 9223372036854775000, errors = 9223372036854775000, sum = 1.7e308, sum_squares = 1.7e308,
         histogram = '{"1023": 9223372036854775000}'::jsonb WHERE metric = 'saturated'`,
    );
    await t.app.get(DataSource).query(`INSERT INTO evaluation_rollups (environment_id, flag_key, variant_key, reason, minute, count)
      SELECT environment_id, 'f', 'v1', 'SPLIT', minute, 9223372036854775000 FROM metric_rollups WHERE metric = 'saturated'`);
    for (let i = 0; i < 3; i++) {
      const res = await send([{ ...top, errors: 1 }], window, [{ flag: 'f', variant: 'v1', reason: 'SPLIT', count: 4_294_967_295 }]);
      expect(res.status, JSON.stringify(res.body)).toBe(202);
    }
    const [saturated] = await seriesTotals('saturated');
    expect(isFiniteNumberEverywhere(saturated), JSON.stringify(saturated)).toBe(true);
    expect(saturated!.total.count).toBeGreaterThan(9e18);
    expect(saturated!.total.errorRate).toBeLessThanOrEqual(1);
    const evaluations = await t.http
      .get(`${base}/evaluations`)
      .query({ flag: 'f', stepMinutes: 5, from: new Date(Date.now() - 3_600_000).toISOString() })
      .set(t.admin);
    expect(evaluations.status, JSON.stringify(evaluations.body)).toBe(200);
    expect(evaluations.body.evaluations[0].count).toBeGreaterThan(9e18);
  });

  it('keeps experiment results numeric when a rate metric gets impossible totals', async () => {
    await aStringFlag(t.http, t.admin, 'numbers', 'exp.model', ['v1', 'v2']);
    await t.http
      .patch('/api/v1/projects/numbers/flags/exp.model/environments/production')
      .set(t.admin)
      .send({
        version: 0,
        on: true,
        defaultRule: {
          rollout: {
            variants: [
              { variant: 'v1', weight: 50_000 },
              { variant: 'v2', weight: 50_000 },
            ],
          },
        },
      })
      .expect(200);
    const created = await t.http
      .post('/api/v1/projects/numbers/experiments')
      .set(t.admin)
      .send({
        key: 'exp',
        flag: 'exp.model',
        environment: 'production',
        controlVariant: 'v1',
        treatmentVariants: ['v2'],
        primaryMetric: { name: 'converted', type: 'rate' },
        guardrailMetrics: [{ name: 'latency', type: 'mean', better: 'decrease' }],
        minimumDetectableEffect: 0.03,
      });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // A batch that began after the experiment did: earlier ones are not its data.
    const started = new Date().toISOString();
    const window = { windowStart: started, windowEnd: started };
    // Values at or below 2^-64 share one bucket with every negative value, so a negative "rate"
    // is consistent with its histogram and accepted; the analysis must not turn it into NaN.
    const negative = { ...seriesOf('exp.model', 'v1', 'converted', Array(1000).fill(0)), sum: -1000, sumSquares: 1000 };
    const tooHigh = { ...seriesOf('exp.model', 'v2', 'converted', Array(1000).fill(2)) };
    const latency = [seriesOf('exp.model', 'v1', 'latency', [10, 12, 14]), seriesOf('exp.model', 'v2', 'latency', [10, 12, 14])];
    expect((await send([negative, tooHigh, ...latency], window)).status).toBe(202);
    const results = await t.http.get('/api/v1/projects/numbers/experiments/exp/results').set(t.admin);
    expect(results.status, JSON.stringify(results.body)).toBe(200);
    expect(JSON.stringify(results.body)).not.toMatch(/NaN|Infinity/);
    expect(results.body.recommendation).toBe('keep-collecting');
    expect(results.body.requiredSampleSize).toBeNull();
    expect(results.body.warnings).toEqual(
      expect.arrayContaining([expect.stringMatching(/converted.*v1.*not a rate/), expect.stringMatching(/converted.*v2.*not a rate/)]),
    );
    expect(results.body.treatments[0].explanation).not.toMatch(/NaN/);
  });
});
