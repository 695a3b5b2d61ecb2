import { createFlags } from '@signalbox/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aProject, aStringFlag } from '../../test/builders.js';
import { seeded, simulateTraffic } from '../../test/experiment-traffic.js';
import { startTestApp, type TestApp } from '../../test/test-app.js';
import { DomainEvents, type ExperimentDecidedEvent } from '../common/events/domain-events.js';

const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined };
const P = '/api/v1/projects/lab';

describe('experiments', () => {
  let t: TestApp;
  let sdkKey: string;
  const decided: ExperimentDecidedEvent[] = [];

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    const project = await aProject(t.http, t.admin, 'lab', [{ key: 'production', name: 'Production' }]);
    sdkKey = project.sdkKeys.production!;
    t.app.get(DomainEvents).on('experiment.decided', (e) => decided.push(e));
    for (const flag of ['checkout.model', 'ranker.model', 'search.model', 'skewed.model', 'constant.model']) {
      await aStringFlag(t.http, t.admin, 'lab', flag, ['v1', 'v2']);
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

  const create = (body: Record<string, unknown>) => t.http.post(`${P}/experiments`).set(t.admin).send(body);
  const rateExperiment = (key: string, flag: string) => ({
    key,
    flag,
    environment: 'production',
    controlVariant: 'v1',
    treatmentVariants: ['v2'],
    primaryMetric: { name: 'converted', type: 'rate' },
    guardrailMetrics: [{ name: 'model.latency_ms', type: 'mean', better: 'decrease' }],
    minimumDetectableEffect: 0.03,
    baselineRate: 0.1,
  });

  /** Real SDK traffic: users routed by the flag, each converting with the variant's probability. */
  const simulate = async (flag: string, users: number, rates: Record<string, number>, seed: number, keepShare?: { v1: number; v2: number }) => {
    // One generator per variant: each variant's outcomes are fixed whatever users the flag's salt sends it.
    const draws: Record<string, () => number> = { v1: seeded(seed), v2: seeded(seed * 7919) };
    const recorded = { v1: 0, v2: 0 };
    await simulateTraffic(t.url, sdkKey, flag, users, (variant) => {
      const converted = draws[variant]!() < rates[variant]! ? 1 : 0;
      // An injected split: v2 loses just enough outcome records (a crash before tracking) for v1:v2 = keepShare.
      if (keepShare && variant === 'v2' && recorded.v2 + 1 > (recorded.v1 * keepShare.v2) / keepShare.v1) return null;
      recorded[variant as 'v1' | 'v2']++;
      return { converted };
    });
  };

  it('refuses invalid settings naming the fields, unknown flags and a second experiment on the same flag', async () => {
    const bad = await create({ ...rateExperiment('bad', 'checkout.model'), controlVariant: 'v9', treatmentVariants: ['v1'], alpha: 2 });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toContain('alpha');
    const unknownVariant = await create({ ...rateExperiment('bad', 'checkout.model'), controlVariant: 'v9' });
    expect(unknownVariant.status).toBe(400);
    expect(unknownVariant.body.details).toEqual([{ field: 'controlVariant', reason: "variant 'v9' does not exist in flag 'checkout.model'" }]);
    expect((await create(rateExperiment('bad', 'nope'))).status).toBe(404);
    expect((await t.http.get(`${P}/experiments/missing/results`).set(t.admin)).status).toBe(404);

    expect((await create(rateExperiment('checkout-v2', 'checkout.model'))).status).toBe(201);
    const again = await create(rateExperiment('checkout-v2-again', 'checkout.model'));
    expect(again.status).toBe(409);
    // One experiment per flag and environment: the refusal says why and where to look instead.
    expect(again.body.message).toMatch(
      /^Experiment 'checkout-v2' already runs on flag 'checkout\.model' in production: one experiment runs per flag and environment at a time, because two would split the same users/,
    );
    expect(again.body.message).toMatch(/read 'checkout-v2' by segment \(segmentBy/);
    expect(again.body.details).toEqual({ experiment: 'checkout-v2', segmentBy: null, results: '/api/v1/projects/lab/experiments/checkout-v2/results' });
    expect((await create(rateExperiment('checkout-v2', 'ranker.model'))).status).toBe(409);
  });

  it("warns when the flag's default rule serves an experiment variant to no one (an experiment does not set the split)", async () => {
    await aStringFlag(t.http, t.admin, 'lab', 'unsplit.model', ['v1', 'v2']);
    await t.http
      .patch(`${P}/flags/unsplit.model/environments/production`)
      .set(t.admin)
      .send({ version: 0, on: true, defaultRule: { variant: 'v1' } })
      .expect(200);
    await create(rateExperiment('unsplit', 'unsplit.model')).expect(201);
    const { body } = await t.http.get(`${P}/experiments/unsplit/results`).set(t.admin).expect(200);
    expect(body.variants.map((v: { expectedShare: number }) => v.expectedShare)).toEqual([1, 0]);
    expect(body.warnings).toContain(
      "The flag's default rule in production serves v2 to no one, so it gets no observations: give the experiment's variants a percentage rollout.",
    );
    await t.http.post(`${P}/experiments/unsplit/stop`).set(t.admin).send({ reason: 'test done' }).expect(200);
  });

  it('recommends keep-collecting below the sample size', async () => {
    const results = await t.http.get(`${P}/experiments/checkout-v2/results`).set(t.admin).expect(200);
    expect(results.body.requiredSampleSize).toBeGreaterThan(1500);
    expect(results.body.recommendation).toBe('keep-collecting');
  });

  it('recommends promote for a real effect once the sample size is reached, and promote sends the winner to 100%', async () => {
    await simulate('checkout.model', 6000, { v1: 0.1, v2: 0.14 }, 1);
    const { body } = await t.http.get(`${P}/experiments/checkout-v2/results`).set(t.admin).expect(200);
    const [control, treatment] = body.variants;
    expect(control.n).toBeGreaterThanOrEqual(body.requiredSampleSize);
    expect(treatment.n).toBeGreaterThanOrEqual(body.requiredSampleSize);
    expect(control.value).toBeGreaterThan(control.interval.lower);
    expect(treatment.value).toBeGreaterThan(0.12);
    expect(body.treatments[0].comparison.pValue).toBeLessThan(0.01);
    expect(body.treatments[0].comparison.absoluteInterval.lower).toBeGreaterThan(0);
    expect(body.treatments[0].comparison.relativeDifference).toBeGreaterThan(0.2);
    expect(body.treatments[0].comparison.effectSize).toBeGreaterThan(0);
    expect(body.sampleRatio.mismatch).toBe(false);
    expect(body).toMatchObject({ recommendation: 'promote', winner: 'v2', warnings: [], decidedBy: 'sequential' });
    expect(body.experiment.analysis).toBe('sequential');
    // Both sets of figures, each labelled: fixed-horizon (z test) and always-valid (mSPRT).
    expect(body.treatments[0].comparison).toMatchObject({ test: 'pooled-z', absoluteIntervalMethod: 'newcombe' });
    expect(body.treatments[0].comparison.sequential).toMatchObject({
      method: 'msprt',
      intervalMethod: 'confidence-sequence',
      significant: true,
      mixingStdDev: 0.03,
    });
    expect(body.treatments[0].comparison.sequential.pValue).toBeGreaterThan(body.treatments[0].comparison.pValue);
    expect(body.treatments[0].comparison.sequential.interval.lower).toBeGreaterThan(0);
    // The list's badges in one request: what each running experiment's results say.
    const badges = await t.http.get(`${P}/experiment-recommendations`).set(t.admin).expect(200);
    expect(badges.body).toContainEqual({ experiment: 'checkout-v2', recommendation: 'promote', winner: 'v2' });

    const promoted = await t.http.post(`${P}/experiments/checkout-v2/promote`).set(t.admin).send({}).expect(200);
    expect(promoted.body).toMatchObject({ status: 'closed', decision: 'promoted', winner: 'v2' });
    const config = await t.http.get(`${P}/flags/checkout.model/environments/production`).set(t.admin).expect(200);
    expect(config.body).toMatchObject({ defaultRule: { variant: 'v2' }, version: 2 });
    const audit = await t.http.get('/api/v1/audit').query({ project: 'lab' }).set(t.admin);
    expect(JSON.stringify(audit.body)).toContain('experiment.promoted');
    // Closed experiments have no live recommendation.
    expect((await t.http.get(`${P}/experiment-recommendations`).set(t.admin).expect(200)).body.map((r: { experiment: string }) => r.experiment)).not.toContain(
      'checkout-v2',
    );
    expect(decided).toContainEqual(
      expect.objectContaining({
        experimentKey: 'checkout-v2',
        flagKey: 'checkout.model',
        recommendation: 'promote',
        details: expect.objectContaining({ decision: 'promoted', variant: 'v2' }),
      }),
    );
    expect((await t.http.post(`${P}/experiments/checkout-v2/promote`).set(t.admin).send({})).status).toBe(409);

    // SDKs are told: every user now gets the winner.
    const flags = createFlags({ url: t.url, sdkKey, logger: quiet });
    try {
      await flags.waitForReady({ timeoutMs: 5000 });
      const served = new Set(Array.from({ length: 50 }, (_, i) => flags.string('checkout.model', { targetingKey: `u${i}` }, 'none')));
      expect([...served]).toEqual(['model-v2']);
    } finally {
      await flags.close();
    }
  });

  it('recommends no difference without an effect once the sequential test has its power, and rollback returns to control', async () => {
    await create(rateExperiment('ranker-v2', 'ranker.model')).expect(201);
    await simulate('ranker.model', 5000, { v1: 0.1, v2: 0.1 }, 2);
    // Past the fixed-horizon n, short of the one at which the always-valid test has 80% power: too early to call a tie.
    const early = (await t.http.get(`${P}/experiments/ranker-v2/results`).set(t.admin).expect(200)).body;
    const smallest = Math.min(...early.variants.map((v: { n: number }) => v.n));
    expect(early.decidedBy).toBe('sequential');
    expect(smallest).toBeGreaterThanOrEqual(early.requiredSampleSize);
    expect(smallest).toBeLessThan(early.sequentialSampleSize);
    expect(early.sequentialSampleSize / early.requiredSampleSize).toBeGreaterThan(1.5);
    expect(early).toMatchObject({ recommendation: 'keep-collecting', winner: null });
    expect(early.treatments[0].explanation).toContain(
      `${smallest} of ${early.sequentialSampleSize} observations per variant so far (where the always-valid test has 80% power; a fixed-horizon analysis would need ${early.requiredSampleSize})`,
    );

    await simulate('ranker.model', 5000, { v1: 0.1, v2: 0.1 }, 5);
    const { body } = await t.http.get(`${P}/experiments/ranker-v2/results`).set(t.admin).expect(200);
    expect(body.variants.every((v: { n: number }) => v.n >= body.sequentialSampleSize)).toBe(true);
    expect(body.treatments[0].comparison.significant).toBe(false);
    expect(body.treatments[0].comparison.absoluteInterval.lower).toBeLessThan(0);
    expect(body.treatments[0].comparison.absoluteInterval.upper).toBeGreaterThan(0);
    expect(body).toMatchObject({ recommendation: 'no-difference', winner: null, warnings: [] });
    expect((await t.http.post(`${P}/experiments/ranker-v2/promote`).set(t.admin).send({})).status).toBe(409);

    await t.http.post(`${P}/experiments/ranker-v2/rollback`).set(t.admin).send({ reason: 'no gain' }).expect(200);
    const config = await t.http.get(`${P}/flags/ranker.model/environments/production`).set(t.admin).expect(200);
    expect(config.body.defaultRule).toEqual({ variant: 'v1' });
    expect(decided).toContainEqual(
      expect.objectContaining({
        experimentKey: 'ranker-v2',
        recommendation: 'keep-control',
        details: expect.objectContaining({ decision: 'rolled-back', reason: 'no gain' }),
      }),
    );
  });

  it('warns of a sample-ratio mismatch when the records of a 50/50 experiment split 52/48', async () => {
    await create({ ...rateExperiment('search-v2', 'search.model'), primaryMetric: { name: 'converted', type: 'rate' } }).expect(201);
    await simulate('search.model', 10_000, { v1: 0.1, v2: 0.1 }, 3, { v1: 52, v2: 48 });
    const { body } = await t.http.get(`${P}/experiments/search-v2/results`).set(t.admin).expect(200);
    const [control, treatment] = body.variants;
    expect(control.n / (control.n + treatment.n)).toBeCloseTo(0.52, 2);
    expect(body.sampleRatio.mismatch).toBe(true);
    expect(body.sampleRatio.pValue).toBeLessThan(0.001);
    expect(body.warnings.join(' ')).toContain('Sample ratio mismatch');
  });

  it('lets viewers read results but not decide', async () => {
    const viewer = await import('../../test/builders.js').then((b) => b.aUser(t.http, t.admin, 'viewer'));
    const auth = { Authorization: `Bearer ${viewer.token}` };
    await t.http.get(`${P}/experiments`).set(auth).expect(200);
    await t.http.get(`${P}/experiments/search-v2/results`).set(auth).expect(200);
    expect((await t.http.post(`${P}/experiments/search-v2/rollback`).set(auth).send({})).status).toBe(403);
  });

  it('refuses settings from which no sample size can follow, naming the field', async () => {
    const refused = async (body: Record<string, unknown>, reason: RegExp) => {
      const response = await create({ ...rateExperiment('nonsense', 'skewed.model'), ...body });
      expect(response.status).toBe(400);
      expect(response.body.details).toContainEqual({ field: 'minimumDetectableEffect', reason: expect.stringMatching(reason) });
    };
    // A rate difference that leaves [0, 1] both ways from the baseline.
    await refused({ baselineRate: 0.3, minimumDetectableEffect: 0.8 }, /leaves \[0, 1\] both ways/);
    await refused({ baselineRate: 0.5, minimumDetectableEffect: 0.6 }, /leaves \[0, 1\] both ways/);
    // A required n past exact integers.
    await refused({ baselineRate: 0.5, minimumDetectableEffect: 1e-9 }, /more than 9007199254740991 observations/);
    // An effect on a mean no reportable data could show, or that two observations would "detect".
    await refused(
      { primaryMetric: { name: 'score', type: 'mean' }, baselineRate: undefined, minimumDetectableEffect: 1e300 },
      /must not be greater than 1e\+100/,
    );
    await refused(
      { primaryMetric: { name: 'score', type: 'mean' }, baselineRate: undefined, assumedStdDev: 1, minimumDetectableEffect: 1e6 },
      /fewer than 2 observations/,
    );
    const badMethod = await create({ ...rateExperiment('nonsense', 'skewed.model'), analysis: 'bayesian' });
    expect(badMethod.status).toBe(400);
    expect(badMethod.body.details.map((d: { field: string }) => d.field)).toEqual(['analysis']);
    expect((await t.http.get(`${P}/experiments/nonsense`).set(t.admin)).status).toBe(404);
  });

  it('does not promote on a sample-ratio mismatch: a 55/45 split on a 50/50 rollout, with a clearly better treatment', async () => {
    await create({ ...rateExperiment('skewed-v2', 'skewed.model'), guardrailMetrics: [] }).expect(201);
    await simulate('skewed.model', 8000, { v1: 0.1, v2: 0.16 }, 4, { v1: 55, v2: 45 });
    const { body } = await t.http.get(`${P}/experiments/skewed-v2/results`).set(t.admin).expect(200);
    expect(body.sampleRatio.mismatch).toBe(true);
    expect(body.treatments[0].comparison.significant).toBe(true);
    expect(body).toMatchObject({ recommendation: 'keep-collecting', winner: null });
    expect(body.treatments[0].explanation).toMatch(/Not promoted: the traffic split is 5\d\.\d%\/4\d\.\d% where the rollout promises 50\.0%\/50\.0%/);
    const promote = await t.http.post(`${P}/experiments/skewed-v2/promote`).set(t.admin).send({});
    expect(promote.status).toBe(409);
    expect(promote.body.message).toMatch(/sample ratio mismatch/i);
  });

  it('refuses promoting a named treatment on a sample-ratio mismatch unless overrideSrm comes with a reason, and audits the override', async () => {
    const named = await t.http.post(`${P}/experiments/skewed-v2/promote`).set(t.admin).send({ variant: 'v2', reason: 'looks good' });
    expect(named.status).toBe(409);
    expect(named.body).toMatchObject({ error: 'CONFLICT', details: { code: 'SAMPLE_RATIO_MISMATCH', override: 'overrideSrm' } });
    expect(named.body.details.sampleRatio).toMatchObject({ mismatch: true });
    expect(named.body.message).toMatch(
      /Sample ratio mismatch on experiment 'skewed-v2': the traffic split is 5\d\.\d%\/4\d\.\d% where the rollout promises 50\.0%\/50\.0%/,
    );
    // An override without a reason, or without a named variant, is a 400 naming the field.
    const noReason = await t.http.post(`${P}/experiments/skewed-v2/promote`).set(t.admin).send({ variant: 'v2', overrideSrm: true });
    expect(noReason.status).toBe(400);
    expect(noReason.body.details).toEqual([{ field: 'reason', reason: expect.stringMatching(/needs a reason/) }]);
    const noVariant = await t.http.post(`${P}/experiments/skewed-v2/promote`).set(t.admin).send({ overrideSrm: true, reason: 'x' });
    expect(noVariant.status).toBe(400);
    expect(noVariant.body.details).toEqual([{ field: 'variant', reason: expect.stringMatching(/needs the variant/) }]);
    expect((await t.http.post(`${P}/experiments/skewed-v2/promote`).set(t.admin).send({ variant: 'v2', overrideSrm: 'yes', reason: 'x' })).status).toBe(400);
    const still = await t.http.get(`${P}/experiments/skewed-v2`).set(t.admin).expect(200);
    expect(still.body.status).toBe('running');

    const promoted = await t.http
      .post(`${P}/experiments/skewed-v2/promote`)
      .set(t.admin)
      .send({ variant: 'v2', overrideSrm: true, reason: 'the skew is a known bot filter on v1' })
      .expect(200);
    expect(promoted.body).toMatchObject({ status: 'closed', decision: 'promoted', winner: 'v2' });
    const audit = await t.http.get('/api/v1/audit').query({ project: 'lab', limit: 10 }).set(t.admin).expect(200);
    const entry = audit.body.items.find((e: { action: string; resourceKey: string }) => e.action === 'experiment.promoted' && e.resourceKey === 'skewed.model');
    expect(entry.reason).toMatch(/^the skew is a known bot filter on v1 \[sample ratio mismatch overridden: the traffic split is 5\d\.\d%\/4\d\.\d%/);
    expect(decided.find((e) => e.experimentKey === 'skewed-v2')?.details).toMatchObject({ srmOverridden: true, variant: 'v2' });
  });

  it('labels its intervals, keeps rate intervals inside [0, 1], and reads all-or-nothing arms as what they are', async () => {
    const created = await create({
      ...rateExperiment('constant-v2', 'constant.model'),
      baselineRate: undefined,
      guardrailMetrics: [],
      analysis: 'fixed-horizon',
    });
    expect(created.status).toBe(201);
    expect(created.body.analysis).toBe('fixed-horizon');
    await simulate('constant.model', 3000, { v1: 1.01, v2: 1.01 }, 5);
    const { body } = await t.http.get(`${P}/experiments/constant-v2/results`).set(t.admin).expect(200);
    expect(body.variants.map((v: { intervalMethod: string }) => v.intervalMethod)).toEqual(['wilson', 'wilson']);
    for (const v of body.variants) {
      // PostgreSQL's float sums may land a rounding step below 1.
      expect(v.value).toBeCloseTo(1, 12);
      expect(v.interval.upper).toBeCloseTo(1, 12);
      expect(v.interval.upper).toBeLessThanOrEqual(1);
      expect(v.interval.lower).toBeGreaterThan(0.99);
    }
    expect(body.variants[0].n).toBeGreaterThanOrEqual(body.requiredSampleSize);
    expect(body.treatments[0]).toMatchObject({ recommendation: 'no-difference', comparison: null });
    expect(body.decidedBy).toBe('fixed-horizon');
    expect(body.treatments[0].explanation).toMatch(/Every observation of both v1 and v2 is a conversion \(100%\)/);
  });
});
