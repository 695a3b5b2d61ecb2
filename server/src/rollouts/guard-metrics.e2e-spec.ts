import { createFlags } from '@signalbox/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { aBooleanFlag, aProject, aStringFlag } from '../../test/builders.js';
import { startTestApp, type TestApp } from '../../test/test-app.js';
import { RolloutScheduler } from './rollout-scheduler.service.js';

const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined };
const P = '/api/v1/projects/pipelines';
const MINUTE = 60_000;

describe('guard metrics that fit the flag', () => {
  let t: TestApp;
  let sdkKey: string;
  let scheduler: RolloutScheduler;

  beforeAll(async () => {
    // Date is faked for the whole process, so the scheduler's clock, the server's telemetry checks
    // and the SDK's telemetry windows agree on the time (as in rollouts.e2e-spec.ts).
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    t = await startTestApp({ listen: true });
    scheduler = t.app.get(RolloutScheduler);
    scheduler.stop();
    sdkKey = (await aProject(t.http, t.admin, 'pipelines', [{ key: 'production', name: 'Production' }])).sdkKeys.production!;
  });
  afterAll(async () => {
    await t.close();
    vi.useRealTimers();
  });

  const jump = (minutes: number) => vi.setSystemTime(Date.now() + minutes * MINUTE);
  const plans = (flag: string) => `${P}/flags/${flag}/environments/production/rollout-plans`;
  const config = async (flag: string) => (await t.http.get(`${P}/flags/${flag}/environments/production`).set(t.admin).expect(200)).body;

  /** A pipeline step gated by a boolean flag serving `off` (the step's fallback runs then). */
  const aStepFlag = async (flag: string) => {
    await aBooleanFlag(t.http, t.admin, 'pipelines', flag);
    await t.http
      .patch(`${P}/flags/${flag}/environments/production`)
      .set(t.admin)
      .send({ version: 0, on: true, defaultRule: { variant: 'off' } })
      .expect(200);
  };

  /** Real SDK pipeline runs: each gates its step with the flag, both branches healthy. Only step metrics are reported. */
  const runs = async (flag: string, count: number, metric?: string) => {
    const flags = createFlags({ url: t.url, sdkKey, logger: quiet, telemetry: { flushIntervalMs: 3_600_000 } });
    const served: Record<string, number> = {};
    try {
      expect(await flags.waitForReady({ timeoutMs: 5000 })).toBe('ready');
      for (let i = 0; i < count; i++) {
        const branch = await flags.step(flag, { runId: `${flag}-${Date.now()}-${i}` }, () => 'new', { fallback: () => 'old', ...(metric ? { metric } : {}) });
        served[branch] = (served[branch] ?? 0) + 1;
      }
      await flags.flush();
    } finally {
      await flags.close();
    }
    return served;
  };

  it("guards a pipeline flag's plan on the step metrics its SDK reports, and advances it when they are healthy", async () => {
    await aStepFlag('etl.dedupe');
    await runs('etl.dedupe', 120);
    const defaults = (
      await t.http
        .get(`${plans('etl.dedupe')}/defaults`)
        .set(t.admin)
        .expect(200)
    ).body;
    expect(defaults.guards).toMatchObject({
      errorMetric: 'step.duration_ms',
      latencyMetric: 'step.duration_ms',
      metricSource: { errorMetric: 'reported', latencyMetric: 'reported' },
    });
    expect(defaults.guardMetrics[0]).toMatchObject({ guard: 'errorMetric', metric: 'step.duration_ms', chosenBy: 'reported', samples: 120, warning: null });
    expect(defaults.stages.map((s: { percent: number }) => s.percent)).toEqual([1, 5, 10, 25, 50, 100]);

    const created = await t.http
      .post(plans('etl.dedupe'))
      .set(t.admin)
      .send({
        candidateVariant: 'on',
        controlVariant: 'off',
        bucketBy: 'runId',
        stages: [
          { percent: 50, minDurationMinutes: 10, minSamples: 60 },
          { percent: 100, minDurationMinutes: 0, minSamples: 0 },
        ],
      })
      .expect(201);
    expect(created.body).toMatchObject({
      status: 'running',
      currentPercent: 50,
      guards: { errorMetric: 'step.duration_ms', latencyMetric: 'step.duration_ms', metricSource: { errorMetric: 'reported', latencyMetric: 'reported' } },
    });
    expect(created.body.history.at(-1).reason).toBe('control baseline: 120 observations of step.duration_ms');
    expect(created.body.guardMetrics.map((n: { warning: string | null }) => n.warning)).toEqual([null, null]);

    const served = await runs('etl.dedupe', 400);
    expect(served.new).toBeGreaterThan(120);
    expect(served.old).toBeGreaterThan(120);
    await scheduler.tick();
    const live = (
      await t.http
        .get(`${plans('etl.dedupe')}/${created.body.id}`)
        .set(t.admin)
        .expect(200)
    ).body;
    expect(live).toMatchObject({ status: 'running', currentStage: 0 });
    const rows = Object.fromEntries(live.guardStatus.rows.map((r: { guard: string }) => [r.guard, r]));
    expect(rows['stage samples']).toMatchObject({ metric: 'step.duration_ms', passing: true });
    expect(rows['error rate']).toMatchObject({ metric: 'step.duration_ms', passing: true, candidate: 0 });
    expect(rows['latency p95']).toMatchObject({ metric: 'step.duration_ms', passing: true });

    jump(11);
    await scheduler.tick();
    const done = (
      await t.http
        .get(`${plans('etl.dedupe')}/${created.body.id}`)
        .set(t.admin)
        .expect(200)
    ).body;
    expect(done).toMatchObject({ status: 'completed', currentPercent: 100, guardMetrics: [] });
    expect(done.history.at(-1).reason).toMatch(/^stage 1 healthy: \d+ candidate samples, guards passed \((fixed-horizon|sequential)( and sequential)?\)$/);
    expect((await config('etl.dedupe')).defaultRule).toEqual({ variant: 'on' });
  });

  it('says what a plan waits for when the flag reported nothing, then watches the names its SDK starts reporting', async () => {
    await aStepFlag('etl.enrich');
    const defaults = (
      await t.http
        .get(`${plans('etl.enrich')}/defaults`)
        .set(t.admin)
        .expect(200)
    ).body;
    expect(defaults.guards).toMatchObject({ errorMetric: 'step.duration_ms', metricSource: { errorMetric: 'fallback', latencyMetric: 'fallback' } });
    expect(defaults.guardMetrics[0].warning).toBe(
      'No data reported for step.duration_ms under this flag yet: the plan waits for 50 observations of it from control in 60 minutes before its first stage.',
    );

    const created = await t.http.post(plans('etl.enrich')).set(t.admin).send({ candidateVariant: 'on', controlVariant: 'off' }).expect(201);
    expect(created.body).toMatchObject({ status: 'waiting-for-baseline', guards: { errorMetric: 'step.duration_ms' } });
    expect(created.body.reason).toBe(
      "waiting for control baseline: 0 of 50 observations of step.duration_ms for 'off' in the last 60 minutes; " +
        'no SDK has reported step.duration_ms for this flag yet (step() records it)',
    );
    expect(created.body.guardMetrics[0]).toMatchObject({ chosenBy: 'fallback', lastSeen: null });
    expect(created.body.guardMetrics[0].warning).toContain("waits for 50 observations of it from control 'off'");

    // The pipeline records its step under its own name: the waiting plan moves its guards there and starts.
    await runs('etl.enrich', 80, 'enrich.duration_ms');
    await scheduler.tick();
    const started = (
      await t.http
        .get(`${plans('etl.enrich')}/${created.body.id}`)
        .set(t.admin)
        .expect(200)
    ).body;
    expect(started).toMatchObject({
      status: 'running',
      currentPercent: 1,
      guards: { errorMetric: 'enrich.duration_ms', latencyMetric: 'enrich.duration_ms', metricSource: { errorMetric: 'reported', latencyMetric: 'reported' } },
    });
    expect(started.history.at(-1)).toMatchObject({
      event: 'started',
      actor: 'rollout-scheduler',
      reason:
        'control baseline: 80 observations of enrich.duration_ms (guards now watch enrich.duration_ms and enrich.duration_ms, which the flag reports, ' +
        'instead of step.duration_ms and step.duration_ms)',
    });
  });

  it('keeps the metrics a request names, saying when they have no data', async () => {
    await aStepFlag('etl.load');
    await runs('etl.load', 60);
    const created = await t.http
      .post(plans('etl.load'))
      .set(t.admin)
      .send({ candidateVariant: 'on', controlVariant: 'off', guards: { errorMetric: 'rows.failed', latencyMetric: 'rows.load_ms' } })
      .expect(201);
    expect(created.body.guards).toMatchObject({
      errorMetric: 'rows.failed',
      latencyMetric: 'rows.load_ms',
      metricSource: { errorMetric: 'request', latencyMetric: 'request' },
    });
    expect(created.body.reason).toBe(
      "waiting for control baseline: 0 of 50 observations of rows.failed for 'off' in the last 60 minutes; no SDK has reported rows.failed for this flag yet",
    );
    expect(created.body.guardMetrics.map((n: { chosenBy: string; warning: string }) => [n.chosenBy, n.warning.slice(0, 40)])).toEqual([
      ['request', 'No data reported for rows.failed under t'],
      ['request', 'No data reported for rows.load_ms under '],
    ]);
    await runs('etl.load', 60);
    await scheduler.tick();
    const still = (
      await t.http
        .get(`${plans('etl.load')}/${created.body.id}`)
        .set(t.admin)
        .expect(200)
    ).body;
    expect(still).toMatchObject({ status: 'waiting-for-baseline', guards: { errorMetric: 'rows.failed', latencyMetric: 'rows.load_ms' } });
  });

  it("guards a model router's plan on model.latency_ms, whatever else it tracks", async () => {
    await aStringFlag(t.http, t.admin, 'pipelines', 'model.sentiment', ['v1', 'v2']);
    await t.http
      .patch(`${P}/flags/model.sentiment/environments/production`)
      .set(t.admin)
      .send({ version: 0, on: true, defaultRule: { variant: 'v1' } })
      .expect(200);
    const flags = createFlags({ url: t.url, sdkKey, logger: quiet, telemetry: { flushIntervalMs: 3_600_000 } });
    try {
      expect(await flags.waitForReady({ timeoutMs: 5000 })).toBe('ready');
      for (let i = 0; i < 40; i++) {
        const model = flags.route('model.sentiment', { targetingKey: `user-${i}` }, { v1: () => 'a', v2: () => 'b' });
        await model.run();
        model.track('accuracy', 0.5 + (i % 5) / 10);
        model.track('accuracy', 0.9);
      }
      await flags.flush();
    } finally {
      await flags.close();
    }
    const defaults = (
      await t.http
        .get(`${plans('model.sentiment')}/defaults`)
        .set(t.admin)
        .expect(200)
    ).body;
    expect(defaults.guards).toMatchObject({ errorMetric: 'model.latency_ms', latencyMetric: 'model.latency_ms' });
    expect(defaults.guardMetrics[0].why).toBe("reported by the flag's SDKs (route().run() records it)");
  });
});
