import { createFlags } from '@signalbox/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aProject, aStringFlag } from '../../test/builders.js';
import { seeded } from '../../test/experiment-traffic.js';
import { startTestApp, type TestApp } from '../../test/test-app.js';

const P = '/api/v1/projects/pairs';
const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined };

/** Box–Muller on the seeded generator: normal draws that are the same every run. */
const normal = (random: () => number) => () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

describe('ratio metrics, CUPED and results by segment, from real SDK telemetry', () => {
  let t: TestApp;
  let sdkKey: string;

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    const project = await aProject(t.http, t.admin, 'pairs', [{ key: 'production', name: 'Production' }]);
    sdkKey = project.sdkKeys.production!;
    for (const flag of ['ratio.model', 'cuped.model', 'segment.model', 'bad.model']) {
      await aStringFlag(t.http, t.admin, 'pairs', flag, ['v1', 'v2']);
      await t.http
        .patch(`${P}/flags/${flag}/environments/production`)
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
    }
  });
  afterAll(() => t.close());

  const experiment = (key: string, flag: string, extra: Record<string, unknown>) =>
    t.http
      .post(`${P}/experiments`)
      .set(t.admin)
      .send({ key, flag, environment: 'production', controlVariant: 'v1', treatmentVariants: ['v2'], minimumDetectableEffect: 0.01, ...extra });

  /** A real SDK: `record(flags, user)` per user, then one flush. */
  const traffic = async (users: number, record: (flags: ReturnType<typeof createFlags>, user: number) => void) => {
    const flags = createFlags({ url: t.url, sdkKey, logger: quiet, telemetry: { flushIntervalMs: 60_000 } });
    try {
      expect(await flags.waitForReady({ timeoutMs: 5000 })).toBe('ready');
      for (let i = 0; i < users; i++) record(flags, i);
      await flags.flush();
    } finally {
      await flags.close();
    }
  };

  it('compares errors per row by the delta method: Σerrors / Σrows per variant, labelled, and decides on it', async () => {
    await experiment('errors-per-row', 'ratio.model', {
      primaryMetric: { name: 'errors per row', type: 'ratio', numerator: 'pipeline.errors', denominator: 'pipeline.rows', better: 'decrease' },
      minimumDetectableEffect: 0.002,
    }).expect(201);
    // One generator per variant: each variant's batches are the same whatever units the flag's random salt sends it.
    const draws: Record<string, () => number> = { v1: seeded(7), v2: seeded(7 * 7919) };
    const sums: Record<string, { errors: number; rows: number; n: number }> = { v1: { errors: 0, rows: 0, n: 0 }, v2: { errors: 0, rows: 0, n: 0 } };
    await traffic(1200, (flags, i) => {
      const context = { targetingKey: `batch-${i}` };
      const variant = flags.details('ratio.model', context, 'v1').variant!;
      const random = draws[variant]!;
      const rows = 200 + Math.floor(random() * 800);
      // v2 drops about 3% of rows, v1 about 1%.
      const rate = variant === 'v2' ? 0.03 : 0.01;
      let errors = 0;
      for (let r = 0; r < rows; r += 10) if (random() < rate) errors += 10;
      flags.trackRatio('pipeline.errors', errors, 'pipeline.rows', rows, context, { flag: 'ratio.model' });
      sums[variant]!.errors += errors;
      sums[variant]!.rows += rows;
      sums[variant]!.n += 1;
    });
    const results = (await t.http.get(`${P}/experiments/errors-per-row/results`).set(t.admin).expect(200)).body;
    expect(results.experiment.primaryMetric).toEqual({
      name: 'errors per row',
      type: 'ratio',
      numerator: 'pipeline.errors',
      denominator: 'pipeline.rows',
      better: 'decrease',
    });
    for (const variant of results.variants) {
      expect(variant.intervalMethod).toBe('delta-method');
      expect(variant.n).toBe(sums[variant.variant]!.n);
      expect(variant.value).toBeCloseTo(sums[variant.variant]!.errors / sums[variant.variant]!.rows, 12);
      expect(variant.interval.lower).toBeLessThan(variant.value);
    }
    const [treatment] = results.treatments;
    expect(treatment.comparison).toMatchObject({ test: 'delta-z', absoluteIntervalMethod: 'delta-method', sequential: { method: 'msprt' } });
    expect(treatment.comparison.absoluteDifference).toBeCloseTo(sums.v2!.errors / sums.v2!.rows - sums.v1!.errors / sums.v1!.rows, 12);
    expect(treatment.comparison.pValue).toBeLessThan(1e-6);
    expect(treatment.recommendation).toBe('keep-control');
    expect(results.requiredSampleSize).toBeGreaterThan(1);
    expect(results.sampleRatio).not.toBeNull();
  });

  it('reports CUPED-adjusted figures beside the unadjusted ones, and lets them decide when every unit has a covariate', async () => {
    await experiment('score-cuped', 'cuped.model', {
      primaryMetric: { name: 'score', type: 'mean' },
      minimumDetectableEffect: 0.5,
      cuped: true,
      analysis: 'fixed-horizon',
    }).expect(201);
    // One generator per variant, as above: the flag's random salt then changes only how many units each arm gets,
    // not the draws, so the p-value below is not a new throw of the dice on every run.
    const noises: Record<string, () => number> = { v1: normal(seeded(11)), v2: normal(seeded(11 * 7919)) };
    await traffic(800, (flags, i) => {
      const context = { targetingKey: `unit-${i}` };
      const variant = flags.details('cuped.model', context, 'v1').variant!;
      const noise = noises[variant]!;
      // Units differ a lot before the experiment (σ = 10); the treatment adds 1 on top of a noise of σ = 2.
      const before = 50 + 10 * noise();
      const after = before + (variant === 'v2' ? 1 : 0) + 2 * noise();
      flags.track('score', after, context, { flag: 'cuped.model', covariate: before });
    });
    const results = (await t.http.get(`${P}/experiments/score-cuped/results`).set(t.admin).expect(200)).body;
    expect(results.experiment.cuped).toBe(true);
    const [treatment] = results.treatments;
    expect(treatment.comparison.test).toBe('welch-t');
    expect(treatment.adjusted).toMatchObject({ method: 'cuped', test: 'cuped-welch-t', absoluteIntervalMethod: 'cuped-welch-t' });
    expect(treatment.adjusted.theta).toBeGreaterThan(0.9);
    expect(treatment.adjusted.theta).toBeLessThan(1.1);
    // ρ ≈ 0.98: the covariate removes most of the variance, so the interval is several times narrower.
    expect(treatment.adjusted.varianceReduction).toBeGreaterThan(0.9);
    const width = (i: { lower: number; upper: number }) => i.upper - i.lower;
    expect(width(treatment.adjusted.absoluteInterval)).toBeLessThan(width(treatment.comparison.absoluteInterval) / 3);
    expect(treatment.adjusted.absoluteDifference).toBeGreaterThan(0.5);
    expect(treatment.adjusted.absoluteDifference).toBeLessThan(1.5);
    expect(treatment.decidedOn).toBe('cuped');
    expect(treatment.adjusted.pValue).toBeLessThan(1e-6);
    expect(treatment.adjusted.controlN + treatment.adjusted.treatmentN).toBe(800);
    expect(treatment.explanation).toContain('CUPED-adjusted');
    // The sample size uses what the adjustment leaves of the spread (σ ≈ 2·√2 instead of 10).
    expect(results.sampleSizeBasis).toBe('cuped');
    expect(results.requiredSampleSize).toBeLessThan(800);
  });

  it('analyses one experiment per segment with Holm-adjusted p-values, and bounds the segments an SDK reports', async () => {
    await experiment('by-region', 'segment.model', {
      primaryMetric: { name: 'converted', type: 'rate' },
      minimumDetectableEffect: 0.05,
      baselineRate: 0.2,
      segmentBy: 'region',
      analysis: 'fixed-horizon',
    }).expect(201);
    const draws: Record<string, () => number> = { v1: seeded(23), v2: seeded(23 * 7919) };
    const regions = ['eu', 'us', 'apac'];
    const counts: Record<string, Record<string, { n: number; sum: number }>> = {};
    const served: Record<string, number> = {};
    const everyFifth = (key: string) => ((served[key] = (served[key] ?? 0) + 1) % 5 === 1 ? 1 : 0);
    await traffic(3000, (flags, i) => {
      const region = i < 2970 ? regions[i % 3]! : `tiny-${i}`;
      const context = { targetingKey: `visitor-${i}`, region };
      const variant = flags.details('segment.model', context, 'v1').variant!;
      // Only in the EU does v2 convert better (40% against 20%, drawn at random). Elsewhere every
      // fifth user of each variant converts: exactly the same rate in both, however the flag's random
      // salt splits the users, so no region but the EU can come out significant by chance.
      const converted = region === 'eu' ? (draws[variant]!() < (variant === 'v2' ? 0.4 : 0.2) ? 1 : 0) : everyFifth(`${region}/${variant}`);
      flags.track('converted', converted, context, { flag: 'segment.model', segmentBy: 'region' });
      const key = region.startsWith('tiny-') ? 'capped' : region;
      ((counts[key] ??= {})[variant] ??= { n: 0, sum: 0 }).n += 1;
      counts[key]![variant]!.sum += converted;
    });
    const results = (await t.http.get(`${P}/experiments/by-region/results`).set(t.admin).expect(200)).body;
    expect(results.experiment.segmentBy).toBe('region');
    const segments = results.segments;
    expect(segments).toMatchObject({ attribute: 'region', multipleComparison: 'holm', alpha: 0.05, decidedBy: 'fixed-horizon' });
    // 30 one-off regions: the SDK keeps 20 distinct values (eu, us, apac and 17 tiny ones) and folds the rest into '(other)'.
    const values = segments.segments.map((s: { value: string }) => s.value);
    expect(values).toHaveLength(20);
    expect(values).toEqual(expect.arrayContaining(['eu', 'us', 'apac']));
    expect(segments.warnings.join(' ')).toContain("'(rest)'");
    const eu = segments.segments.find((s: { value: string }) => s.value === 'eu');
    for (const v of eu.variants) expect(v.n).toBe(counts.eu![v.variant]!.n);
    const [euTreatment] = eu.treatments;
    expect(euTreatment.comparison.test).toBe('pooled-z');
    expect(euTreatment.comparison.absoluteDifference).toBeCloseTo(counts.eu!.v2!.sum / counts.eu!.v2!.n - counts.eu!.v1!.sum / counts.eu!.v1!.n, 12);
    expect(euTreatment.adjustedPValue).toBeGreaterThanOrEqual(euTreatment.comparison.pValue);
    expect(euTreatment.significant).toBe(true);
    const compared = segments.segments
      .flatMap((s: { treatments: Array<{ comparison: unknown }> }) => s.treatments)
      .filter((x: { comparison: unknown }) => x.comparison);
    expect(segments.familySize).toBe(compared.length);
    for (const s of ['us', 'apac']) {
      const [other] = segments.segments.find((x: { value: string }) => x.value === s).treatments;
      // Holm never adjusts a p-value down, and the smallest of m is multiplied by m.
      expect(other.adjustedPValue).toBeGreaterThanOrEqual(other.comparison.pValue);
      expect(other.significant).toBe(false);
    }
    // The overall result is still there, unchanged by the breakdown.
    expect(results.variants.reduce((n: number, v: { n: number }) => n + v.n, 0)).toBe(3000);
  });

  it('refuses settings that cannot work with a 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ primaryMetric: { name: 'e', type: 'ratio', denominator: 'pipeline.rows' } }, 'primaryMetric.numerator'],
      [{ primaryMetric: { name: 'e', type: 'ratio', numerator: 'pipeline.errors' } }, 'primaryMetric.denominator'],
      [{ primaryMetric: { name: 'e', type: 'ratio', numerator: 'a'.repeat(100), denominator: 'b'.repeat(100) } }, 'primaryMetric.denominator'],
      [{ primaryMetric: { name: 'score', type: 'mean', numerator: 'x' } }, 'primaryMetric.numerator'],
      [{ primaryMetric: { name: 'e', type: 'ratio', numerator: 'a', denominator: 'b' }, cuped: true }, 'cuped'],
      [{ primaryMetric: { name: 'e', type: 'ratio', numerator: 'a', denominator: 'b' }, segmentBy: 'region' }, 'segmentBy'],
      [
        { primaryMetric: { name: 'score', type: 'mean' }, guardrailMetrics: [{ name: 'g', type: 'ratio', numerator: 'a', denominator: 'b' }] },
        'guardrailMetrics[0].type',
      ],
      [{ primaryMetric: { name: 'score', type: 'mean' }, segmentBy: 'region=eu' }, 'segmentBy'],
      [{ primaryMetric: { name: 'score', type: 'mean' }, cuped: 'yes' }, 'cuped'],
      [{ primaryMetric: { name: 'score', type: 'median' } }, 'primaryMetric.type'],
    ];
    for (const [body, field] of cases) {
      const response = await experiment('bad', 'bad.model', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(
        response.body.details.map((d: { field: string }) => d.field),
        JSON.stringify(body),
      ).toContain(field);
    }
    // Nothing was created, and a good one still is.
    await experiment('bad', 'bad.model', { primaryMetric: { name: 'score', type: 'mean' }, cuped: true, segmentBy: 'region' }).expect(201);
    const patched = await t.http.patch(`${P}/experiments/bad`).set(t.admin).send({ cuped: false, reason: 'no covariate yet' }).expect(200);
    expect(patched.body.cuped).toBe(false);
    const badPatch = await t.http
      .patch(`${P}/experiments/bad`)
      .set(t.admin)
      .send({ guardrailMetrics: [{ name: 'g', type: 'ratio', numerator: 'a', denominator: 'b' }], reason: 'x' });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.details[0].field).toBe('guardrailMetrics[0].type');
  });
});
