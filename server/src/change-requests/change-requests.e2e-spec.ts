import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/webhook-receiver.js';
import { aBooleanFlag, aProject, aToken, aUser } from '../../test/builders.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';

const P = '/api/v1/projects/cr';
const config = (flag: string, env = 'production') => `${P}/flags/${flag}/environments/${env}`;
const requests = `${P}/change-requests`;

type Person = { token: string; email: string; id: string };

describe('change requests', () => {
  let t: TestApp;
  let author: Person;
  let approver: Person;
  let third: Person;
  let viewer: Person;
  let receiver: WebhookReceiver;

  const requireApproval = (requiredApprovals: number, env = 'production') =>
    t.http.patch(`${P}/environments/${env}`).set(t.admin).send({ requireApproval: true, requiredApprovals }).expect(200);

  beforeAll(async () => {
    t = await startTestApp({ env: { SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST: '127.0.0.1' } });
    await aProject(t.http, t.admin, 'cr', [
      { key: 'development', name: 'Development' },
      { key: 'production', name: 'Production' },
    ]);
    [author, approver, third, viewer] = [
      await aUser(t.http, t.admin, 'editor'),
      await aUser(t.http, t.admin, 'editor'),
      await aUser(t.http, t.admin, 'editor'),
      await aUser(t.http, t.admin, 'viewer'),
    ];
    receiver = await startWebhookReceiver();
    await t.http
      .post('/api/v1/webhooks')
      .set(t.admin)
      .send({
        name: 'reviews',
        url: receiver.url,
        events: ['change_request.created', 'change_request.approved', 'change_request.applied', 'change_request.rejected'],
        projectKey: 'cr',
      })
      .expect(201);
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  describe('the environment setting', () => {
    it('is off with one approval by default, shown on every environment, and only admins change it', async () => {
      const project = (await t.http.get(P).set(bearer(viewer.token)).expect(200)).body;
      expect(project.environments[0]).toMatchObject({ requireApproval: false, requiredApprovals: 1 });
      await t.http.patch(`${P}/environments/development`).set(bearer(author.token)).send({ requireApproval: true }).expect(403);
      const bad = await t.http.patch(`${P}/environments/development`).set(t.admin).send({ requiredApprovals: 11 }).expect(400);
      expect(bad.body.details).toEqual([expect.objectContaining({ field: 'requiredApprovals' })]);
      await t.http.patch(`${P}/environments/development`).set(t.admin).send({ requireApproval: null }).expect(400);
      const set = await t.http.patch(`${P}/environments/development`).set(t.admin).send({ requiredApprovals: 3 }).expect(200);
      expect(set.body).toMatchObject({ requireApproval: false, requiredApprovals: 3 });
      await t.http.patch(`${P}/environments/development`).set(t.admin).send({ requiredApprovals: 1 }).expect(200);
    });
  });

  describe('with production requiring approval', () => {
    beforeAll(async () => {
      await aBooleanFlag(t.http, t.admin, 'cr', 'etl.transformer');
      await aBooleanFlag(t.http, t.admin, 'cr', 'etl.kill-me');
      await aBooleanFlag(t.http, t.admin, 'cr', 'etl.stale');
      await requireApproval(1);
    });

    it('turns a config write into a pending request; another user approves and applies it (two users)', async () => {
      const written = await t.http
        .patch(config('etl.transformer'))
        .set(bearer(author.token))
        .send({ version: 0, on: true, reason: 'ship the new transformer' })
        .expect(202);
      const request = written.body.changeRequest;
      expect(request).toMatchObject({
        number: 1,
        project: 'cr',
        environment: 'production',
        kind: 'config',
        flag: 'etl.transformer',
        baseVersion: 0,
        reason: 'ship the new transformer',
        author: { id: author.id, email: author.email },
        status: 'pending',
        requiredApprovals: 1,
        approvals: [],
        stale: false,
        appliedVersion: null,
      });
      expect(request.change).toMatchObject({ on: true });
      expect(request.diff.before).toMatchObject({ on: false, version: 0 });
      expect(request.diff.after).toMatchObject({ on: true });
      // Nothing is written until it is applied; the development environment is not gated.
      expect((await t.http.get(config('etl.transformer')).set(t.admin)).body).toMatchObject({ on: false, version: 0 });
      await t.http.patch(config('etl.transformer', 'development')).set(bearer(author.token)).send({ version: 0, on: true }).expect(200);

      const listed = (await t.http.get(`${requests}?status=pending`).set(bearer(viewer.token)).expect(200)).body.items;
      expect(listed.map((r: { number: number }) => r.number)).toEqual([1]);

      const approved = await t.http.post(`${requests}/1/approve`).set(bearer(approver.token)).send({ comment: 'looks right' }).expect(200);
      expect(approved.body).toMatchObject({ status: 'approved', approvals: [{ user: { email: approver.email }, comment: 'looks right' }] });

      const applied = await t.http.post(`${requests}/1/apply`).set(bearer(approver.token)).send({}).expect(200);
      expect(applied.body).toMatchObject({ status: 'applied', appliedVersion: 1 });
      expect(applied.body.appliedAt).not.toBeNull();
      expect((await t.http.get(config('etl.transformer')).set(t.admin)).body).toMatchObject({ on: true, version: 1 });
      await t.http.post(`${requests}/1/apply`).set(bearer(approver.token)).expect(409);

      const audit = (await t.http.get('/api/v1/audit?project=cr&flag=etl.transformer&limit=20').set(t.admin).expect(200)).body.items;
      const actions = audit.map((e: { action: string }) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['change_request.created', 'change_request.approved', 'change_request.applied', 'flag.config.updated']));
      const write = audit.find(
        (e: { action: string; environmentKey?: string }) => e.action === 'flag.config.updated' && e.reason?.startsWith('change request #1'),
      );
      expect(write).toMatchObject({ actorName: approver.email });

      await expect
        .poll(() => receiver.events.filter((e) => e.data.number === 1).map((e) => e.event), { timeout: 10_000 })
        .toEqual(expect.arrayContaining(['change_request.created', 'change_request.approved', 'change_request.applied']));
      expect(receiver.events.find((e) => e.event === 'change_request.applied')!.data).toMatchObject({ number: 1, status: 'applied', flag: 'etl.transformer' });
    });

    it('refuses self-approval, and a viewer cannot approve', async () => {
      const created = await t.http
        .post(requests)
        .set(bearer(author.token))
        .send({
          kind: 'config',
          flag: 'etl.transformer',
          environment: 'production',
          baseVersion: 1,
          change: { on: false, offVariant: 'off', targets: [], rules: [], defaultRule: { variant: 'on' }, prerequisites: [] },
          reason: 'turn it off',
          reviewers: [approver.email],
        })
        .expect(201);
      const n = created.body.number;
      expect(created.body).toMatchObject({ status: 'pending', reviewers: [approver.email] });
      const self = await t.http.post(`${requests}/${n}/approve`).set(bearer(author.token)).send({}).expect(403);
      expect(self.body.error).toBe('SELF_APPROVAL');
      expect((await t.http.post(`${requests}/${n}/reject`).set(bearer(author.token)).send({}).expect(403)).body.error).toBe('SELF_APPROVAL');
      await t.http.post(`${requests}/${n}/approve`).set(bearer(viewer.token)).send({}).expect(403);
      const notYet = await t.http.post(`${requests}/${n}/apply`).set(bearer(author.token)).send({}).expect(409);
      expect(notYet.body.error).toBe('NOT_APPROVED');

      const rejected = await t.http.post(`${requests}/${n}/reject`).set(bearer(approver.token)).send({ comment: 'not now' }).expect(200);
      expect(rejected.body).toMatchObject({ status: 'rejected', rejections: [{ user: { email: approver.email }, comment: 'not now' }] });
      await expect.poll(() => receiver.events.some((e) => e.event === 'change_request.rejected' && e.data.number === n), { timeout: 10_000 }).toBe(true);
      await t.http.post(`${requests}/${n}/cancel`).set(bearer(approver.token)).expect(403);
      expect((await t.http.post(`${requests}/${n}/cancel`).set(bearer(author.token)).expect(200)).body.status).toBe('cancelled');
    });

    it('needs N approvals from others, then the author applies it', async () => {
      await requireApproval(2);
      try {
        const n = (
          await t.http
            .put(config('etl.transformer'))
            .set(bearer(author.token))
            .send({
              version: 1,
              on: true,
              offVariant: 'off',
              targets: [{ variant: 'on', values: ['qa'] }],
              rules: [],
              defaultRule: { variant: 'off' },
              prerequisites: [],
              reason: 'qa only',
            })
            .expect(202)
        ).body.changeRequest.number;
        expect((await t.http.get(`${requests}/${n}`).set(bearer(viewer.token)).expect(200)).body).toMatchObject({ requiredApprovals: 2, status: 'pending' });
        expect((await t.http.post(`${requests}/${n}/approve`).set(bearer(approver.token)).send({}).expect(200)).body.status).toBe('pending');
        // The same reviewer twice is still one approval.
        expect((await t.http.post(`${requests}/${n}/approve`).set(bearer(approver.token)).send({}).expect(200)).body.approvals).toHaveLength(1);
        await t.http.post(`${requests}/${n}/apply`).set(bearer(author.token)).send({}).expect(409);
        expect((await t.http.post(`${requests}/${n}/approve`).set(bearer(third.token)).send({}).expect(200)).body.status).toBe('approved');
        // Someone who neither wrote nor approved it may not apply it.
        await t.http.post(`${requests}/${n}/apply`).set(bearer(viewer.token)).send({}).expect(403);
        const applied = await t.http.post(`${requests}/${n}/apply`).set(bearer(author.token)).send({}).expect(200);
        expect(applied.body).toMatchObject({ status: 'applied', appliedVersion: 2 });
        expect((await t.http.get(config('etl.transformer')).set(t.admin)).body).toMatchObject({ version: 2, targets: [{ variant: 'on', values: ['qa'] }] });
      } finally {
        await requireApproval(1);
      }
    });

    it('lets a kill through at once during a pending request, whose apply is then stale until rebased', async () => {
      const n = (await t.http.patch(config('etl.kill-me')).set(bearer(author.token)).send({ version: 0, on: true, reason: 'on' }).expect(202)).body
        .changeRequest.number;
      await t.http.post(`${requests}/${n}/approve`).set(bearer(approver.token)).send({}).expect(200);

      const killed = await t.http
        .post(`${config('etl.kill-me')}/kill`)
        .set(bearer(author.token))
        .send({ reason: 'incident' })
        .expect(200);
      expect(killed.body).toMatchObject({ killed: true, version: 1 });
      expect((await t.http.get(`${requests}/${n}`).set(t.admin)).body).toMatchObject({ stale: true, status: 'approved' });

      const stale = await t.http.post(`${requests}/${n}/apply`).set(bearer(approver.token)).send({}).expect(409);
      expect(stale.body).toMatchObject({ error: 'STALE_BASE', details: { baseVersion: 0, currentVersion: 1, current: { killed: true } } });
      expect((await t.http.get(config('etl.kill-me')).set(t.admin)).body).toMatchObject({ on: false, killed: true, version: 1 });
      expect((await t.http.get(`${requests}/${n}`).set(t.admin)).body.status).toBe('approved');

      await t.http.post(`${requests}/${n}/rebase`).set(bearer(approver.token)).send({ baseVersion: 1 }).expect(403);
      await t.http.post(`${requests}/${n}/rebase`).set(bearer(author.token)).send({ baseVersion: 0 }).expect(409);
      const rebased = await t.http.post(`${requests}/${n}/rebase`).set(bearer(author.token)).send({ baseVersion: 1 }).expect(200);
      expect(rebased.body).toMatchObject({ status: 'pending', baseVersion: 1, approvals: [], stale: false });
      await t.http.post(`${requests}/${n}/approve`).set(bearer(approver.token)).send({}).expect(200);
      const applied = await t.http.post(`${requests}/${n}/apply`).set(bearer(approver.token)).send({}).expect(200);
      expect(applied.body).toMatchObject({ status: 'applied', appliedVersion: 2 });
      // The change is written; the kill stays until a restore.
      expect((await t.http.get(config('etl.kill-me')).set(t.admin)).body).toMatchObject({ on: true, killed: true, version: 2 });
    });

    it('turns a restore into a request, refuses a kill-switch token, and lifts the kill once applied', async () => {
      const killSwitch = await aToken(t.http, t.admin, 'kill-switch', { projects: ['cr'] });
      const refused = await t.http
        .post(`${config('etl.kill-me')}/restore`)
        .set(bearer(killSwitch.secret))
        .send({})
        .expect(403);
      expect(refused.body).toMatchObject({ error: 'APPROVAL_REQUIRED' });
      expect(refused.body.message).toContain('production');
      // The kill switch itself is never gated.
      await t.http
        .post(`${config('etl.stale')}/kill`)
        .set(bearer(killSwitch.secret))
        .send({ reason: 'stop' })
        .expect(200);
      await t.http.post(`${P}/flags/etl.kill-me/restore`).set(bearer(author.token)).send({ reason: 'all' }).expect(403);

      const restore = await t.http
        .post(`${config('etl.kill-me')}/restore`)
        .set(bearer(author.token))
        .send({ reason: 'incident over' })
        .expect(202);
      expect(restore.body.changeRequest).toMatchObject({ kind: 'restore', baseVersion: 2, change: null, status: 'pending' });
      expect(restore.body.changeRequest.diff).toMatchObject({ before: { killed: true }, after: { killed: false } });
      expect((await t.http.get(config('etl.kill-me')).set(t.admin)).body.killed).toBe(true);
      const n = restore.body.changeRequest.number;
      await t.http.post(`${requests}/${n}/approve`).set(bearer(approver.token)).send({}).expect(200);
      expect((await t.http.post(`${requests}/${n}/apply`).set(bearer(author.token)).send({}).expect(200)).body).toMatchObject({ appliedVersion: 3 });
      expect((await t.http.get(config('etl.kill-me')).set(t.admin)).body).toMatchObject({ killed: false, on: true, version: 3 });
    });

    it('lets a trigger kill at once: triggers are never gated', async () => {
      await aBooleanFlag(t.http, t.admin, 'cr', 'etl.triggered');
      const trigger = await t.http
        .post(`${config('etl.triggered')}/triggers`)
        .set(t.admin)
        .send({ name: 'alerts' })
        .expect(201);
      const fired = await t.http.post(`/api/v1/triggers/${trigger.body.secret}`).send({});
      expect(fired.status).toBeLessThan(300);
      expect((await t.http.get(config('etl.triggered')).set(t.admin)).body).toMatchObject({ killed: true, version: 1 });
      expect((await t.http.get(`${requests}?flag=etl.triggered`).set(t.admin)).body.items).toEqual([]);
    });

    it('lets a kill across environments and a kill by tag through at once, and refuses a restore by tag before writing anything', async () => {
      await aBooleanFlag(t.http, t.admin, 'cr', 'gpu.step-a', { tags: ['gpu'] });
      await aBooleanFlag(t.http, t.admin, 'cr', 'gpu.step-b', { tags: ['gpu'] });
      const across = await t.http
        .post(`${P}/flags/gpu.step-a/kill`)
        .set(bearer(author.token))
        .send({ environments: ['production', 'development'], reason: 'GPU pool on fire' });
      expect(across.status).toBe(200);
      expect((await t.http.get(config('gpu.step-a')).set(t.admin)).body).toMatchObject({ killed: true, version: 1 });
      const byTag = await t.http.post(`${P}/environments/production/kill-by-tag`).set(bearer(author.token)).send({ tag: 'gpu', reason: 'GPU pool on fire' });
      expect(byTag.status).toBe(200);
      expect((await t.http.get(config('gpu.step-b')).set(t.admin)).body).toMatchObject({ killed: true });
      const restore = await t.http.post(`${P}/environments/production/restore-by-tag`).set(bearer(author.token)).send({ tag: 'gpu', reason: 'fixed' });
      expect(restore.status).toBe(403);
      expect(restore.body).toMatchObject({ error: 'APPROVAL_REQUIRED', details: { environments: ['production'] } });
      for (const flag of ['gpu.step-a', 'gpu.step-b']) expect((await t.http.get(config(flag)).set(t.admin)).body.killed, flag).toBe(true);
      expect((await t.http.get(`${requests}?flag=gpu.step-a`).set(t.admin)).body.items).toEqual([]);
    });

    it('turns a revert into a request for that version’s config', async () => {
      const res = await t.http
        .post(`${config('etl.transformer')}/revert`)
        .set(bearer(author.token))
        .send({ toVersion: 1, version: 2, reason: 'back to v1' })
        .expect(202);
      expect(res.body.changeRequest).toMatchObject({ kind: 'config', baseVersion: 2, change: { on: true, targets: [] }, reason: 'back to v1' });
      expect((await t.http.get(config('etl.transformer')).set(t.admin)).body.version).toBe(2);
      await t.http
        .post(`${config('etl.transformer')}/revert`)
        .set(bearer(author.token))
        .send({ toVersion: 1, version: 1 })
        .expect(409);
    });

    it('turns an archive and a scheduled change into requests, and refuses a copy into the environment', async () => {
      const archive = await t.http.post(`${P}/flags/etl.stale/archive`).set(bearer(author.token)).send({ reason: 'unused' }).expect(202);
      expect(archive.body.changeRequest).toMatchObject({ kind: 'archive', flag: 'etl.stale', diff: null, status: 'pending' });
      expect((await t.http.get(`${P}/flags/etl.stale`).set(t.admin)).body.archived).toBe(false);
      const n = archive.body.changeRequest.number;
      await t.http.post(`${requests}/${n}/approve`).set(bearer(approver.token)).send({}).expect(200);
      await t.http.post(`${requests}/${n}/apply`).set(bearer(approver.token)).send({}).expect(200);
      expect((await t.http.get(`${P}/flags/etl.stale`).set(t.admin)).body.archived).toBe(true);

      const runAt = new Date(Date.now() + 60_000).toISOString();
      const scheduled = await t.http
        .post(`${config('etl.transformer')}/scheduled-changes`)
        .set(bearer(author.token))
        .send({ runAt, version: 2, patch: { on: false }, reason: 'later' })
        .expect(202);
      expect(scheduled.body.changeRequest).toMatchObject({ kind: 'config', flag: 'etl.transformer', runAt, scheduledChangeId: null, status: 'pending' });
      expect(
        (
          await t.http
            .get(`${config('etl.transformer')}/scheduled-changes`)
            .set(t.admin)
            .expect(200)
        ).body,
      ).toEqual([]);
      await t.http.post(`${requests}/${scheduled.body.changeRequest.number}/cancel`).set(bearer(author.token)).send({}).expect(200);

      const copy = await t.http.post(`${P}/environments/production/copy-from/development`).set(bearer(author.token)).send({ reason: 'promote' }).expect(403);
      expect(copy.body).toMatchObject({ error: 'APPROVAL_REQUIRED', details: { environments: ['production'] } });
      expect(copy.body.message).toContain('production requires approval');
    });

    it('comments, filters and answers 400 naming the field, 404 for an unknown request', async () => {
      const commented = await t.http.post(`${requests}/1/comments`).set(bearer(approver.token)).send({ body: 'shipped fine' }).expect(201);
      expect(commented.body.comments).toEqual([expect.objectContaining({ body: 'shipped fine', user: { id: approver.id, email: approver.email } })]);
      await t.http.post(`${requests}/1/comments`).set(bearer(viewer.token)).send({ body: 'x' }).expect(403);

      const byFlag = (await t.http.get(`${requests}?flag=etl.kill-me&environment=production`).set(t.admin).expect(200)).body.items;
      expect(byFlag.length).toBeGreaterThan(0);
      expect(byFlag.every((r: { flag: string }) => r.flag === 'etl.kill-me')).toBe(true);
      expect((await t.http.get(`${requests}?environment=nowhere`).set(t.admin).expect(200)).body.items).toEqual([]);

      const field = async (req: Promise<{ body: { details?: Array<{ field: string }> } }>) => {
        const details = (await req).body.details;
        return details && [...new Set(details.map((d) => d.field))];
      };
      expect(await field(t.http.get(`${requests}?status=done`).set(t.admin).expect(400))).toEqual(['status']);
      expect(await field(t.http.get(`${requests}/abc`).set(t.admin).expect(400))).toEqual(['number']);
      expect(await field(t.http.get(`${requests}/0`).set(t.admin).expect(400))).toEqual(['number']);
      expect(await field(t.http.get(`${requests}/99999999999999999999`).set(t.admin).expect(400))).toEqual(['number']);
      const base = { kind: 'config', flag: 'etl.transformer', environment: 'production', baseVersion: 2, reason: 'r' };
      expect(
        await field(
          t.http
            .post(requests)
            .set(t.admin)
            .send({ ...base, kind: 'delete' })
            .expect(400),
        ),
      ).toContain('kind');
      expect(await field(t.http.post(requests).set(t.admin).send(base).expect(400))).toEqual(['change']);
      expect(
        await field(
          t.http
            .post(requests)
            .set(t.admin)
            .send({ ...base, reason: '' })
            .expect(400),
        ),
      ).toContain('reason');
      expect(
        await field(
          t.http
            .post(requests)
            .set(t.admin)
            .send({ ...base, baseVersion: -1 })
            .expect(400),
        ),
      ).toContain('baseVersion');
      expect(
        await field(
          t.http
            .post(requests)
            .set(t.admin)
            .send({ ...base, change: { on: 'yes' } })
            .expect(400),
        ),
      ).toEqual(expect.arrayContaining([expect.stringMatching(/^change\./)]));
      const gatedBad = await t.http
        .patch(config('etl.transformer'))
        .set(t.admin)
        .send({ version: 2, defaultRule: { variant: 'nope' } })
        .expect(400);
      expect(gatedBad.body.details.map((d: { field: string }) => d.field)).toEqual(['defaultRule.variant']);
      const badVariant = { on: true, offVariant: 'off', targets: [], rules: [], defaultRule: { variant: 'nope' }, prerequisites: [] };
      expect(
        await field(
          t.http
            .post(requests)
            .set(t.admin)
            .send({ ...base, change: badVariant })
            .expect(400),
        ),
      ).toEqual(['change.defaultRule.variant']);
      expect(
        await field(
          t.http
            .post(requests)
            .set(t.admin)
            .send({ ...base, kind: 'restore' })
            .expect(409),
        ),
      ).toBeUndefined();
      expect(await field(t.http.post(`${requests}/1/comments`).set(t.admin).send({}).expect(400))).toEqual(['body']);
      expect(await field(t.http.post(`${requests}/1/rebase`).set(t.admin).send({ baseVersion: 'x' }).expect(400))).toEqual(['baseVersion']);
      await t.http
        .post(requests)
        .set(t.admin)
        .send({ ...base, baseVersion: 1, change: { ...badVariant, defaultRule: { variant: 'on' } } })
        .expect(409);
      await t.http
        .post(requests)
        .set(t.admin)
        .send({ ...base, flag: 'no.such', change: { ...badVariant, defaultRule: { variant: 'on' } } })
        .expect(404);

      for (const action of ['approve', 'reject', 'apply', 'rebase', 'cancel', 'comments'])
        expect(
          (
            await t.http
              .post(`${requests}/4242/${action}`)
              .set(t.admin)
              .send(action === 'comments' ? { body: 'x' } : action === 'rebase' ? { baseVersion: 1 } : {})
          ).status,
        ).toBe(404);
      expect((await t.http.get(`${requests}/4242`).set(t.admin).expect(404)).body.error).toBe('NOT_FOUND');
      await t.http.get('/api/v1/projects/nope/change-requests').set(t.admin).expect(404);
    });

    it('lists a page at a time, newest first, each request once, filters kept across pages', async () => {
      const all = (await t.http.get(`${requests}?limit=500`).set(t.admin).expect(200)).body;
      expect(all.nextCursor).toBeNull();
      expect(all.items.length).toBeGreaterThan(4);
      const numbers = all.items.map((r: { number: number }) => r.number);
      expect(numbers).toEqual([...numbers].sort((a, b) => b - a));

      const paged: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { items: Array<{ number: number }>; nextCursor: string | null } = (
          await t.http
            .get(requests)
            .query({ limit: 2, ...(cursor === null ? {} : { cursor }) })
            .set(t.admin)
            .expect(200)
        ).body;
        expect(page.items.length).toBeLessThanOrEqual(2);
        paged.push(...page.items.map((r) => r.number));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor !== null && pages < 100);
      expect(paged).toEqual(numbers);
      expect(pages).toBe(Math.ceil(numbers.length / 2));

      // A filter holds on every page.
      const first = (await t.http.get(requests).query({ flag: 'etl.kill-me', limit: 1 }).set(t.admin).expect(200)).body;
      if (first.nextCursor !== null) {
        const next = (await t.http.get(requests).query({ flag: 'etl.kill-me', limit: 1, cursor: first.nextCursor }).set(t.admin).expect(200)).body;
        expect(next.items.every((r: { flag: string }) => r.flag === 'etl.kill-me')).toBe(true);
        expect(next.items[0].number).toBeLessThan(first.items[0].number);
      }
      expect(first.items.every((r: { flag: string }) => r.flag === 'etl.kill-me')).toBe(true);

      for (const [query, field] of [
        [{ limit: 0 }, 'limit'],
        [{ limit: 501 }, 'limit'],
        [{ limit: 'ten' }, 'limit'],
        [{ cursor: '-1' }, 'cursor'],
        [{ cursor: '1e3' }, 'cursor'],
        [{ cursor: '9999999999' }, 'cursor'],
      ] as const) {
        const refused = await t.http.get(requests).query(query).set(t.admin).expect(400);
        expect(refused.body.details.map((d: { field: string }) => d.field)).toEqual([field]);
      }
      expect((await t.http.get(requests).query({ cursor: '1' }).set(t.admin).expect(200)).body).toEqual({ items: [], nextCursor: null });
    });
  });

  describe('with two approvals required', () => {
    const P2 = '/api/v1/projects/cr2';
    const requests2 = `${P2}/change-requests`;
    beforeAll(async () => {
      await aProject(t.http, t.admin, 'cr2', [{ key: 'production', name: 'Production' }]);
      await t.http.patch(`${P2}/environments/production`).set(t.admin).send({ requireApproval: true, requiredApprovals: 2 }).expect(200);
      await aBooleanFlag(t.http, t.admin, 'cr2', 'etl.two-eyes');
      await t.http
        .post('/api/v1/webhooks')
        .set(t.admin)
        .send({ name: 'reviews-2', url: receiver.url, events: ['change_request.approved'], projectKey: 'cr2' })
        .expect(201);
    });

    it('is approved, and announced so, only once enough reviewers approved; comments, rebases and cancels are audited', async () => {
      const created = await t.http
        .patch(`${P2}/flags/etl.two-eyes/environments/production`)
        .set(bearer(author.token))
        .send({ version: 0, on: true, reason: 'two eyes' })
        .expect(202);
      const n = created.body.changeRequest.number as number;
      const approvedEvents = () => receiver.events.filter((e) => e.event === 'change_request.approved' && (e.data as { project?: string }).project === 'cr2');

      const once = await t.http.post(`${requests2}/${n}/approve`).set(bearer(approver.token)).send({}).expect(200);
      expect(once.body).toMatchObject({ status: 'pending', requiredApprovals: 2 });
      await t.http.post(`${requests2}/${n}/apply`).set(bearer(author.token)).send({}).expect(409);
      await t.http.post(`${requests2}/${n}/comments`).set(bearer(third.token)).send({ body: 'one more look' }).expect(201);
      const twice = await t.http.post(`${requests2}/${n}/approve`).set(bearer(third.token)).send({}).expect(200);
      expect(twice.body).toMatchObject({ status: 'approved' });
      await expect.poll(() => approvedEvents().length, { timeout: 10_000 }).toBe(1);

      // A kill moves the config; the author rebases (approvals reset), then cancels.
      await t.http.post(`${P2}/flags/etl.two-eyes/environments/production/kill`).set(t.admin).send({ reason: 'stop' }).expect(200);
      await t.http.post(`${requests2}/${n}/rebase`).set(bearer(author.token)).send({ baseVersion: 1 }).expect(200);
      await t.http.post(`${requests2}/${n}/cancel`).set(bearer(author.token)).send({}).expect(200);
      const audit = (await t.http.get('/api/v1/audit?project=cr2&limit=50').set(t.admin).expect(200)).body.items as Array<{ action: string }>;
      const actions = audit.map((e) => e.action).filter((a) => a.startsWith('change_request.'));
      for (const action of [
        'change_request.created',
        'change_request.commented',
        'change_request.approved',
        'change_request.rebased',
        'change_request.cancelled',
      ])
        expect(actions, action).toContain(action);
      // One approval is audited per reviewer; the webhook said "approved" once, when the second came.
      expect(actions.filter((a) => a === 'change_request.approved')).toHaveLength(2);
      expect(approvedEvents()).toHaveLength(1);
    });
  });

  describe('with environments asking for different numbers of approvals', () => {
    const P3 = '/api/v1/projects/cr3';
    beforeAll(async () => {
      await aProject(t.http, t.admin, 'cr3', [
        { key: 'staging', name: 'Staging' },
        { key: 'production', name: 'Production' },
      ]);
      await aBooleanFlag(t.http, t.admin, 'cr3', 'etl.retired');
      await t.http
        .post(`${P3}/segments`)
        .set(t.admin)
        .send({ key: 'pilots', name: 'Pilots', included: ['u1'] })
        .expect(201);
      for (const [env, version] of [
        ['staging', 0],
        ['production', 0],
      ] as const) {
        await t.http
          .patch(`${P3}/flags/etl.retired/environments/${env}`)
          .set(t.admin)
          .send({ version, rules: [{ clauses: [{ op: 'segment', segments: ['pilots'] }], serve: { variant: 'on' } }] })
          .expect(200);
      }
      await t.http.patch(`${P3}/environments/staging`).set(t.admin).send({ requireApproval: true, requiredApprovals: 1 }).expect(200);
      await t.http.patch(`${P3}/environments/production`).set(t.admin).send({ requireApproval: true, requiredApprovals: 3 }).expect(200);
    });

    it('asks the most approvals any gated environment does for an archive and a segment request', async () => {
      const archive = await t.http.post(`${P3}/flags/etl.retired/archive`).set(bearer(author.token)).send({ reason: 'retired' }).expect(202);
      const segment = await t.http
        .patch(`${P3}/segments/pilots`)
        .set(bearer(author.token))
        .send({ version: 1, included: ['u1', 'u2'], reason: 'one more pilot' })
        .expect(202);
      for (const request of [archive.body.changeRequest, segment.body.changeRequest]) {
        expect(request).toMatchObject({ requiredApprovals: 3, status: 'pending' });
        await t.http.post(`${P3}/change-requests/${request.number}/approve`).set(bearer(approver.token)).send({}).expect(200);
        await t.http.post(`${P3}/change-requests/${request.number}/apply`).set(bearer(author.token)).send({}).expect(409);
      }
      expect((await t.http.get(`${P3}/flags/etl.retired`).set(t.admin)).body.archived).toBe(false);
      expect((await t.http.get(`${P3}/segments/pilots`).set(t.admin)).body.included).toEqual(['u1']);
    });
  });
});
