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

  const split50 = {
    rollout: {
      variants: [
        { variant: 'v1', weight: 50_000 },
        { variant: 'v2', weight: 50_000 },
      ],
    },
  };
  const handEdit = async (flag: string, defaultRule: unknown, reason: string) => {
    const current = await config(flag);
    await t.http.patch(`${P}/flags/${flag}/environments/production`).set(t.admin).send({ version: current.version, defaultRule, reason }).expect(200);
  };

  it('pauses a plan waiting for its baseline when the default rule is edited by hand, so its first stage does not overwrite the edit', async () => {
    await aModelFlag('waiting.model');
    const created = (await t.http.post(plans('waiting.model')).set(t.admin).send({ candidateVariant: 'v2', controlVariant: 'v1' }).expect(201)).body;
    expect(created.status).toBe('waiting-for-baseline');
    // A kill and a restore leave the default rule as it was: the plan keeps waiting.
    await t.http.post(`${P}/flags/waiting.model/environments/production/kill`).set(t.admin).send({ reason: 'drill' }).expect(200);
    await t.http.post(`${P}/flags/waiting.model/environments/production/restore`).set(t.admin).send({ reason: 'drill over' }).expect(200);
    await new Promise((r) => setTimeout(r, 300));
    expect((await plan('waiting.model', created.id)).status).toBe('waiting-for-baseline');

    await handEdit('waiting.model', split50, 'half and half while we wait');
    await expect.poll(async () => (await plan('waiting.model', created.id)).status, { timeout: 5000 }).toBe('paused');
    const paused = await plan('waiting.model', created.id);
    expect(paused.history.at(-1)).toMatchObject({ event: 'paused', actor: 'rollout-scheduler', stage: -1 });
    expect(paused.history.at(-1).reason).toMatch(
      /changed outside the plan by .* \(half and half while we wait\); .*its first stage does not overwrite the edit/,
    );
    // A baseline arrives: the paused plan does not start, and the edit stands.
    await simulateTraffic(t.url, sdkKey, 'waiting.model', 240, () => ({}));
    await scheduler.tick();
    expect(await plan('waiting.model', created.id)).toMatchObject({ status: 'paused', currentStage: -1 });
    expect((await config('waiting.model')).defaultRule).toEqual(split50);

    // Resumed, it waits again and starts on the next pass, writing its own split.
    await t.http
      .post(`${plans('waiting.model')}/${created.id}/resume`)
      .set(t.admin)
      .send({})
      .expect(200);
    expect((await plan('waiting.model', created.id)).status).toBe('waiting-for-baseline');
    await scheduler.tick();
    expect(await plan('waiting.model', created.id)).toMatchObject({ status: 'running', currentStage: 0 });
    expect((await config('waiting.model')).defaultRule).toEqual({
      rollout: {
        variants: [
          { variant: 'v1', weight: 99_000 },
          { variant: 'v2', weight: 1_000 },
        ],
      },
    });
  });

  it("resumes after a hand edit with the stage's split written again and its window restarted: nothing served under the edit counts", async () => {
    await aModelFlag('resumed.model');
    const created = (
      await t.http
        .post(plans('resumed.model'))
        .set(t.admin)
        .send({
          candidateVariant: 'v2',
          controlVariant: 'v1',
          stages: [
            { percent: 10, minDurationMinutes: 30, minSamples: 100 },
            { percent: 100, minDurationMinutes: 0, minSamples: 0 },
          ],
        })
        .expect(201)
    ).body;
    await simulateTraffic(t.url, sdkKey, 'resumed.model', 120, () => ({}));
    await scheduler.tick();
    const started = await plan('resumed.model', created.id);
    expect(started).toMatchObject({ status: 'running', currentStage: 0 });
    const stageSplit = (await config('resumed.model')).defaultRule;

    await handEdit('resumed.model', split50, 'more v2 to see it sooner');
    await expect.poll(async () => (await plan('resumed.model', created.id)).status, { timeout: 5000 }).toBe('paused');
    // Calls under the hand-made 50/50 split: the paused stage's window sees them …
    await simulateTraffic(t.url, sdkKey, 'resumed.model', 200, () => ({}));
    const underEdit = await plan('resumed.model', created.id);
    expect(underEdit.guardStatus.window.candidateSamples).toBeGreaterThan(50);

    // … and resume leaves them out: the stage's split again, a window from now.
    const resumed = (
      await t.http
        .post(`${plans('resumed.model')}/${created.id}/resume`)
        .set(t.admin)
        .send({ reason: 'edit undone' })
        .expect(200)
    ).body;
    expect(resumed.status).toBe('running');
    expect((await config('resumed.model')).defaultRule).toEqual(stageSplit);
    expect(Date.parse(resumed.stageStartedAt)).toBeGreaterThan(Date.parse(started.stageStartedAt));
    expect(resumed.guardStatus.window.candidateSamples).toBe(0);
    expect(resumed.history.at(-1)).toMatchObject({ event: 'resumed', stage: 0, percent: 10 });
    expect(resumed.history.at(-1).reason).toMatch(/^edit undone; stage 1 \(10% of 'v2'\) re-applied over the hand edit; its window starts again now/);
    // Calls after the resume count in the new window, under the stage's split.
    await simulateTraffic(t.url, sdkKey, 'resumed.model', 200, () => ({}));
    const after = await plan('resumed.model', created.id);
    expect(after.guardStatus.window.candidateSamples).toBeGreaterThan(0);
    expect(after.guardStatus.window.candidateSamples).toBeLessThan(50);
    // The re-applied split is the plan's own write: it does not pause the plan again.
    await new Promise((r) => setTimeout(r, 300));
    expect((await plan('resumed.model', created.id)).status).toBe('running');
  });

  it('resumes a plan paused by a person, then edited by hand, with the stage split written again and a new window', async () => {
    await aModelFlag('manual.model');
    const created = (await t.http.post(plans('manual.model')).set(t.admin).send({ candidateVariant: 'v2', controlVariant: 'v1' }).expect(201)).body;
    await simulateTraffic(t.url, sdkKey, 'manual.model', 120, () => ({}));
    await scheduler.tick();
    const started = await plan('manual.model', created.id);
    expect(started).toMatchObject({ status: 'running', currentStage: 0 });
    const stageSplit = (await config('manual.model')).defaultRule;
    await t.http
      .post(`${plans('manual.model')}/${created.id}/pause`)
      .set(t.admin)
      .send({ reason: 'looking' })
      .expect(200);
    await handEdit('manual.model', split50, 'try half');
    const resumed = (
      await t.http
        .post(`${plans('manual.model')}/${created.id}/resume`)
        .set(t.admin)
        .send({})
        .expect(200)
    ).body;
    expect((await config('manual.model')).defaultRule).toEqual(stageSplit);
    expect(Date.parse(resumed.stageStartedAt)).toBeGreaterThan(Date.parse(started.stageStartedAt));
    expect(resumed.history.at(-1).reason).toMatch(/^stage 1 \(1% of 'v2'\) re-applied over the hand edit; its window starts again now/);

    // Paused and resumed with nothing edited: the window goes on.
    await t.http
      .post(`${plans('manual.model')}/${created.id}/pause`)
      .set(t.admin)
      .send({})
      .expect(200);
    const again = (
      await t.http
        .post(`${plans('manual.model')}/${created.id}/resume`)
        .set(t.admin)
        .send({})
        .expect(200)
    ).body;
    expect(again.stageStartedAt).toBe(resumed.stageStartedAt);
    expect(again.history.at(-1)).not.toHaveProperty('reason');
  });

  it('takes every variant key a flag takes (mixed case, leading "_") in experiments, plans and shadow reports', async () => {
    const [control, treatment] = ['modelA', '_Model-B.2'];
    await aStringFlag(t.http, t.admin, 'interplay', 'cased.model', [control, treatment]);
    const split = {
      rollout: {
        variants: [
          { variant: control, weight: 50_000 },
          { variant: treatment, weight: 50_000 },
        ],
      },
    };
    await t.http.patch(`${P}/flags/cased.model/environments/production`).set(t.admin).send({ version: 0, on: true, defaultRule: split }).expect(200);
    const experiment = {
      key: 'cased',
      flag: 'cased.model',
      environment: 'production',
      primaryMetric: { name: 'converted', type: 'rate' },
      minimumDetectableEffect: 0.05,
    };
    const bad = await t.http
      .post(`${P}/experiments`)
      .set(t.admin)
      .send({ ...experiment, controlVariant: 'model A', treatmentVariants: [treatment] });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([{ field: 'controlVariant', reason: 'controlVariant must use only letters, digits, ".", "-" and "_"' }]);
    await t.http
      .post(`${P}/experiments`)
      .set(t.admin)
      .send({ ...experiment, controlVariant: control, treatmentVariants: [treatment] })
      .expect(201);
    const results = (await t.http.get(`${P}/experiments/cased/results`).set(t.admin).expect(200)).body;
    expect(results.variants.map((v: { variant: string }) => v.variant)).toEqual([control, treatment]);
    await t.http.get(`${P}/flags/cased.model/environments/production/shadow-report`).query({ variant: treatment }).set(t.admin).expect(200);
    await t.http.post(`${P}/experiments/cased/promote`).set(t.admin).send({ variant: treatment, reason: 'the new model' }).expect(200);
    expect((await config('cased.model')).defaultRule).toEqual({ variant: treatment });

    await aStringFlag(t.http, t.admin, 'interplay', 'cased.rollout', [control, treatment]);
    await t.http
      .patch(`${P}/flags/cased.rollout/environments/production`)
      .set(t.admin)
      .send({ version: 0, on: true, defaultRule: { variant: control } })
      .expect(200);
    const created = await t.http.post(plans('cased.rollout')).set(t.admin).send({ candidateVariant: treatment, controlVariant: control }).expect(201);
    expect(created.body).toMatchObject({ candidateVariant: treatment, controlVariant: control });
  });
});
