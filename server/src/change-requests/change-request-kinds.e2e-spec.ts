import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/webhook-receiver.js';
import { aBooleanFlag, aProject, aStringFlag, aUser } from '../../test/builders.js';
import { simulateTraffic } from '../../test/experiment-traffic.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';
import { RolloutScheduler } from '../rollouts/rollout-scheduler.service.js';
import { ScheduledChangeScheduler } from '../scheduled-changes/scheduled-change-scheduler.service.js';

const P = '/api/v1/projects/crk';
const config = (flag: string, env = 'production') => `${P}/flags/${flag}/environments/${env}`;
const scheduledOf = (flag: string, env = 'production') => `${config(flag, env)}/scheduled-changes`;
const plansOf = (flag: string, env = 'production') => `${config(flag, env)}/rollout-plans`;
const requests = `${P}/change-requests`;
const segments = `${P}/segments`;
const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
const sleepUntil = async (iso: string) => {
  const wait = new Date(iso).getTime() - Date.now() + 50;
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
};
const segmentRule = (segment: string) => ({ clauses: [{ op: 'segment', segments: [segment] }], serve: { variant: 'on' } });

type Person = { token: string; email: string; id: string };

/** EXTENSION 2 of the change-request contract: scheduled changes, rollout plans and segments through requests. */
describe('change requests: scheduled, rollout-plan and segment requests', () => {
  let t: TestApp;
  let sdkKey: string;
  let author: Person;
  let approver: Person;
  let changes: ScheduledChangeScheduler;
  let rollouts: RolloutScheduler;
  let receiver: WebhookReceiver;

  const approveAndApply = async (number: number) => {
    await t.http.post(`${requests}/${number}/approve`).set(bearer(approver.token)).send({}).expect(200);
    return t.http.post(`${requests}/${number}/apply`).set(bearer(approver.token)).send({});
  };
  const current = async (flag: string) => (await t.http.get(config(flag)).set(t.admin).expect(200)).body;

  beforeAll(async () => {
    t = await startTestApp({ listen: true, env: { SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST: '127.0.0.1' } });
    // The tests decide when a pass runs.
    changes = t.app.get(ScheduledChangeScheduler);
    changes.stop();
    rollouts = t.app.get(RolloutScheduler);
    rollouts.stop();
    sdkKey = (
      await aProject(t.http, t.admin, 'crk', [
        { key: 'development', name: 'Development' },
        { key: 'production', name: 'Production' },
      ])
    ).sdkKeys.production!;
    [author, approver] = [await aUser(t.http, t.admin, 'editor'), await aUser(t.http, t.admin, 'editor')];
    receiver = await startWebhookReceiver();
    await t.http
      .post('/api/v1/webhooks')
      .set(t.admin)
      .send({
        name: 'reviews',
        url: receiver.url,
        events: ['change_request.created', 'change_request.approved', 'change_request.applied', 'change_request.rejected'],
        projectKey: 'crk',
      })
      .expect(201);

    // Everything written before production requires approval.
    await aBooleanFlag(t.http, t.admin, 'crk', 'gpu.step');
    await aBooleanFlag(t.http, t.admin, 'crk', 'gpu.later');
    for (const flag of ['model.ranker', 'measured.model']) await aStringFlag(t.http, t.admin, 'crk', flag, ['v1', 'v2']);
    await t.http
      .patch(config('model.ranker'))
      .set(t.admin)
      .send({ version: 0, on: true, defaultRule: { variant: 'v1' } })
      .expect(200);
    const split = {
      rollout: {
        variants: [
          { variant: 'v1', weight: 50_000 },
          { variant: 'v2', weight: 50_000 },
        ],
      },
    };
    await t.http.patch(config('measured.model')).set(t.admin).send({ version: 0, on: true, defaultRule: split }).expect(200);
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
    for (const key of ['beta-users', 'dev-only', 'unused'])
      await t.http
        .post(segments)
        .set(t.admin)
        .send({ key, name: key, included: ['run-1'] })
        .expect(201);
    await aBooleanFlag(t.http, t.admin, 'crk', 'etl.segmented');
    await t.http
      .patch(config('etl.segmented'))
      .set(t.admin)
      .send({ version: 0, on: true, rules: [segmentRule('beta-users')] })
      .expect(200);
    await t.http
      .patch(config('etl.segmented', 'development'))
      .set(t.admin)
      .send({ version: 0, on: true, rules: [segmentRule('dev-only')] })
      .expect(200);

    await t.http.patch(`${P}/environments/production`).set(t.admin).send({ requireApproval: true, requiredApprovals: 1 }).expect(200);
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  describe('A: scheduled through a change request', () => {
    it('turns a scheduled change into a request; applying it schedules the change, which the scheduler fires', async () => {
      const runAt = inMs(2500);
      const made = await t.http
        .post(scheduledOf('gpu.step'))
        .set(bearer(author.token))
        .send({ runAt, version: 0, patch: { on: true }, reason: 'GPU step on Saturday' })
        .expect(202);
      const request = made.body.changeRequest;
      expect(request).toMatchObject({
        kind: 'config',
        flag: 'gpu.step',
        segment: null,
        environment: 'production',
        runAt,
        scheduledChangeId: null,
        baseVersion: 0,
        status: 'pending',
        reason: 'GPU step on Saturday',
      });
      expect(request.change).toMatchObject({ on: true });
      expect(request.diff).toMatchObject({ before: { on: false }, after: { on: true } });
      // Nothing scheduled, nothing written.
      expect((await t.http.get(scheduledOf('gpu.step')).set(t.admin).expect(200)).body).toEqual([]);
      expect(await current('gpu.step')).toMatchObject({ on: false, version: 0 });

      const applied = await approveAndApply(request.number);
      expect(applied.status).toBe(200);
      expect(applied.body).toMatchObject({ status: 'applied', appliedVersion: null, runAt });
      expect(applied.body.scheduledChangeId).toEqual(expect.any(String));
      const listed = (await t.http.get(scheduledOf('gpu.step')).set(t.admin).expect(200)).body;
      expect(listed).toEqual([expect.objectContaining({ id: applied.body.scheduledChangeId, status: 'scheduled', runAt, baseVersion: 0, kind: 'replace' })]);
      expect(await current('gpu.step')).toMatchObject({ on: false, version: 0 });

      // Not due yet: a pass leaves it; once due, it fires and the config changes.
      expect(await changes.tick()).toMatchObject({ ran: true, applied: 0 });
      await sleepUntil(runAt);
      expect(await changes.tick()).toMatchObject({ ran: true, applied: 1 });
      expect(await current('gpu.step')).toMatchObject({ on: true, version: 1 });
      const fired = (
        await t.http
          .get(`${scheduledOf('gpu.step')}/${applied.body.scheduledChangeId}`)
          .set(t.admin)
          .expect(200)
      ).body;
      expect(fired).toMatchObject({ status: 'applied', appliedVersion: 1 });
      const audit = (await t.http.get('/api/v1/audit?project=crk&flag=gpu.step&limit=20').set(t.admin).expect(200)).body.items;
      expect(audit.map((e: { action: string }) => e.action)).toEqual(
        expect.arrayContaining(['change_request.created', 'change_request.applied', 'scheduled_change.created', 'scheduled_change.applied']),
      );
    });

    it('refuses editing the change a reviewed schedule will write, its base version included, and lets its time and reason move', async () => {
      await aBooleanFlag(t.http, t.admin, 'crk', 'gpu.edited');
      const runAt = inMs(3_600_000);
      const made = await t.http
        .post(scheduledOf('gpu.edited'))
        .set(bearer(author.token))
        .send({ runAt, version: 0, patch: { on: true }, reason: 'reviewed' })
        .expect(202);
      const applied = await approveAndApply(made.body.changeRequest.number);
      const id = applied.body.scheduledChangeId as string;
      for (const edit of [
        { patch: { on: false } },
        { replace: { on: false, offVariant: 'off', targets: [], rules: [], defaultRule: { variant: 'on' }, prerequisites: [] } },
        { version: 0 },
      ]) {
        const refused = await t.http
          .patch(`${scheduledOf('gpu.edited')}/${id}`)
          .set(bearer(author.token))
          .send(edit);
        expect(refused.status, JSON.stringify(edit)).toBe(403);
        expect(refused.body).toMatchObject({ error: 'APPROVAL_REQUIRED' });
      }
      const later = inMs(7_200_000);
      const moved = await t.http
        .patch(`${scheduledOf('gpu.edited')}/${id}`)
        .set(bearer(author.token))
        .send({ runAt: later, reason: 'a quieter hour' })
        .expect(200);
      expect(moved.body).toMatchObject({ runAt: later, reason: 'a quieter hour', config: { on: true } });
    });

    it('applies at once when runAt has passed by the time it is applied', async () => {
      const runAt = inMs(800);
      const made = await t.http
        .post(requests)
        .set(bearer(author.token))
        .send({
          kind: 'config',
          flag: 'gpu.later',
          environment: 'production',
          baseVersion: 0,
          change: { on: true, offVariant: 'off', targets: [], rules: [], defaultRule: { variant: 'on' }, prerequisites: [] },
          runAt,
          reason: 'soon',
        })
        .expect(201);
      expect(made.body).toMatchObject({ runAt, scheduledChangeId: null });
      await t.http.post(`${requests}/${made.body.number}/approve`).set(bearer(approver.token)).send({}).expect(200);
      await sleepUntil(runAt);
      const applied = await t.http.post(`${requests}/${made.body.number}/apply`).set(bearer(author.token)).send({}).expect(200);
      expect(applied.body).toMatchObject({ status: 'applied', appliedVersion: 1, scheduledChangeId: null });
      expect(await current('gpu.later')).toMatchObject({ on: true, version: 1 });
      expect((await t.http.get(scheduledOf('gpu.later')).set(t.admin).expect(200)).body).toEqual([]);
    });

    it('answers 400 naming runAt for a past, malformed or misplaced time, and the scheduled body fields by their own names', async () => {
      const field = (res: { status: number; body: { details?: Array<{ field: string }> } }) => {
        expect(res.status).toBe(400);
        return res.body.details?.map((d) => d.field);
      };
      const body = { kind: 'config', flag: 'gpu.later', environment: 'production', baseVersion: 1, reason: 'x' };
      const change = { on: false, offVariant: 'off', targets: [], rules: [], defaultRule: { variant: 'on' }, prerequisites: [] };
      expect(
        field(
          await t.http
            .post(requests)
            .set(bearer(author.token))
            .send({ ...body, change, runAt: 'tomorrow' }),
        ),
      ).toEqual(['runAt']);
      expect(
        field(
          await t.http
            .post(requests)
            .set(bearer(author.token))
            .send({ ...body, change, runAt: inMs(-60_000) }),
        ),
      ).toEqual(['runAt']);
      // No zone, and past the 366 days a schedule may reach.
      for (const runAt of [inMs(86_400_000).slice(0, 19), inMs(86_400_000).slice(0, 10), inMs(367 * 86_400_000)]) {
        expect(
          field(
            await t.http
              .post(requests)
              .set(bearer(author.token))
              .send({ ...body, change, runAt }),
          ),
          runAt,
        ).toEqual(['runAt']);
      }
      expect(
        field(
          await t.http
            .post(requests)
            .set(bearer(author.token))
            .send({ ...body, kind: 'archive', baseVersion: 1, runAt: inMs(60_000) }),
        ),
      ).toEqual(['runAt']);
      expect(
        field(
          await t.http
            .post(requests)
            .set(bearer(author.token))
            .send({ ...body, kind: 'segment', change }),
        ),
      ).toEqual(['kind']);
      expect(
        field(
          await t.http
            .post(scheduledOf('gpu.later'))
            .set(bearer(author.token))
            .send({ runAt: inMs(-60_000), version: 1, patch: { on: false } }),
        ),
      ).toEqual(['runAt']);
      expect(
        field(
          await t.http
            .post(scheduledOf('gpu.later'))
            .set(bearer(author.token))
            .send({ runAt: inMs(60_000), version: 1, patch: { defaultRule: { variant: 'nope' } } }),
        ),
      ).toEqual(['patch.defaultRule.variant']);
      // A stale version is refused as the direct write would, and no request is made.
      const stale = await t.http
        .post(scheduledOf('gpu.later'))
        .set(bearer(author.token))
        .send({ runAt: inMs(60_000), version: 0, patch: { on: false } });
      expect(stale.status).toBe(409);
      expect(stale.body.error).toBe('VERSION_CONFLICT');
    });
  });

  describe('B: rollout plans', () => {
    it('turns a new plan into a request; applying it creates and starts the plan, whose stages then run without asking', async () => {
      const made = await t.http.post(plansOf('model.ranker')).set(bearer(author.token)).send({ candidateVariant: 'v2', controlVariant: 'v1' }).expect(202);
      const request = made.body.changeRequest;
      expect(request).toMatchObject({
        kind: 'rollout-plan',
        flag: 'model.ranker',
        environment: 'production',
        baseVersion: 1,
        diff: null,
        change: { candidateVariant: 'v2', controlVariant: 'v1' },
        status: 'pending',
      });
      expect((await t.http.get(plansOf('model.ranker')).set(t.admin).expect(200)).body).toEqual([]);

      // A control baseline from real SDK calls, so the plan starts its first stage when it is created.
      await simulateTraffic(t.url, sdkKey, 'model.ranker', 120, () => ({}));
      const applied = await approveAndApply(request.number);
      expect(applied.status).toBe(200);
      expect(applied.body).toMatchObject({ status: 'applied', appliedVersion: 2 });
      const [plan] = (await t.http.get(plansOf('model.ranker')).set(t.admin).expect(200)).body;
      expect(plan).toMatchObject({ status: 'running', currentStage: 0, candidateVariant: 'v2' });
      expect((await current('model.ranker')).defaultRule).toEqual({
        rollout: {
          variants: [
            { variant: 'v1', weight: 99_000 },
            { variant: 'v2', weight: 1_000 },
          ],
        },
      });
      // Its controls are never gated.
      await t.http
        .post(`${plansOf('model.ranker')}/${plan.id}/pause`)
        .set(bearer(author.token))
        .send({ reason: 'hold' })
        .expect(200);
      await t.http
        .post(`${plansOf('model.ranker')}/${plan.id}/resume`)
        .set(bearer(author.token))
        .send({})
        .expect(200);
      expect(receiver.events.map((e) => e.event)).toEqual(expect.arrayContaining(['change_request.created', 'change_request.applied']));
    });

    it('refuses to apply a plan the direct POST would refuse (a running experiment), writing nothing', async () => {
      const before = await current('measured.model');
      const made = await t.http.post(plansOf('measured.model')).set(bearer(author.token)).send({ candidateVariant: 'v2', controlVariant: 'v1' }).expect(202);
      const refused = await approveAndApply(made.body.changeRequest.number);
      expect(refused.status).toBe(409);
      expect(refused.body.message).toMatch(/Experiment 'measured' runs on flag 'measured\.model'/);
      expect((await t.http.get(`${requests}/${made.body.changeRequest.number}`).set(t.admin).expect(200)).body).toMatchObject({
        status: 'approved',
        appliedAt: null,
      });
      expect((await t.http.get(plansOf('measured.model')).set(t.admin).expect(200)).body).toEqual([]);
      expect(await current('measured.model')).toEqual(before);
    });

    it('validates the plan body as the direct POST does (400 naming the field)', async () => {
      const bad = await t.http.post(plansOf('measured.model')).set(bearer(author.token)).send({ candidateVariant: 'v2', controlVariant: 'v1', stages: 'all' });
      expect(bad.status).toBe(400);
      expect(bad.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'stages' })]));
    });
  });

  describe('C: segments', () => {
    it('turns an update of a segment used in a gated environment into a request; applying it writes the segment', async () => {
      const made = await t.http
        .patch(`${segments}/beta-users`)
        .set(bearer(author.token))
        .send({ version: 1, included: ['run-1', 'run-2'], reason: 'add run-2' })
        .expect(202);
      const request = made.body.changeRequest;
      expect(request).toMatchObject({
        kind: 'segment',
        flag: null,
        segment: 'beta-users',
        environment: 'production',
        baseVersion: 1,
        change: { included: ['run-1', 'run-2'] },
        diff: { before: { key: 'beta-users', included: ['run-1'], version: 1 }, after: { included: ['run-1', 'run-2'] } },
        reason: 'add run-2',
        status: 'pending',
        runAt: null,
      });
      expect((await t.http.get(`${segments}/beta-users`).set(t.admin).expect(200)).body).toMatchObject({ version: 1, included: ['run-1'] });
      const listed = (await t.http.get(`${requests}?segment=beta-users`).set(t.admin).expect(200)).body.items;
      expect(listed.map((r: { number: number }) => r.number)).toEqual([request.number]);

      const applied = await approveAndApply(request.number);
      expect(applied.status).toBe(200);
      expect(applied.body).toMatchObject({ status: 'applied', appliedVersion: 2 });
      expect((await t.http.get(`${segments}/beta-users`).set(t.admin).expect(200)).body).toMatchObject({ version: 2, included: ['run-1', 'run-2'] });
      const audit = (await t.http.get('/api/v1/audit?project=crk&limit=50').set(t.admin).expect(200)).body.items;
      expect(audit).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ action: 'change_request.applied', resourceType: 'segment', resourceKey: 'beta-users' }),
          expect.objectContaining({ action: 'segment.updated', resourceKey: 'beta-users' }),
        ]),
      );
    });

    it('refuses a stale segment request with STALE_BASE, writing nothing', async () => {
      const first = (await t.http.patch(`${segments}/beta-users`).set(bearer(author.token)).send({ version: 2, name: 'Beta' }).expect(202)).body.changeRequest;
      const second = (
        await t.http
          .patch(`${segments}/beta-users`)
          .set(bearer(author.token))
          .send({ version: 2, excluded: ['run-9'] })
          .expect(202)
      ).body.changeRequest;
      await t.http.post(`${requests}/${second.number}/approve`).set(bearer(approver.token)).send({}).expect(200);
      expect((await approveAndApply(first.number)).status).toBe(200);
      expect((await t.http.get(`${requests}/${second.number}`).set(t.admin).expect(200)).body.stale).toBe(true);
      const stale = await t.http.post(`${requests}/${second.number}/apply`).set(bearer(approver.token)).send({}).expect(409);
      expect(stale.body).toMatchObject({ error: 'STALE_BASE', details: { baseVersion: 2, currentVersion: 3 } });
      expect((await t.http.get(`${segments}/beta-users`).set(t.admin).expect(200)).body).toMatchObject({ version: 3, name: 'Beta', excluded: [] });

      // A stale version on the write itself: 409 VERSION_CONFLICT, no request.
      const conflict = await t.http.patch(`${segments}/beta-users`).set(bearer(author.token)).send({ version: 1, name: 'x' }).expect(409);
      expect(conflict.body.error).toBe('VERSION_CONFLICT');
    });

    it('writes a segment unused in gated environments directly', async () => {
      const unused = await t.http
        .patch(`${segments}/unused`)
        .set(bearer(author.token))
        .send({ version: 1, included: ['a'] })
        .expect(200);
      expect(unused.body).toMatchObject({ version: 2, included: ['a'] });
      const devOnly = await t.http
        .patch(`${segments}/dev-only`)
        .set(bearer(author.token))
        .send({ version: 1, included: ['b'] })
        .expect(200);
      expect(devOnly.body).toMatchObject({ version: 2, included: ['b'] });
      await t.http.post(segments).set(bearer(author.token)).send({ key: 'brand-new', name: 'new' }).expect(201);
      const bad = await t.http.patch(`${segments}/beta-users`).set(bearer(author.token)).send({ version: 3, included: 'run-1' });
      expect(bad.status).toBe(400);
      expect(bad.body.details.map((d: { field: string }) => d.field)).toContain('included');
    });
  });
});
