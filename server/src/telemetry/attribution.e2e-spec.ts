import type { SeriesRecord } from '@signalbox/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aProject, aStringFlag } from '../../test/builders.js';
import { seriesOf } from '../../test/telemetry-records.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';
import { RolloutScheduler } from '../rollouts/rollout-scheduler.service.js';

/**
 * Exact windows: an experiment, and each stage of a rollout plan, count only the telemetry batches
 * that began after it started. Minute rollups used to round the start down, so calls made earlier
 * in the same minute decided a plan 0.2 s after it was created, or gave an experiment a verdict at birth.
 */
const P = '/api/v1/projects/windows';

describe('metrics attributed to the experiment or rollout stage that served them', () => {
  let t: TestApp;
  let sdkKey: string;
  let scheduler: RolloutScheduler;

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    scheduler = t.app.get(RolloutScheduler);
    scheduler.stop();
    sdkKey = (await aProject(t.http, t.admin, 'windows', [{ key: 'production', name: 'Production' }])).sdkKeys.production!;
  });
  afterAll(() => t.close());

  const send = async (at: Date, records: SeriesRecord[]) => {
    const windowStart = at.toISOString();
    await t.http
      .post('/api/v1/sdk/events')
      .set(bearer(sdkKey))
      .send({ sdk: 'test/1', batches: [{ windowStart, windowEnd: windowStart, series: records, evaluations: [] }], dropped: 0 })
      .expect(202);
  };
  let flagCreatedAt = 0;
  const aFlag = async (key: string, defaultRule: unknown) => {
    flagCreatedAt = Date.now();
    await aStringFlag(t.http, t.admin, 'windows', key, ['v1', 'v2']);
    await t.http.patch(`${P}/flags/${key}/environments/production`).set(t.admin).send({ version: 0, on: true, defaultRule }).expect(200);
  };
  // A second back, but never before the flag existed: reads leave out minutes before a flag's creation minute,
  // so a baseline dated into the previous minute (a flag created in a minute's first second) would never count.
  const justBefore = () => new Date(Math.max(Date.now() - 1_000, flagCreatedAt));
  const ones = (n: number) => Array<number>(n).fill(1);

  it('an experiment counts nothing recorded before it started, and everything after, exactly', async () => {
    await aFlag('born.model', {
      rollout: {
        variants: [
          { variant: 'v1', weight: 50_000 },
          { variant: 'v2', weight: 50_000 },
        ],
      },
    });
    // 200 of 200 conversions in each arm, recorded 2 s before the experiment exists.
    await send(new Date(Date.now() - 2_000), [seriesOf('born.model', 'v1', 'converted', ones(200)), seriesOf('born.model', 'v2', 'converted', ones(200))]);
    const created = await t.http
      .post(`${P}/experiments`)
      .set(t.admin)
      .send({
        key: 'born',
        flag: 'born.model',
        environment: 'production',
        controlVariant: 'v1',
        treatmentVariants: ['v2'],
        primaryMetric: { name: 'converted', type: 'rate' },
        minimumDetectableEffect: 0.1,
      })
      .expect(201);
    const atBirth = (await t.http.get(`${P}/experiments/born/results`).set(t.admin).expect(200)).body;
    expect(atBirth.variants.map((v: { n: number }) => v.n)).toEqual([0, 0]);
    expect(atBirth.recommendation).toBe('keep-collecting');
    expect(atBirth.from).toBe(created.body.startedAt);

    // A batch that began after the start counts, with its exact sums.
    await send(new Date(Date.parse(created.body.startedAt) + 10), [
      seriesOf('born.model', 'v1', 'converted', [...ones(30), ...Array<number>(70).fill(0)]),
      seriesOf('born.model', 'v2', 'converted', [...ones(45), ...Array<number>(55).fill(0)]),
    ]);
    const after = (await t.http.get(`${P}/experiments/born/results`).set(t.admin).expect(200)).body;
    expect(after.variants.map((v: { n: number; value: number }) => [v.n, v.value])).toEqual([
      [100, 0.3],
      [100, 0.45],
    ]);
  });

  it("a rollout stage is judged only on calls made after it began, not on a hand-made split's earlier errors", async () => {
    await aFlag('staged.model', { variant: 'v1' });
    // Control's baseline, then the plan starts its first stage.
    await send(justBefore(), [seriesOf('staged.model', 'v1', 'model.latency_ms', Array<number>(100).fill(20))]);
    const plan = (
      await t.http
        .post(`${P}/flags/staged.model/environments/production/rollout-plans`)
        .set(t.admin)
        .send({ candidateVariant: 'v2', controlVariant: 'v1' })
        .expect(201)
    ).body;
    await scheduler.tick();
    const url = `${P}/flags/staged.model/environments/production/rollout-plans/${plan.id}`;
    const running = (await t.http.get(url).set(t.admin).expect(200)).body;
    expect(running).toMatchObject({ status: 'running', currentStage: 0 });
    const stageStarted = Date.parse(running.history.at(-1).at);

    // 110,631 failing candidate calls from a split someone made by hand, just before the stage began.
    await send(new Date(stageStarted - 200), [
      seriesOf('staged.model', 'v2', 'model.latency_ms', Array<number>(110_631).fill(20), 110_631),
      seriesOf('staged.model', 'v1', 'model.latency_ms', Array<number>(1_000).fill(20)),
    ]);
    await scheduler.tick();
    expect((await t.http.get(url).set(t.admin).expect(200)).body.status).toBe('running');

    // The same failures after the stage began roll it back at the next pass.
    await send(new Date(stageStarted + 50), [
      seriesOf('staged.model', 'v2', 'model.latency_ms', Array<number>(100).fill(20), 100),
      seriesOf('staged.model', 'v1', 'model.latency_ms', Array<number>(100).fill(20)),
    ]);
    await scheduler.tick();
    const rolledBack = (await t.http.get(url).set(t.admin).expect(200)).body;
    expect(rolledBack.status).toBe('rolled-back');
    expect(rolledBack.reason).toMatch(/guard failed at 1%/);
  });

  it('a paused plan still rolls back when its guard fails', async () => {
    await aFlag('paused.model', { variant: 'v1' });
    await send(justBefore(), [seriesOf('paused.model', 'v1', 'model.latency_ms', Array<number>(100).fill(20))]);
    const plan = (
      await t.http
        .post(`${P}/flags/paused.model/environments/production/rollout-plans`)
        .set(t.admin)
        .send({ candidateVariant: 'v2', controlVariant: 'v1' })
        .expect(201)
    ).body;
    await scheduler.tick();
    const url = `${P}/flags/paused.model/environments/production/rollout-plans/${plan.id}`;
    const stageStarted = Date.parse((await t.http.get(url).set(t.admin).expect(200)).body.history.at(-1).at);
    await t.http.post(`${url}/pause`).set(t.admin).send({ reason: 'looking at dashboards' }).expect(200);
    await send(new Date(stageStarted + 50), [
      seriesOf('paused.model', 'v2', 'model.latency_ms', Array<number>(100).fill(20), 100),
      seriesOf('paused.model', 'v1', 'model.latency_ms', Array<number>(100).fill(20)),
    ]);
    await scheduler.tick();
    expect((await t.http.get(url).set(t.admin).expect(200)).body.status).toBe('rolled-back');
    expect((await t.http.get(`${P}/flags/paused.model/environments/production`).set(t.admin).expect(200)).body.defaultRule).toEqual({ variant: 'v1' });
  });

  it('rolls a failing stage back within seconds of its metrics arriving, not at the next 15 s pass', async () => {
    await aFlag('quick.model', { variant: 'v1' });
    await send(justBefore(), [seriesOf('quick.model', 'v1', 'model.latency_ms', Array<number>(100).fill(20))]);
    const plan = (
      await t.http
        .post(`${P}/flags/quick.model/environments/production/rollout-plans`)
        .set(t.admin)
        .send({ candidateVariant: 'v2', controlVariant: 'v1' })
        .expect(201)
    ).body;
    await scheduler.tick();
    const url = `${P}/flags/quick.model/environments/production/rollout-plans/${plan.id}`;
    const stageStarted = Date.parse((await t.http.get(url).set(t.admin).expect(200)).body.history.at(-1).at);
    // The scheduler runs as in production from here: its 15 s timer, and a pass soon after stage data.
    scheduler.onApplicationBootstrap();
    try {
      const sent = Date.now();
      await send(new Date(Math.max(stageStarted + 50, sent)), [
        seriesOf('quick.model', 'v2', 'model.latency_ms', Array<number>(100).fill(20), 100),
        seriesOf('quick.model', 'v1', 'model.latency_ms', Array<number>(100).fill(20)),
      ]);
      await expect.poll(async () => (await t.http.get(url).set(t.admin).expect(200)).body.status, { timeout: 8_000, interval: 200 }).toBe('rolled-back');
      expect(Date.now() - sent).toBeLessThan(10_000);
    } finally {
      scheduler.stop();
    }
  });
});
