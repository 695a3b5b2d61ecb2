import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aProject, aStringFlag, aUser } from '../../test/builders.js';
import { seeded, simulateTraffic } from '../../test/experiment-traffic.js';
import { startTestApp, type TestApp } from '../../test/test-app.js';
import { DomainEvents, type ExperimentDecidedEvent } from '../common/events/domain-events.js';
import { ExperimentScheduler } from './experiment-scheduler.service.js';

const P = '/api/v1/projects/life';
const HOUR = 3_600_000;

describe('experiment lifecycle: update, stop, maximum duration, auto-rollback', () => {
  let t: TestApp;
  let sdkKey: string;
  let scheduler: ExperimentScheduler;
  const decided: ExperimentDecidedEvent[] = [];

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    const project = await aProject(t.http, t.admin, 'life', [{ key: 'production', name: 'Production' }]);
    sdkKey = project.sdkKeys.production!;
    scheduler = t.app.get(ExperimentScheduler);
    scheduler.stop();
    t.app.get(DomainEvents).on('experiment.decided', (e) => decided.push(e));
    for (const flag of ['edit.model', 'stop.model', 'winner.model', 'tie.model', 'guard.model', 'race.model']) {
      await aStringFlag(t.http, t.admin, 'life', flag, ['v1', 'v2']);
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

  const experiment = (key: string, flag: string, extra: Record<string, unknown> = {}) =>
    t.http
      .post(`${P}/experiments`)
      .set(t.admin)
      .send({
        key,
        flag,
        environment: 'production',
        controlVariant: 'v1',
        treatmentVariants: ['v2'],
        primaryMetric: { name: 'converted', type: 'rate' },
        minimumDetectableEffect: 0.05,
        baselineRate: 0.1,
        ...extra,
      });
  const conversions = (rates: Record<string, number>, seed: number) => {
    const draws: Record<string, () => number> = { v1: seeded(seed), v2: seeded(seed * 31) };
    return (variant: string) => ({ converted: draws[variant]!() < rates[variant]! ? 1 : 0 });
  };
  const configVersion = async (flag: string) => (await t.http.get(`${P}/flags/${flag}/environments/production`).set(t.admin).expect(200)).body;

  it('updates a running experiment with a reason, audited before and after, and refuses what cannot work', async () => {
    await experiment('edit-v2', 'edit.model').expect(201);
    const updated = await t.http
      .patch(`${P}/experiments/edit-v2`)
      .set(t.admin)
      .send({
        minimumDetectableEffect: 0.03,
        guardrailMetrics: [{ name: 'model.latency_ms', type: 'mean', better: 'decrease' }],
        maxDurationHours: 48,
        reason: 'tighter MDE',
      })
      .expect(200);
    expect(updated.body).toMatchObject({
      minimumDetectableEffect: 0.03,
      maxDurationHours: 48,
      guardrailMetrics: [{ name: 'model.latency_ms', type: 'mean', better: 'decrease' }],
    });
    const audit = await t.http.get('/api/v1/audit').query({ project: 'life' }).set(t.admin).expect(200);
    const entry = JSON.stringify(audit.body);
    expect(entry).toContain('experiment.updated');
    expect(entry).toContain('tighter MDE');

    // A rate difference that leaves [0, 1] from the 0.1 baseline both ways.
    const impossible = await t.http.patch(`${P}/experiments/edit-v2`).set(t.admin).send({ minimumDetectableEffect: 0.95, reason: 'x' });
    expect(impossible.status).toBe(400);
    expect(impossible.body.details[0].field).toBe('minimumDetectableEffect');
    const noReason = await t.http.patch(`${P}/experiments/edit-v2`).set(t.admin).send({ alpha: 0.01 });
    expect(noReason.status).toBe(400);
    expect(noReason.body.details.map((d: { field: string }) => d.field)).toContain('reason');
    expect((await t.http.patch(`${P}/experiments/edit-v2`).set(t.admin).send({ alpha: 5, reason: 'x' })).status).toBe(400);
    // Nothing of the refused requests landed.
    expect((await t.http.get(`${P}/experiments/edit-v2`).set(t.admin).expect(200)).body).toMatchObject({ minimumDetectableEffect: 0.03, alpha: 0.05 });

    const viewer = await aUser(t.http, t.admin, 'viewer');
    expect(
      (
        await t.http
          .patch(`${P}/experiments/edit-v2`)
          .set({ Authorization: `Bearer ${viewer.token}` })
          .send({ alpha: 0.01, reason: 'x' })
      ).status,
    ).toBe(403);
    expect((await t.http.patch(`${P}/experiments/missing`).set(t.admin).send({ alpha: 0.01, reason: 'x' })).status).toBe(404);
  });

  it('stops without a decision: the flag keeps serving what it serves', async () => {
    await experiment('stop-v2', 'stop.model').expect(201);
    const before = await configVersion('stop.model');
    const stopped = await t.http.post(`${P}/experiments/stop-v2/stop`).set(t.admin).send({ reason: 'the model team changed plans' }).expect(200);
    expect(stopped.body).toMatchObject({ status: 'closed', decision: 'stopped', winner: null });
    expect(stopped.body.closedAt).not.toBeNull();
    const after = await configVersion('stop.model');
    expect(after.version).toBe(before.version);
    expect(after.defaultRule).toEqual(before.defaultRule);
    expect((await t.http.post(`${P}/experiments/stop-v2/stop`).set(t.admin).send({})).status).toBe(409);
    expect((await t.http.patch(`${P}/experiments/stop-v2`).set(t.admin).send({ alpha: 0.01, reason: 'x' })).status).toBe(409);
    // The flag is free for the next experiment.
    await experiment('stop-v3', 'stop.model').expect(201);
  });

  it('concludes on its own at its maximum duration: the winner when there is one', async () => {
    const created = await experiment('winner-v2', 'winner.model', { maxDurationHours: 24 }).expect(201);
    const started = Date.parse(created.body.startedAt);
    await simulateTraffic(t.url, sdkKey, 'winner.model', 1200, conversions({ v1: 0.1, v2: 0.3 }, 11));
    // Before the limit nothing happens, however clear the result.
    expect((await scheduler.tick(new Date(started + 23 * HOUR))).concluded).not.toContain('winner-v2');
    expect((await t.http.get(`${P}/experiments/winner-v2`).set(t.admin).expect(200)).body.status).toBe('running');

    expect((await scheduler.tick(new Date(started + 25 * HOUR))).concluded).toContain('winner-v2');
    const closed = (await t.http.get(`${P}/experiments/winner-v2`).set(t.admin).expect(200)).body;
    expect(closed).toMatchObject({ status: 'closed', decision: 'promoted', winner: 'v2' });
    expect((await configVersion('winner.model')).defaultRule).toEqual({ variant: 'v2' });
    expect(decided).toContainEqual(
      expect.objectContaining({
        experimentKey: 'winner-v2',
        recommendation: 'promote',
        details: expect.objectContaining({ decision: 'promoted', reason: expect.stringMatching(/maximum duration of 24 h reached/) }),
      }),
    );
    // A second pass (or another instance) finds it closed.
    expect((await scheduler.tick(new Date(started + 26 * HOUR))).concluded).not.toContain('winner-v2');
  });

  it('concludes without a winner by going back to control', async () => {
    const created = await experiment('tie-v2', 'tie.model', { maxDurationHours: 1 }).expect(201);
    await simulateTraffic(t.url, sdkKey, 'tie.model', 200, conversions({ v1: 0.1, v2: 0.1 }, 12));
    expect((await scheduler.tick(new Date(Date.parse(created.body.startedAt) + 2 * HOUR))).concluded).toContain('tie-v2');
    expect((await t.http.get(`${P}/experiments/tie-v2`).set(t.admin).expect(200)).body).toMatchObject({ decision: 'rolled-back', winner: 'v1' });
    expect((await configVersion('tie.model')).defaultRule).toEqual({ variant: 'v1' });
  });

  it('acts once when two passes conclude the same experiment at the same moment (two instances)', async () => {
    const created = await experiment('race-v2', 'race.model', { maxDurationHours: 1 }).expect(201);
    await simulateTraffic(t.url, sdkKey, 'race.model', 200, conversions({ v1: 0.1, v2: 0.1 }, 15));
    const versionBefore = (await configVersion('race.model')).version as number;
    const at = new Date(Date.parse(created.body.startedAt) + 2 * HOUR);
    const passes = await Promise.all([scheduler.tick(at), scheduler.tick(at), scheduler.tick(at)]);
    expect(passes.filter((pass) => pass.concluded.includes('race-v2'))).toHaveLength(1);
    expect(decided.filter((e) => e.experimentKey === 'race-v2')).toHaveLength(1);
    expect((await configVersion('race.model')).version).toBe(versionBefore + 1);
    const audit = (await t.http.get('/api/v1/audit?project=life&flag=race.model&limit=50').set(t.admin).expect(200)).body.items as Array<{ action: string }>;
    // The rollout set up in beforeAll, and the one write the conclusion made.
    expect(audit.filter((e) => e.action.startsWith('flag.config.')).map((e) => e.action)).toEqual(['flag.config.updated', 'flag.config.updated']);
  });

  it('rolls back on its own when a guardrail is significantly worse, with auto-rollback on', async () => {
    await experiment('guard-v2', 'guard.model', {
      autoRollback: true,
      guardrailMetrics: [{ name: 'model.latency_ms', type: 'mean', better: 'decrease' }],
    }).expect(201);
    const latency = seeded(13);
    const convert = conversions({ v1: 0.1, v2: 0.1 }, 14);
    await simulateTraffic(t.url, sdkKey, 'guard.model', 600, (variant) => ({
      ...convert(variant),
      // v2 is 40 ms slower on a 10 ms spread: a clear harm.
      'model.latency_ms': (variant === 'v2' ? 140 : 100) + (latency() - 0.5) * 20,
    }));
    expect((await scheduler.tick()).concluded).toContain('guard-v2');
    expect((await t.http.get(`${P}/experiments/guard-v2`).set(t.admin).expect(200)).body).toMatchObject({ decision: 'rolled-back', winner: 'v1' });
    expect(decided).toContainEqual(
      expect.objectContaining({
        experimentKey: 'guard-v2',
        details: expect.objectContaining({ reason: expect.stringMatching(/auto-rollback, guardrail significantly worse: model\.latency_ms \(v2\)/) }),
      }),
    );
  });
});
