import { createFlags } from '@signalbox/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { aProject, aStringFlag } from '../../test/builders.js';
import { startTestApp, type TestApp } from '../../test/test-app.js';

const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined };
const P = '/api/v1/projects/guarded';

/**
 * The running scheduler (not driven by hand) against real SDK telemetry: a stage is judged about a
 * second after its metrics arrive, on the sequential figures.
 */
describe('sequential rollout guards, live', () => {
  let t: TestApp;
  let sdkKey: string;

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    sdkKey = (await aProject(t.http, t.admin, 'guarded', [{ key: 'production', name: 'Production' }])).sdkKeys.production!;
  });
  afterAll(async () => {
    await t.close();
  });

  const plans = (flag: string) => `${P}/flags/${flag}/environments/production/rollout-plans`;
  const aModelFlag = async (flag: string) => {
    await aStringFlag(t.http, t.admin, 'guarded', flag, ['v1', 'v2']);
    await t.http
      .patch(`${P}/flags/${flag}/environments/production`)
      .set(t.admin)
      .send({ version: 0, on: true, defaultRule: { variant: 'v1' } })
      .expect(200);
  };

  /** Real SDK calls; each variant fails every `failEvery[variant]`-th call. Resolves when the telemetry is delivered. */
  const traffic = async (flag: string, users: number, failEvery: Record<string, number>) => {
    const flags = createFlags({ url: t.url, sdkKey, logger: quiet, telemetry: { flushIntervalMs: 3_600_000 } });
    const calls: Record<string, number> = {};
    try {
      expect(await flags.waitForReady({ timeoutMs: 5000 })).toBe('ready');
      const handler = (variant: string) => () => {
        const n = (calls[variant] = (calls[variant] ?? 0) + 1);
        if (n % failEvery[variant]! === 0) throw new Error('model crashed');
        return variant;
      };
      for (let i = 0; i < users; i++) {
        const model = flags.route(flag, { targetingKey: `${flag}-${Date.now()}-${i}` }, { v1: handler('v1'), v2: handler('v2') });
        await model.run().catch(() => undefined);
        model.track('inference_ms', 20 + (i % 10));
      }
      await flags.flush();
    } finally {
      await flags.close();
    }
    return calls;
  };

  const until = async (flag: string, id: string, done: (plan: { status: string }) => boolean, timeoutMs: number) => {
    const started = Date.now();
    for (;;) {
      const plan = (
        await t.http
          .get(`${plans(flag)}/${id}`)
          .set(t.admin)
          .expect(200)
      ).body;
      if (done(plan) || Date.now() - started > timeoutMs) return { plan, ms: Date.now() - started };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const startPlan = async (flag: string) => {
    await aModelFlag(flag);
    await traffic(flag, 200, { v1: 50, v2: 50 });
    const { body } = await t.http
      .post(plans(flag))
      .set(t.admin)
      .send({
        candidateVariant: 'v2',
        controlVariant: 'v1',
        guards: { latencyMetric: 'inference_ms' },
        stages: [
          { percent: 50, minDurationMinutes: 0, minSamples: 100 },
          { percent: 100, minDurationMinutes: 0, minSamples: 0 },
        ],
      })
      .expect(201);
    expect(body).toMatchObject({ status: 'running', currentPercent: 50 });
    return body.id as string;
  };

  it('rolls back a candidate failing half its calls within seconds of its telemetry arriving', async () => {
    const id = await startPlan('model.bad');
    const served = await traffic('model.bad', 400, { v1: 50, v2: 2 });
    expect(served.v2).toBeGreaterThan(100);
    const { plan, ms } = await until('model.bad', id, (p) => p.status !== 'running', 10_000);
    expect(plan.status).toBe('rolled-back');
    // The scheduler reacts a second after the data; the next 15 s tick is far off.
    expect(ms).toBeLessThan(5_000);
    expect(plan.reason).toMatch(/^guard failed at 50%: error rate 0\.\d+ on model\.latency_ms exceeds .*; confidence sequence for .*, entirely above 0$/);
    const errorRow = plan.snapshot.rows.find((r: { guard: string }) => r.guard === 'error rate');
    expect(errorRow).toMatchObject({ decision: 'fail', decidedBy: 'sequential', sequential: { method: 'msprt', decision: 'fail' } });
    expect((await t.http.get(`${P}/flags/model.bad/environments/production`).set(t.admin).expect(200)).body.defaultRule).toEqual({ variant: 'v1' });
  });

  it('advances a healthy candidate within seconds of its stage having its samples', async () => {
    const id = await startPlan('model.good');
    const live = (
      await t.http
        .get(`${plans('model.good')}/${id}`)
        .set(t.admin)
        .expect(200)
    ).body;
    expect(live.guardStatus.verdict.decision).toBe('wait');
    expect(live.guardStatus.verdict.reasons).toContain('0 of 100 candidate samples');
    await traffic('model.good', 400, { v1: 50, v2: 50 });
    const { plan, ms } = await until('model.good', id, (p) => p.status !== 'running', 10_000);
    expect(plan.status).toBe('completed');
    expect(ms).toBeLessThan(5_000);
    const advanced = plan.history.find((h: { event: string }) => h.event === 'completed');
    expect(advanced.reason).toMatch(/^stage 1 healthy: \d+ candidate samples, guards passed \((sequential|fixed-horizon)( and (sequential|fixed-horizon))?\)$/);
  });

  it("shows a recreated flag none of its deleted namesake's minutes, on the charts or as a plan's baseline", async () => {
    await aModelFlag('model.reborn');
    // The old flag's calls, five minutes ago (the whole process's clock, SDK and server alike).
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    try {
      vi.setSystemTime(Date.now() - 5 * 60_000);
      await traffic('model.reborn', 200, { v1: 50, v2: 50 });
    } finally {
      vi.useRealTimers();
    }
    await t.http.post(`${P}/flags/model.reborn/archive`).set(t.admin).send({}).expect(200);
    await t.http.delete(`${P}/flags/model.reborn`).set(t.admin).expect(204);
    const telemetry = `${P}/environments/production/telemetry`;
    const window = { flag: 'model.reborn', from: new Date(Date.now() - 30 * 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    const seriesOf = async () => (await t.http.get(`${telemetry}/series`).query(window).set(t.admin).expect(200)).body.series;
    const evaluationsOf = async () => (await t.http.get(`${telemetry}/evaluations`).query(window).set(t.admin).expect(200)).body;
    // While no flag holds the key, its old minutes are still there to read.
    expect((await seriesOf()).length).toBeGreaterThan(0);
    expect(JSON.stringify(await evaluationsOf())).toMatch(/"count":[1-9]/);
    await aModelFlag('model.reborn');
    // The console's charts of the new flag start empty.
    expect(await seriesOf()).toEqual([]);
    expect(JSON.stringify(await evaluationsOf())).not.toMatch(/"count":[1-9]/);
    const { body } = await t.http.post(plans('model.reborn')).set(t.admin).send({ candidateVariant: 'v2', controlVariant: 'v1' }).expect(201);
    expect(body).toMatchObject({ status: 'waiting-for-baseline', currentStage: -1 });
    expect(body.reason).toContain('waiting for control baseline: 0 of 50');
  });
});
