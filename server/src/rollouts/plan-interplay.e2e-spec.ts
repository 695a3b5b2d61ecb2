import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aProject, aStringFlag } from '../../test/builders.js';
import { simulateTraffic } from '../../test/experiment-traffic.js';
import { startTestApp, type TestApp } from '../../test/test-app.js';
import { RolloutScheduler } from './rollout-scheduler.service.js';

const P = '/api/v1/projects/interplay';

describe('rollout plans beside experiments and hand edits', () => {
  let t: TestApp;
  let sdkKey: string;
  let scheduler: RolloutScheduler;

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    scheduler = t.app.get(RolloutScheduler);
    scheduler.stop();
    sdkKey = (await aProject(t.http, t.admin, 'interplay', [{ key: 'production', name: 'Production' }])).sdkKeys.production!;
  });
  afterAll(() => t.close());

  const aModelFlag = async (flag: string, defaultRule: unknown = { variant: 'v1' }) => {
    await aStringFlag(t.http, t.admin, 'interplay', flag, ['v1', 'v2']);
    await t.http.patch(`${P}/flags/${flag}/environments/production`).set(t.admin).send({ version: 0, on: true, defaultRule }).expect(200);
  };
  const plans = (flag: string) => `${P}/flags/${flag}/environments/production/rollout-plans`;
  const config = async (flag: string) => (await t.http.get(`${P}/flags/${flag}/environments/production`).set(t.admin).expect(200)).body;
  const plan = async (flag: string, id: string) =>
    (
      await t.http
        .get(`${plans(flag)}/${id}`)
        .set(t.admin)
        .expect(200)
    ).body;

  it('refuses a plan on a flag with a running experiment, and an experiment on a flag with an active plan', async () => {
    const split = {
      rollout: {
        variants: [
          { variant: 'v1', weight: 50_000 },
          { variant: 'v2', weight: 50_000 },
        ],
      },
    };
    await aModelFlag('measured.model', split);
    await t.http
      .post(`${P}/experiments`)
      .set(t.admin)
      .send({
        key: 'measured',
        flag: 'measured.model',
        environment: 'production',
        controlVariant: 'v1',
        treatmentVariants: ['v2'],
        primaryMetric: { name: 'converted', type: 'rate' },
        minimumDetectableEffect: 0.05,
      })
      .expect(201);
    const refusedPlan = await t.http.post(plans('measured.model')).set(t.admin).send({ candidateVariant: 'v2', controlVariant: 'v1' });
    expect(refusedPlan.status).toBe(409);
    expect(refusedPlan.body.message).toMatch(/Experiment 'measured' runs on flag 'measured\.model'.*would replace its traffic split/);
    // The experiment's split is untouched.
    expect((await config('measured.model')).defaultRule).toEqual(split);

    await aModelFlag('planned.model');
    await t.http.post(plans('planned.model')).set(t.admin).send({ candidateVariant: 'v2', controlVariant: 'v1' }).expect(201);
    const refusedExperiment = await t.http
      .post(`${P}/experiments`)
      .set(t.admin)
      .send({
        key: 'planned',
        flag: 'planned.model',
        environment: 'production',
        controlVariant: 'v1',
        treatmentVariants: ['v2'],
        primaryMetric: { name: 'converted', type: 'rate' },
        minimumDetectableEffect: 0.05,
      });
    expect(refusedExperiment.status).toBe(409);
    expect(refusedExperiment.body.message).toMatch(/Rollout plan .* is waiting-for-baseline on flag 'planned\.model'/);
  });

  it('pauses a running plan when someone edits the default rule by hand, and says so; other edits leave it running', async () => {
    await aModelFlag('edited.model');
    const created = (await t.http.post(plans('edited.model')).set(t.admin).send({ candidateVariant: 'v2', controlVariant: 'v1' }).expect(201)).body;
    // A control baseline from real SDK calls (route().run() records model.latency_ms), then the first stage.
    await simulateTraffic(t.url, sdkKey, 'edited.model', 120, () => ({}));
    await scheduler.tick();
    expect(await plan('edited.model', created.id)).toMatchObject({ status: 'running', currentStage: 0 });

    // A kill and a restore change the config but not the default rule the plan writes.
    await t.http.post(`${P}/flags/edited.model/environments/production/kill`).set(t.admin).send({ reason: 'drill' }).expect(200);
    await t.http.post(`${P}/flags/edited.model/environments/production/restore`).set(t.admin).send({ reason: 'drill over' }).expect(200);
    await new Promise((r) => setTimeout(r, 300));
    expect((await plan('edited.model', created.id)).status).toBe('running');

    const current = await config('edited.model');
    await t.http
      .patch(`${P}/flags/edited.model/environments/production`)
      .set(t.admin)
      .send({ version: current.version, defaultRule: { variant: 'v1' }, reason: 'v2 looks odd, back to v1 while we look' })
      .expect(200);
    await expect.poll(async () => (await plan('edited.model', created.id)).status, { timeout: 5000 }).toBe('paused');
    const paused = await plan('edited.model', created.id);
    expect(paused.history.at(-1)).toMatchObject({ event: 'paused', actor: 'rollout-scheduler' });
    expect(paused.history.at(-1).reason).toMatch(/the default rule was changed outside the plan by .* \(v2 looks odd, back to v1 while we look\)/);
    // The edit stands: a scheduler pass does not overwrite it while the plan is paused.
    await scheduler.tick();
    expect((await config('edited.model')).defaultRule).toEqual({ variant: 'v1' });
    const audit = await t.http.get('/api/v1/audit').query({ project: 'interplay' }).set(t.admin).expect(200);
    expect(JSON.stringify(audit.body)).toContain('the default rule was changed outside the plan');
  });
});
