import { createFlags } from '@signalbox/sdk';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { aProject, aStringFlag, aUser } from '../../test/builders.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';
import { DomainEvents, type RolloutEvent } from '../common/events/domain-events.js';
import { RolloutScheduler } from './rollout-scheduler.service.js';

const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined };
const P = '/api/v1/projects/delivery';
const MINUTE = 60_000;

describe('rollout plans', () => {
  let t: TestApp;
  let sdkKey: string;
  let scheduler: RolloutScheduler;
  const advanced: RolloutEvent[] = [];
  const rolledBack: RolloutEvent[] = [];
  const calls: Record<string, number> = {};

  beforeAll(async () => {
    // The accelerated clock: Date is faked for the whole process, so the scheduler's clock, the
    // server's telemetry checks and the SDK's telemetry windows all agree on the time.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    t = await startTestApp({ listen: true });
    scheduler = t.app.get(RolloutScheduler);
    scheduler.stop();
    sdkKey = (await aProject(t.http, t.admin, 'delivery', [{ key: 'production', name: 'Production' }])).sdkKeys.production!;
    const events = t.app.get(DomainEvents);
    events.on('rollout.advanced', (e) => advanced.push(e));
    events.on('rollout.rolled_back', (e) => rolledBack.push(e));
  });
  afterAll(async () => {
    await t.close();
    vi.useRealTimers();
  });

  const aModelFlag = async (flag: string) => {
    await aStringFlag(t.http, t.admin, 'delivery', flag, ['v1', 'v2']);
    await t.http
      .patch(`${P}/flags/${flag}/environments/production`)
      .set(t.admin)
      .send({ version: 0, on: true, defaultRule: { variant: 'v1' } })
      .expect(200);
  };
  const jump = (minutes: number) => vi.setSystemTime(Date.now() + minutes * MINUTE);
  const config = async (flag: string) => (await t.http.get(`${P}/flags/${flag}/environments/production`).set(t.admin).expect(200)).body;
  const plans = (flag: string) => `${P}/flags/${flag}/environments/production/rollout-plans`;

  /** Real SDK traffic: each variant fails every `failEvery[variant]`-th call and reports a steady inference time. */
  const traffic = async (flag: string, users: number, failEvery: Record<string, number>) => {
    const flags = createFlags({ url: t.url, sdkKey, logger: quiet, telemetry: { flushIntervalMs: 3_600_000 } });
    const served: Record<string, number> = {};
    try {
      expect(await flags.waitForReady({ timeoutMs: 5000 })).toBe('ready');
      const handler = (variant: string) => () => {
        const n = (calls[`${flag}:${variant}`] = (calls[`${flag}:${variant}`] ?? 0) + 1);
        if (n % failEvery[variant]! === 0) throw new Error('model crashed');
        return variant;
      };
      const routes = { v1: handler('v1'), v2: handler('v2') };
      for (let i = 0; i < users; i++) {
        const model = flags.route(flag, { targetingKey: `${flag}-${Date.now()}-${i}` }, routes);
        served[model.variant] = (served[model.variant] ?? 0) + 1;
        await model.run().catch(() => undefined);
        model.track('inference_ms', 20 + (i % 10));
      }
      await flags.flush();
    } finally {
      await flags.close();
    }
    return served;
  };

  it('waits for a control baseline, then takes a healthy candidate through every stage to 100%', async () => {
    await aModelFlag('model.ranker');
    const created = await t.http
      .post(plans('model.ranker'))
      .set(t.admin)
      .send({ candidateVariant: 'v2', controlVariant: 'v1', guards: { latencyMetric: 'inference_ms' } })
      .expect(201);
    const plan = created.body;
    expect(plan).toMatchObject({ status: 'waiting-for-baseline', currentStage: -1, currentPercent: 0 });
    expect(plan.reason).toContain('waiting for control baseline: 0 of 50');
    expect(plan.stages.map((s: { percent: number; minDurationMinutes: number }) => [s.percent, s.minDurationMinutes])).toEqual([
      [1, 30],
      [5, 60],
      [10, 120],
      [25, 240],
      [50, 360],
      [100, 0],
    ]);
    expect((await t.http.post(plans('model.ranker')).set(t.admin).send({ candidateVariant: 'v2', controlVariant: 'v1' })).status).toBe(409);
    expect(
      (
        await t.http
          .post(`${plans('model.ranker')}/${plan.id}/advance`)
          .set(t.admin)
          .send({})
      ).status,
    ).toBe(409);
    await scheduler.tick();
    expect((await config('model.ranker')).defaultRule).toEqual({ variant: 'v1' });

    await traffic('model.ranker', 500, { v1: 50, v2: 50 });
    expect(await scheduler.tick()).toEqual({ ran: true, plans: 1 });
    expect((await config('model.ranker')).defaultRule).toEqual({
      rollout: {
        variants: [
          { variant: 'v1', weight: 99_000 },
          { variant: 'v2', weight: 1_000 },
        ],
      },
    });

    const usersPerStage: Record<number, number> = { 1: 20_000, 5: 4_000, 10: 2_000, 25: 2_000, 50: 2_000 };
    for (const [index, stage] of plan.stages.slice(0, -1).entries()) {
      const served = await traffic('model.ranker', usersPerStage[stage.percent]!, { v1: 50, v2: 50 });
      expect(Math.abs(served.v2! / (served.v1! + served.v2!) - stage.percent / 100)).toBeLessThan(0.06);
      await scheduler.tick();
      // Samples are there, but not the duration yet.
      expect(
        (
          await t.http
            .get(`${plans('model.ranker')}/${plan.id}`)
            .set(t.admin)
            .expect(200)
        ).body,
      ).toMatchObject({ status: 'running', currentStage: index });
      jump(stage.minDurationMinutes + 1);
      await scheduler.tick();
    }
    const done = (
      await t.http
        .get(`${plans('model.ranker')}/${plan.id}`)
        .set(t.admin)
        .expect(200)
    ).body;
    expect(done).toMatchObject({ status: 'completed', currentStage: 5, currentPercent: 100 });
    expect(done.history.map((h: { event: string }) => h.event)).toEqual(['created', 'started', 'advanced', 'advanced', 'advanced', 'advanced', 'completed']);
    expect((await config('model.ranker')).defaultRule).toEqual({ variant: 'v2' });
    expect(advanced.filter((e) => e.flagKey === 'model.ranker').map((e) => e.details.percent)).toEqual([1, 5, 10, 25, 50, 100]);
    expect(advanced[0]).toMatchObject({ projectKey: 'delivery', environmentKey: 'production', actor: { type: 'system', name: 'rollout-scheduler' } });

    const audit = await t.http.get('/api/v1/audit').query({ project: 'delivery', flag: 'model.ranker' }).set(t.admin).expect(200);
    expect(JSON.stringify(audit.body).match(/rollout-scheduler/g)?.length).toBeGreaterThanOrEqual(6);
    const served = await traffic('model.ranker', 200, { v1: 50, v2: 50 });
    expect(served).toEqual({ v2: 200 });
  });

  it('rolls back a candidate with 10× the error rate at its first stage, within one tick, recording why', async () => {
    await aModelFlag('model.scorer');
    await traffic('model.scorer', 1_000, { v1: 50, v2: 50 });
    const created = await t.http
      .post(plans('model.scorer'))
      .set(t.admin)
      .send({ candidateVariant: 'v2', controlVariant: 'v1', guards: { latencyMetric: 'inference_ms' } })
      .expect(201);
    expect(created.body).toMatchObject({ status: 'running', currentStage: 0, currentPercent: 1 });

    await traffic('model.scorer', 20_000, { v1: 50, v2: 5 });
    // Before the tick, the API shows the guard failing, with the words the rollback will record.
    const live = (
      await t.http
        .get(`${plans('model.scorer')}/${created.body.id}`)
        .set(t.admin)
        .expect(200)
    ).body;
    const errorRow = live.guardStatus.rows.find((row: { guard: string }) => row.guard === 'error rate');
    expect(errorRow).toMatchObject({
      metric: 'model.latency_ms',
      passing: false,
      decision: 'fail',
      decidedBy: 'sequential',
      unit: 'rate',
      failure: expect.stringMatching(/^error rate /),
    });
    expect(errorRow.sequential).toMatchObject({ method: 'msprt', intervalMethod: 'confidence-sequence', decision: 'fail' });
    expect(errorRow.sequential.interval.lower).toBeGreaterThan(0);
    expect(live.guardStatus.verdict).toEqual({ decision: 'fail', reasons: [errorRow.failure] });
    expect(errorRow.candidate).toBeCloseTo(0.2, 1);
    expect(live.guardStatus.rows.find((row: { guard: string }) => row.guard === 'stage samples')).toMatchObject({ passing: true, limit: '≥ 100 to advance' });
    await scheduler.tick();
    const plan = (
      await t.http
        .get(`${plans('model.scorer')}/${created.body.id}`)
        .set(t.admin)
        .expect(200)
    ).body;
    expect(plan).toMatchObject({ status: 'rolled-back', currentStage: 0, currentPercent: 0, guardStatus: null });
    expect(plan.reason).toBe(`guard failed at 1%: ${errorRow.failure}`);
    expect(plan.reason).toMatch(
      /^guard failed at 1%: error rate 0\.\d+ on model\.latency_ms exceeds 2× control \(0\.0[12]\d+\) \+ 0\.005 = 0\.04\d+; confidence sequence for .*, entirely above 0$/,
    );
    expect(plan.snapshot.candidate['model.latency_ms'].errorRate).toBeCloseTo(0.2, 1);
    expect(plan.snapshot.candidate['model.latency_ms'].count).toBeGreaterThanOrEqual(50);
    expect(plan.snapshot.control['model.latency_ms'].errorRate).toBeCloseTo(0.02, 2);
    expect(plan.snapshot.failures).toHaveLength(1);
    expect((await config('model.scorer')).defaultRule).toEqual({ variant: 'v1' });
    expect(rolledBack).toContainEqual(
      expect.objectContaining({ flagKey: 'model.scorer', actor: expect.objectContaining({ name: 'rollout-scheduler' }), reason: plan.reason }),
    );

    // SDKs serve control again.
    expect(await traffic('model.scorer', 300, { v1: 50, v2: 5 })).toEqual({ v1: 300 });
    // Finished plans are left alone, and a new plan may start.
    await t.http
      .post(`${plans('model.scorer')}/${plan.id}/resume`)
      .set(t.admin)
      .send({})
      .expect(409);
  });

  it('pauses, resumes, advances by hand and aborts back to control', async () => {
    await aModelFlag('model.tagger');
    await traffic('model.tagger', 300, { v1: 50, v2: 50 });
    const { body: plan } = await t.http
      .post(plans('model.tagger'))
      .set(t.admin)
      .send({
        candidateVariant: 'v2',
        controlVariant: 'v1',
        bucketBy: 'runId',
        stages: [
          { percent: 10, minDurationMinutes: 10, minSamples: 0 },
          { percent: 100, minDurationMinutes: 0, minSamples: 0 },
        ],
      })
      .expect(201);
    expect((await config('model.tagger')).defaultRule).toEqual({
      rollout: {
        bucketBy: 'runId',
        variants: [
          { variant: 'v1', weight: 90_000 },
          { variant: 'v2', weight: 10_000 },
        ],
      },
    });
    const url = `${plans('model.tagger')}/${plan.id}`;
    await t.http.post(`${url}/pause`).set(t.admin).send({ reason: 'weekend' }).expect(200);
    jump(20);
    await scheduler.tick();
    expect((await t.http.get(url).set(t.admin)).body).toMatchObject({ status: 'paused', currentStage: 0 });
    await t.http.post(`${url}/resume`).set(t.admin).send({}).expect(200);
    const aborted = await t.http.post(`${url}/abort`).set(t.admin).send({ reason: 'wrong model' }).expect(200);
    expect(aborted.body).toMatchObject({ status: 'aborted', reason: 'wrong model', currentPercent: 0 });
    expect((await config('model.tagger')).defaultRule).toEqual({ variant: 'v1' });
    expect(rolledBack).toContainEqual(expect.objectContaining({ flagKey: 'model.tagger', reason: 'wrong model' }));

    const second = await t.http
      .post(plans('model.tagger'))
      .set(t.admin)
      .send({
        candidateVariant: 'v2',
        controlVariant: 'v1',
        stages: [
          { percent: 50, minDurationMinutes: 600, minSamples: 0 },
          { percent: 100, minDurationMinutes: 0, minSamples: 0 },
        ],
      })
      .expect(201);
    const advancedNow = await t.http
      .post(`${plans('model.tagger')}/${second.body.id}/advance`)
      .set(t.admin)
      .send({})
      .expect(200);
    expect(advancedNow.body).toMatchObject({ status: 'completed', currentPercent: 100 });
    expect((await config('model.tagger')).defaultRule).toEqual({ variant: 'v2' });
  });

  it('tells anyone signed in the default stages and guards a plan gets', async () => {
    const viewer = await aUser(t.http, t.admin, 'viewer');
    const res = await t.http.get('/api/v1/rollout-plans/defaults').set(bearer(viewer.token)).expect(200);
    expect(res.body.stages.map((s: { percent: number }) => s.percent)).toEqual([1, 5, 10, 25, 50, 100]);
    // The README: 1 % for 30 min, 5 % for 1 h, 10 % for 2 h, 25 % for 4 h, 50 % for 6 h, then 100 %.
    expect(res.body.stages.slice(0, 5).map((s: { minDurationMinutes: number }) => s.minDurationMinutes)).toEqual([30, 60, 120, 240, 360]);
    expect(res.body.guards).toMatchObject({ maxErrorRateRatio: 2, errorRateAllowance: 0.005, maxLatencyRatio: 1.5, minSamples: 50 });
    expect((await t.http.get('/api/v1/rollout-plans/defaults')).status).toBe(401);
  });

  it('validates plans naming the fields, and answers 404 for unknown plans and flags', async () => {
    const bad = await t.http
      .post(plans('model.tagger'))
      .set(t.admin)
      .send({
        candidateVariant: 'v9',
        controlVariant: 'v1',
        stages: [
          { percent: 50, minDurationMinutes: 1, minSamples: 0 },
          { percent: 20, minDurationMinutes: 1, minSamples: 0 },
        ],
      });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([
      { field: 'candidateVariant', reason: "variant 'v9' does not exist in flag 'model.tagger'" },
      { field: 'stages[1].percent', reason: 'must be greater than the previous stage' },
      { field: 'stages[1].percent', reason: 'the last stage must be 100' },
    ]);
    const invalid = await t.http
      .post(plans('model.tagger'))
      .set(t.admin)
      .send({ candidateVariant: 'v2', controlVariant: 'v1', stages: [{ percent: 0, minDurationMinutes: -1, minSamples: 0 }] });
    expect(invalid.status).toBe(400);
    expect(invalid.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['stages[0].minDurationMinutes', 'stages[0].percent']);
    expect((await t.http.get(`${plans('model.tagger')}/00000000-0000-4000-8000-000000000000`).set(t.admin)).status).toBe(404);
    expect((await t.http.get(plans('nope')).set(t.admin)).status).toBe(404);
  });

  // The embedded database has one session shared through a lease, so a second holder cannot exist there.
  it.runIf(process.env.TEST_DATABASE_URL)('skips a pass while another instance holds the scheduler lock', async () => {
    const other = new pg.Client({ connectionString: t.databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock(7310593858836739188)');
      expect(await scheduler.tick()).toEqual({ ran: false, plans: 0 });
      await other.query('COMMIT');
      expect((await scheduler.tick()).ran).toBe(true);
    } finally {
      await other.end();
    }
  });
});
