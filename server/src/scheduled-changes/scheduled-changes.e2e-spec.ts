import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/webhook-receiver.js';
import { aBooleanFlag, aProject, aStringFlag, aUser } from '../../test/builders.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';
import { testDatabaseUrl } from '../../test/test-database.js';
import { ROLLOUT_SCHEDULER_LOCK_KEY } from '../rollouts/rollouts.repository.js';
import { ScheduledChangeScheduler } from './scheduled-change-scheduler.service.js';
import { SCHEDULED_CHANGES_LOCK_KEY } from './scheduled-changes.repository.js';

const config = (flag: string, env = 'development') => `/api/v1/projects/sched/flags/${flag}/environments/${env}`;
const scheduled = (flag: string, env = 'development') => `${config(flag, env)}/scheduled-changes`;
const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
const sleepUntil = async (iso: string) => {
  const wait = new Date(iso).getTime() - Date.now() + 50;
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
};

describe('scheduled changes', () => {
  let t: TestApp;
  let scheduler: ScheduledChangeScheduler;
  let editor: { token: string; email: string };
  let viewer: { token: string };
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    t = await startTestApp({ env: { SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST: '127.0.0.1' } });
    // The tests decide when a pass runs.
    scheduler = t.app.get(ScheduledChangeScheduler);
    scheduler.stop();
    await aProject(t.http, t.admin, 'sched', [
      { key: 'development', name: 'Development' },
      { key: 'production', name: 'Production', requireChangeReason: true },
    ]);
    editor = await aUser(t.http, t.admin, 'editor');
    viewer = await aUser(t.http, t.admin, 'viewer');
    receiver = await startWebhookReceiver();
    await t.http
      .post('/api/v1/webhooks')
      .set(t.admin)
      .send({ name: 'schedule-alerts', url: receiver.url, events: ['scheduled_change.failed'], projectKey: 'sched' })
      .expect(201);
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  it('applies a due change once, as a versioned write by its author with "scheduled" in the audited reason', async () => {
    await aBooleanFlag(t.http, t.admin, 'sched', 'gpu.step');
    const runAt = inMs(2000);
    const created = await t.http
      .post(scheduled('gpu.step'))
      .set(bearer(editor.token))
      .send({ runAt, version: 0, reason: 'turn the GPU step on', patch: { on: true } })
      .expect(201);
    expect(created.body).toMatchObject({ status: 'scheduled', kind: 'patch', baseVersion: 0, stale: false, author: { type: 'user', name: editor.email } });
    expect(created.body.proposed).toMatchObject({ on: true, version: 0 });

    // Not yet due: a pass leaves it alone.
    expect(await scheduler.tick()).toMatchObject({ ran: true, applied: 0 });
    expect((await t.http.get(config('gpu.step')).set(t.admin)).body).toMatchObject({ on: false, version: 0 });

    await sleepUntil(runAt);
    expect(await scheduler.tick()).toMatchObject({ ran: true, applied: 1, refused: 0 });
    expect(await scheduler.tick()).toMatchObject({ applied: 0, refused: 0 });
    expect((await t.http.get(config('gpu.step')).set(t.admin)).body).toMatchObject({ on: true, version: 1 });

    const [change] = (await t.http.get(scheduled('gpu.step')).set(bearer(viewer.token)).expect(200)).body;
    expect(change).toMatchObject({ id: created.body.id, status: 'applied', appliedVersion: 1, proposed: null });
    expect(change.finishedAt).not.toBeNull();

    const versions = (
      await t.http
        .get(`${config('gpu.step')}/versions`)
        .set(t.admin)
        .expect(200)
    ).body.items;
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({
      version: 1,
      action: 'flag.config.updated',
      reason: 'scheduled: turn the GPU step on',
      actor: { type: 'user', name: editor.email },
    });
    const audit = (await t.http.get('/api/v1/audit?project=sched&flag=gpu.step&limit=5').set(t.admin).expect(200)).body.items.map(
      (e: { action: string }) => e.action,
    );
    expect(audit).toEqual(expect.arrayContaining(['scheduled_change.created', 'scheduled_change.applied', 'flag.config.updated']));
  });

  it('replaces the whole config when it schedules a replacement', async () => {
    await aStringFlag(t.http, t.admin, 'sched', 'model.ranker');
    const runAt = inMs(2000);
    const replace = {
      on: true,
      offVariant: 'v1',
      targets: [{ variant: 'v3', values: ['qa-run'] }],
      rules: [],
      defaultRule: {
        rollout: {
          variants: [
            { variant: 'v1', weight: 50_000 },
            { variant: 'v2', weight: 50_000 },
          ],
        },
      },
      prerequisites: [],
    };
    await t.http.post(scheduled('model.ranker')).set(bearer(editor.token)).send({ runAt, version: 0, replace }).expect(201);
    await sleepUntil(runAt);
    expect(await scheduler.tick()).toMatchObject({ applied: 1 });
    expect((await t.http.get(config('model.ranker')).set(t.admin)).body).toMatchObject({ ...replace, version: 1 });
  });

  it('does not apply a change whose base version moved: marks it conflict, audits it and sends scheduled_change.failed', async () => {
    await aBooleanFlag(t.http, t.admin, 'sched', 'stale.flag');
    const runAt = inMs(2000);
    const created = await t.http
      .post(scheduled('stale.flag'))
      .set(bearer(editor.token))
      .send({ runAt, version: 0, patch: { on: true } })
      .expect(201);
    // Someone changes the config meanwhile.
    await t.http.patch(config('stale.flag')).set(t.admin).send({ version: 0, offVariant: 'on' }).expect(200);
    const listed = (await t.http.get(scheduled('stale.flag')).set(t.admin).expect(200)).body[0];
    expect(listed).toMatchObject({ status: 'scheduled', stale: true });

    await sleepUntil(runAt);
    expect(await scheduler.tick()).toMatchObject({ applied: 0, refused: 1 });
    expect((await t.http.get(config('stale.flag')).set(t.admin)).body).toMatchObject({ on: false, offVariant: 'on', version: 1 });
    const [change] = (await t.http.get(scheduled('stale.flag')).set(t.admin).expect(200)).body;
    expect(change).toMatchObject({ id: created.body.id, status: 'conflict', failure: { code: 'VERSION_CONFLICT', currentVersion: 1 }, appliedVersion: null });

    const audit = (await t.http.get('/api/v1/audit?project=sched&flag=stale.flag&limit=5').set(t.admin).expect(200)).body.items;
    expect(audit[0]).toMatchObject({ action: 'scheduled_change.failed', actorType: 'user', actorName: editor.email });
    await expect.poll(() => receiver.events.map((e) => e.event), { timeout: 10_000 }).toContain('scheduled_change.failed');
    expect(receiver.events.find((e) => e.event === 'scheduled_change.failed')!.data).toMatchObject({
      id: created.body.id,
      flagKey: 'stale.flag',
      environmentKey: 'development',
      status: 'conflict',
      baseVersion: 0,
      currentVersion: 1,
      code: 'VERSION_CONFLICT',
    });
  });

  it('marks a change failed, not applied, when its flag was archived before it was due', async () => {
    await aBooleanFlag(t.http, t.admin, 'sched', 'archived.flag');
    const runAt = inMs(2000);
    await t.http
      .post(scheduled('archived.flag'))
      .set(bearer(editor.token))
      .send({ runAt, version: 0, patch: { on: true } })
      .expect(201);
    await t.http.post('/api/v1/projects/sched/flags/archived.flag/archive').set(t.admin).send({}).expect(200);
    await sleepUntil(runAt);
    expect(await scheduler.tick()).toMatchObject({ refused: 1 });
    const [change] = (await t.http.get(scheduled('archived.flag')).set(t.admin).expect(200)).body;
    expect(change).toMatchObject({ status: 'failed', failure: { code: 'CONFLICT' } });
  });

  it('checks a change again when it runs: one naming a segment deleted meanwhile is marked failed, audited and announced, and writes nothing', async () => {
    await aBooleanFlag(t.http, t.admin, 'sched', 'segment.flag');
    await t.http
      .post('/api/v1/projects/sched/segments')
      .set(t.admin)
      .send({ key: 'beta-users', name: 'Beta users', included: ['u1'] })
      .expect(201);
    const runAt = inMs(2000);
    const rules = [{ clauses: [{ op: 'segment', segments: ['beta-users'] }], serve: { variant: 'on' } }];
    const created = await t.http
      .post(scheduled('segment.flag'))
      .set(bearer(editor.token))
      .send({ runAt, version: 0, patch: { on: true, rules } })
      .expect(201);
    // Nothing uses the segment yet (the change is only scheduled), so it may be deleted.
    await t.http.delete('/api/v1/projects/sched/segments/beta-users').set(t.admin).expect(204);
    await sleepUntil(runAt);
    expect(await scheduler.tick()).toMatchObject({ applied: 0, refused: 1 });
    const change = (
      await t.http
        .get(`${scheduled('segment.flag')}/${created.body.id}`)
        .set(t.admin)
        .expect(200)
    ).body;
    expect(change).toMatchObject({ status: 'failed', failure: { message: expect.stringContaining('beta-users') } });
    expect((await t.http.get(config('segment.flag')).set(t.admin).expect(200)).body).toMatchObject({ version: 0, on: false, rules: [] });
    const audit = (await t.http.get('/api/v1/audit?project=sched&flag=segment.flag&limit=10').set(t.admin).expect(200)).body.items;
    expect(audit[0]).toMatchObject({ action: 'scheduled_change.failed' });
    await expect
      .poll(() => receiver.events.filter((e) => e.event === 'scheduled_change.failed').map((e) => (e.data as { flagKey?: string }).flagKey), {
        timeout: 10_000,
      })
      .toContain('segment.flag');
  });

  it('edits a change before it runs: time, reason, the change itself, and a rebase onto the current version', async () => {
    await aStringFlag(t.http, t.admin, 'sched', 'edit.flag');
    const created = await t.http
      .post(scheduled('edit.flag'))
      .set(bearer(editor.token))
      .send({ runAt: inMs(60_000), version: 0, patch: { on: true } })
      .expect(201);
    const id = created.body.id as string;
    const runAt = inMs(2000);
    const edited = await t.http
      .patch(`${scheduled('edit.flag')}/${id}`)
      .set(bearer(editor.token))
      .send({ runAt, reason: 'remove the old variant', patch: { defaultRule: { variant: 'v2' } } })
      .expect(200);
    expect(edited.body).toMatchObject({ runAt, reason: 'remove the old variant', config: { defaultRule: { variant: 'v2' } } });
    expect(edited.body.config.on).toBeUndefined();

    await t.http.patch(config('edit.flag')).set(t.admin).send({ version: 0, on: true }).expect(200);
    expect(
      (
        await t.http
          .get(`${scheduled('edit.flag')}/${id}`)
          .set(t.admin)
          .expect(200)
      ).body.stale,
    ).toBe(true);
    await t.http
      .patch(`${scheduled('edit.flag')}/${id}`)
      .set(bearer(editor.token))
      .send({ version: 0 })
      .expect(409);
    const rebased = await t.http
      .patch(`${scheduled('edit.flag')}/${id}`)
      .set(bearer(editor.token))
      .send({ version: 1 })
      .expect(200);
    expect(rebased.body).toMatchObject({ baseVersion: 1, stale: false });
    // Clearing the reason: null.
    expect(
      (
        await t.http
          .patch(`${scheduled('edit.flag')}/${id}`)
          .set(bearer(editor.token))
          .send({ reason: null })
          .expect(200)
      ).body.reason,
    ).toBeNull();

    await sleepUntil(runAt);
    expect(await scheduler.tick()).toMatchObject({ applied: 1 });
    expect((await t.http.get(config('edit.flag')).set(t.admin)).body).toMatchObject({ on: true, defaultRule: { variant: 'v2' }, version: 2 });
    const late = await t.http
      .patch(`${scheduled('edit.flag')}/${id}`)
      .set(bearer(editor.token))
      .send({ runAt: inMs(60_000) })
      .expect(409);
    expect(late.body.message).toMatch(/is applied/);
  });

  it('cancels a change so that it never runs, and refuses to cancel it twice', async () => {
    await aBooleanFlag(t.http, t.admin, 'sched', 'cancel.flag');
    const runAt = inMs(2000);
    const { id } = (
      await t.http
        .post(scheduled('cancel.flag'))
        .set(bearer(editor.token))
        .send({ runAt, version: 0, patch: { on: true } })
        .expect(201)
    ).body;
    const cancelled = await t.http
      .delete(`${scheduled('cancel.flag')}/${id}?reason=not%20this%20week`)
      .set(bearer(editor.token))
      .expect(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled' });
    await sleepUntil(runAt);
    expect(await scheduler.tick()).toMatchObject({ applied: 0, refused: 0 });
    expect((await t.http.get(config('cancel.flag')).set(t.admin)).body).toMatchObject({ on: false, version: 0 });
    await t.http
      .delete(`${scheduled('cancel.flag')}/${id}`)
      .set(bearer(editor.token))
      .expect(409);
    const audit = (await t.http.get('/api/v1/audit?project=sched&flag=cancel.flag&limit=1').set(t.admin).expect(200)).body.items[0];
    expect(audit).toMatchObject({ action: 'scheduled_change.cancelled', reason: 'not this week' });
  });

  it('applies each due change once when passes run concurrently (the scheduler lock and row locks)', async () => {
    const keys = ['lock.a', 'lock.b', 'lock.c', 'lock.d'];
    for (const key of keys) await aBooleanFlag(t.http, t.admin, 'sched', key);
    const runAt = inMs(2500);
    for (const key of keys) {
      await t.http
        .post(scheduled(key))
        .set(bearer(editor.token))
        .send({ runAt, version: 0, patch: { on: true } })
        .expect(201);
    }
    await sleepUntil(runAt);
    const passes = await Promise.all(Array.from({ length: 5 }, () => scheduler.tick()));
    expect(passes.reduce((sum, p) => sum + p.applied, 0)).toBe(keys.length);
    expect(passes.reduce((sum, p) => sum + p.refused, 0)).toBe(0);
    for (const key of keys) expect((await t.http.get(config(key)).set(t.admin)).body).toMatchObject({ on: true, version: 1 });
  });

  // Another session holding a lock: PostgreSQL only (the embedded database is one session).
  it.runIf(testDatabaseUrl())(
    "applies a due change while a rollout pass holds the rollout scheduler's lock, and only one pass of its own at a time",
    async () => {
      await aBooleanFlag(t.http, t.admin, 'sched', 'lock.separate');
      const runAt = inMs(1500);
      await t.http
        .post(scheduled('lock.separate'))
        .set(bearer(editor.token))
        .send({ runAt, version: 0, patch: { on: true } })
        .expect(201);
      await sleepUntil(runAt);
      // A session standing for another instance, its transaction open as a long pass's would be.
      const other = new pg.Client({ connectionString: t.databaseUrl! });
      await other.connect();
      try {
        await other.query('BEGIN');
        // The scheduled changes' own lock held elsewhere: this instance's pass does not run (another instance's does).
        await other.query(`SELECT pg_advisory_xact_lock(${SCHEDULED_CHANGES_LOCK_KEY}::bigint)`);
        expect(await scheduler.tick()).toMatchObject({ ran: false, applied: 0 });
        await other.query('ROLLBACK');
        await other.query('BEGIN');
        // The rollout scheduler's lock held elsewhere (a long rollout pass): the due change is applied all the same.
        await other.query(`SELECT pg_advisory_xact_lock(${ROLLOUT_SCHEDULER_LOCK_KEY}::bigint)`);
        expect(await scheduler.tick()).toMatchObject({ ran: true, applied: 1, refused: 0 });
        expect((await t.http.get(config('lock.separate')).set(t.admin)).body).toMatchObject({ on: true, version: 1 });
      } finally {
        await other.query('ROLLBACK').catch(() => undefined);
        await other.end();
      }
    },
  );

  it('refuses bad requests with 400 naming the field', async () => {
    await aStringFlag(t.http, t.admin, 'sched', 'valid.flag');
    const post = (body: Record<string, unknown>, env = 'development') => t.http.post(scheduled('valid.flag', env)).set(bearer(editor.token)).send(body);
    const fieldsOf = (res: { body: { details?: Array<{ field: string }> } }) => (res.body.details ?? []).map((d) => d.field);

    const past = await post({ runAt: inMs(-60_000), version: 0, patch: { on: true } }).expect(400);
    expect(past.body.details).toEqual([{ field: 'runAt', reason: expect.stringMatching(/future/) }]);
    expect(fieldsOf(await post({ runAt: inMs(400 * 24 * 3600_000), version: 0, patch: { on: true } }).expect(400))).toEqual(['runAt']);
    expect(fieldsOf(await post({ runAt: 'next monday', version: 0, patch: { on: true } }).expect(400))).toEqual(['runAt']);
    // Without a zone JavaScript would read it as the server's local time (or midnight UTC for a bare date).
    const soon = new Date(Date.now() + 2 * 86_400_000).toISOString();
    for (const runAt of [soon.slice(0, 19), soon.slice(0, 10), soon.slice(0, 16)]) {
      const zoneless = await post({ runAt, version: 0, patch: { on: true } }).expect(400);
      expect(zoneless.body.details, runAt).toEqual([{ field: 'runAt', reason: 'runAt must be an ISO 8601 date-time with a zone, e.g. 2026-12-05T02:00:00Z' }]);
    }
    expect(fieldsOf(await post({ runAt: inMs(60_000), version: 0 }).expect(400))).toEqual(['replace']);
    expect(fieldsOf(await post({ runAt: inMs(60_000), version: 0, patch: { on: true }, replace: { on: true } }).expect(400))).toContain('replace.offVariant');
    expect(
      fieldsOf(
        await post({
          runAt: inMs(60_000),
          version: 0,
          patch: { on: true },
          replace: { on: true, offVariant: null, targets: [], rules: [], defaultRule: null, prerequisites: [] },
        }).expect(400),
      ),
    ).toEqual(['patch']);
    const badVariant = await post({ runAt: inMs(60_000), version: 0, patch: { defaultRule: { variant: 'v9' } } }).expect(400);
    expect(badVariant.body.details).toEqual([{ field: 'patch.defaultRule.variant', reason: "variant 'v9' does not exist in this flag" }]);
    expect(fieldsOf(await post({ runAt: inMs(60_000), version: 0, patch: { on: 'yes' } }).expect(400))).toEqual(['patch.on']);
    expect(fieldsOf(await post({ runAt: inMs(60_000), version: 0, patch: { on: true } }, 'production').expect(400))).toEqual(['reason']);
    await post({ runAt: inMs(60_000), version: 7, patch: { on: true } }).expect(409);
    await t.http
      .post(scheduled('no.such.flag'))
      .set(bearer(editor.token))
      .send({ runAt: inMs(60_000), version: 0, patch: { on: true } })
      .expect(404);
    await t.http
      .patch(`${scheduled('valid.flag')}/not-a-uuid`)
      .set(bearer(editor.token))
      .send({})
      .expect(400);
    await t.http
      .delete(`${scheduled('valid.flag')}/00000000-0000-4000-8000-000000000000`)
      .set(bearer(editor.token))
      .expect(404);
    // None of these left a change behind.
    expect((await t.http.get(scheduled('valid.flag')).set(t.admin).expect(200)).body).toEqual([]);
  });

  it('lets viewers list, and only editors and up schedule, edit and cancel', async () => {
    await aBooleanFlag(t.http, t.admin, 'sched', 'perm.flag');
    const body = { runAt: inMs(60_000), version: 0, patch: { on: true } };
    await t.http.post(scheduled('perm.flag')).set(bearer(viewer.token)).send(body).expect(403);
    const { id } = (await t.http.post(scheduled('perm.flag')).set(bearer(editor.token)).send(body).expect(201)).body;
    expect((await t.http.get(scheduled('perm.flag')).set(bearer(viewer.token)).expect(200)).body).toHaveLength(1);
    await t.http
      .patch(`${scheduled('perm.flag')}/${id}`)
      .set(bearer(viewer.token))
      .send({ runAt: inMs(120_000) })
      .expect(403);
    await t.http
      .delete(`${scheduled('perm.flag')}/${id}`)
      .set(bearer(viewer.token))
      .expect(403);
    await t.http.get(scheduled('perm.flag')).expect(401);
    await t.http
      .delete(`${scheduled('perm.flag')}/${id}`)
      .set(bearer(editor.token))
      .expect(200);
  });
});
