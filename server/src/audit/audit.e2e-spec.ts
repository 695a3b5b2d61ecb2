import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aToken, aUser } from '../../test/builders.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';

interface Entry {
  id: number;
  at: string;
  actorType: string;
  actorId: string | null;
  actorName: string;
  action: string;
  resourceType: string;
  resourceKey: string;
  projectKey: string | null;
  environmentKey: string | null;
  reason: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  requestId: string | null;
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 15));

describe('audit log', () => {
  let t: TestApp;
  let alice: { email: string; token: string; id: string };
  let bot: { Authorization: string };
  /** Entries up to this id existed before the changes under test. */
  let startId = 0;
  /** Between the project/environment changes and the flag changes. */
  let mid = '';
  let userId = '';
  let tokenId = '';
  let requestIdOfKill = '';

  const audit = async (query = ''): Promise<Entry[]> => {
    const res = await t.http.get(`/api/v1/audit?limit=200${query ? `&${query}` : ''}`).set(t.admin);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.items;
  };
  const recent = async (query = '') => (await audit(query)).filter((e) => Number(e.id) > startId);
  const ok = async <R extends { status: number; body: unknown }>(res: PromiseLike<R>, status: number): Promise<R> => {
    const r = await res;
    if (r.status !== status) throw new Error(`${r.status}: ${JSON.stringify(r.body)}`);
    return r;
  };

  beforeAll(async () => {
    t = await startTestApp();
    alice = await aUser(t.http, t.admin, 'admin');
    bot = bearer((await aToken(t.http, t.admin, 'admin')).secret);
    await pause();
    startId = Math.max(...(await audit()).map((e) => Number(e.id)));
    const P = '/api/v1/projects/audited';
    const A = bearer(alice.token);

    await ok(
      t.http
        .post('/api/v1/projects')
        .set(t.admin)
        .send({
          key: 'audited',
          name: 'Audited',
          environments: [
            { key: 'development', name: 'Dev' },
            { key: 'production', name: 'Prod' },
          ],
        }),
      201,
    );
    await ok(t.http.patch(P).set(A).send({ name: 'Audited project' }), 200);
    await ok(t.http.post(`${P}/environments`).set(A).send({ key: 'staging', name: 'Staging' }), 201);
    await ok(t.http.patch(`${P}/environments/staging`).set(A).send({ requireChangeReason: true }), 200);
    await ok(t.http.post(`${P}/environments/staging/sdk-key`).set(A), 201);
    await pause();
    mid = new Date().toISOString();
    await pause();
    await ok(t.http.post(`${P}/flags`).set(bot).send({ key: 'etl.audited', name: 'Audited flag', kind: 'boolean' }), 201);
    await ok(t.http.patch(`${P}/flags/etl.audited`).set(bot).send({ version: 1, description: 'documented', reason: 'docs' }), 200);
    await ok(t.http.patch(`${P}/flags/etl.audited/environments/production`).set(bot).send({ version: 0, on: true, reason: 'CHG-1' }), 200);
    requestIdOfKill = (
      await ok(t.http.post(`${P}/flags/etl.audited/environments/production/kill`).set(bot).set('X-Request-Id', 'req-kill-1').send({ reason: 'INC-1' }), 200)
    ).headers['x-request-id'] as string;
    await ok(t.http.post(`${P}/flags/etl.audited/environments/production/restore`).set(bot).send({ reason: 'fixed' }), 200);
    await ok(t.http.post(`${P}/flags/etl.audited/archive`).set(bot).send({ reason: 'done' }), 200);
    await ok(t.http.delete(`${P}/flags/etl.audited?reason=gone`).set(bot), 204);
    await ok(t.http.post(`${P}/segments`).set(A).send({ key: 'audited-seg', name: 'Seg', reason: 'new cohort' }), 201);
    await ok(
      t.http
        .patch(`${P}/segments/audited-seg`)
        .set(A)
        .send({ version: 1, included: ['run-1'], reason: 'add run-1' }),
      200,
    );
    await ok(t.http.delete(`${P}/segments/audited-seg?reason=obsolete`).set(A), 204);
    userId = (await ok(t.http.post('/api/v1/users').set(t.admin).send({ email: 'carol@example.com', name: 'Carol', role: 'viewer' }), 201)).body.user.id;
    await ok(t.http.patch(`/api/v1/users/${userId}`).set(A).send({ role: 'editor' }), 200);
    tokenId = (
      await ok(
        t.http
          .post('/api/v1/tokens')
          .set(t.admin)
          .send({ name: 'pager', access: 'kill-switch', projects: ['audited'] }),
        201,
      )
    ).body.token.id;
    await ok(t.http.delete(`/api/v1/tokens/${tokenId}`).set(A), 204);
  });
  afterAll(() => t.close());

  it('records every change with its actor, action, resource, reason and before/after, newest first', async () => {
    const summary = (await recent()).map((e) => [
      e.action,
      e.actorType,
      e.actorName,
      e.resourceType,
      e.resourceKey,
      e.projectKey,
      e.environmentKey,
      e.reason,
      e.before !== null,
      e.after !== null,
    ]);
    const bot = 'token:admin-token';
    expect(summary).toEqual(
      [
        ['project.created', 'admin-token', 'admin-token', 'project', 'audited', 'audited', null, null, false, true],
        ['project.updated', 'user', alice.email, 'project', 'audited', 'audited', null, null, true, true],
        ['environment.created', 'user', alice.email, 'environment', 'staging', 'audited', 'staging', null, false, true],
        ['environment.updated', 'user', alice.email, 'environment', 'staging', 'audited', 'staging', null, true, true],
        ['sdk-key.rotated', 'user', alice.email, 'sdk-key', 'staging', 'audited', 'staging', null, false, true],
        ['flag.created', 'token', bot, 'flag', 'etl.audited', 'audited', null, null, false, true],
        ['flag.updated', 'token', bot, 'flag', 'etl.audited', 'audited', null, 'docs', true, true],
        ['flag.config.updated', 'token', bot, 'flag', 'etl.audited', 'audited', 'production', 'CHG-1', true, true],
        ['flag.killed', 'token', bot, 'flag', 'etl.audited', 'audited', 'production', 'INC-1', true, true],
        ['flag.restored', 'token', bot, 'flag', 'etl.audited', 'audited', 'production', 'fixed', true, true],
        ['flag.archived', 'token', bot, 'flag', 'etl.audited', 'audited', null, 'done', true, true],
        ['flag.deleted', 'token', bot, 'flag', 'etl.audited', 'audited', null, 'gone', true, false],
        ['segment.created', 'user', alice.email, 'segment', 'audited-seg', 'audited', null, 'new cohort', false, true],
        ['segment.updated', 'user', alice.email, 'segment', 'audited-seg', 'audited', null, 'add run-1', true, true],
        ['segment.deleted', 'user', alice.email, 'segment', 'audited-seg', 'audited', null, 'obsolete', true, false],
        ['user.created', 'admin-token', 'admin-token', 'user', 'carol@example.com', null, null, null, false, true],
        ['user.updated', 'user', alice.email, 'user', 'carol@example.com', null, null, null, true, true],
        ['token.created', 'admin-token', 'admin-token', 'token', 'pager', null, null, null, false, true],
        ['token.revoked', 'user', alice.email, 'token', 'pager', null, null, null, true, false],
      ].reverse(),
    );
  });

  it('keeps the state before and after each change', async () => {
    const byAction = new Map((await recent()).map((e) => [e.action, e]));
    expect(byAction.get('project.updated')).toMatchObject({ before: { name: 'Audited' }, after: { name: 'Audited project' }, actorId: alice.id });
    expect(byAction.get('environment.updated')).toMatchObject({ before: { requireChangeReason: false }, after: { requireChangeReason: true } });
    expect(byAction.get('flag.updated')).toMatchObject({ before: { description: '', version: 1 }, after: { description: 'documented', version: 2 } });
    expect(byAction.get('flag.config.updated')).toMatchObject({ before: { on: false, version: 0 }, after: { on: true, version: 1 } });
    expect(byAction.get('flag.killed')).toMatchObject({
      before: { killed: false },
      after: { killed: true, kill: { reason: 'INC-1', by: 'token:admin-token' } },
    });
    expect(byAction.get('flag.restored')).toMatchObject({ before: { killed: true }, after: { killed: false, on: true } });
    expect(byAction.get('flag.deleted')).toMatchObject({ before: { key: 'etl.audited', archived: true }, after: null });
    expect(byAction.get('segment.updated')).toMatchObject({ before: { included: [], version: 1 }, after: { included: ['run-1'], version: 2 } });
    expect(byAction.get('segment.deleted')).toMatchObject({ before: { key: 'audited-seg', version: 2 }, after: null });
    expect(byAction.get('user.updated')).toMatchObject({ before: { id: userId, role: 'viewer' }, after: { id: userId, role: 'editor' } });
    expect(byAction.get('token.created')).toMatchObject({ after: { id: tokenId, name: 'pager', access: 'kill-switch', projects: ['audited'] } });
    expect(byAction.get('token.revoked')).toMatchObject({ before: { id: tokenId } });
    // The request that made the change is named.
    expect(requestIdOfKill).toBe('req-kill-1');
    expect(byAction.get('flag.killed')!.requestId).toBe('req-kill-1');
  });

  it('records nothing for a refused change', async () => {
    const before = await audit();
    expect((await t.http.post('/api/v1/projects').set(t.admin).send({ key: 'audited', name: 'again' })).status).toBe(409);
    expect((await t.http.patch('/api/v1/projects/audited/environments/staging').set(t.admin).send({ name: '' })).status).toBe(400);
    expect(
      (
        await t.http
          .post('/api/v1/projects/audited/segments')
          .set(bearer(alice.token))
          .send({ key: 'bad', name: 'x', rules: [{ clauses: [{ attribute: 'n', op: 'gt', values: ['x'] }] }] })
      ).status,
    ).toBe(400);
    expect(await audit()).toEqual(before);
  });

  describe('filters', () => {
    it('by project', async () => {
      const entries = await audit('project=audited');
      expect(entries).toHaveLength(15);
      expect(entries.every((e) => e.projectKey === 'audited')).toBe(true);
      expect(await audit('project=nope')).toEqual([]);
    });

    it('by environment', async () => {
      expect((await audit('environment=production')).map((e) => e.action)).toEqual(['flag.restored', 'flag.killed', 'flag.config.updated']);
      expect((await audit('project=audited&environment=staging')).map((e) => e.action)).toEqual([
        'sdk-key.rotated',
        'environment.updated',
        'environment.created',
      ]);
    });

    it('by flag', async () => {
      const entries = await audit('flag=etl.audited');
      expect(entries.map((e) => e.action)).toEqual([
        'flag.deleted',
        'flag.archived',
        'flag.restored',
        'flag.killed',
        'flag.config.updated',
        'flag.updated',
        'flag.created',
      ]);
      // Only flags: a segment with the same key would not count.
      expect(entries.every((e) => e.resourceType === 'flag')).toBe(true);
    });

    it('by actor', async () => {
      const byBot = await audit('actor=token:admin-token');
      expect(byBot).toHaveLength(7);
      expect(byBot.every((e) => e.actorName === 'token:admin-token')).toBe(true);
      const byAlice = await audit(`actor=${encodeURIComponent(alice.email)}`);
      expect(byAlice.map((e) => e.action)).toEqual([
        'token.revoked',
        'user.updated',
        'segment.deleted',
        'segment.updated',
        'segment.created',
        'sdk-key.rotated',
        'environment.updated',
        'environment.created',
        'project.updated',
        // aUser signed Alice in (sign-ins are audited, see auth/access-hygiene.e2e-spec.ts).
        'auth.signed_in',
      ]);
    });

    it('by time range, from inclusive and to exclusive', async () => {
      const after = await audit(`from=${mid}`);
      expect(after.map((e) => e.action).at(-1)).toBe('flag.created');
      expect(after.every((e) => e.at >= mid)).toBe(true);
      const before = await recent(`to=${mid}`);
      expect(before.map((e) => e.action)).toEqual(['sdk-key.rotated', 'environment.updated', 'environment.created', 'project.updated', 'project.created']);
      expect(after.length + (await audit(`to=${mid}`)).length).toBe((await audit()).length);

      const killed = after.find((e) => e.action === 'flag.killed')!;
      expect((await audit(`from=${killed.at}`)).map((e) => e.id)).toContain(killed.id);
      expect((await audit(`to=${killed.at}`)).map((e) => e.id)).not.toContain(killed.id);
      expect(await audit(`from=${killed.at}&to=${killed.at}`)).toEqual([]);
      const next = new Date(new Date(killed.at).getTime() + 1).toISOString();
      expect((await audit(`from=${killed.at}&to=${next}`)).map((e) => e.id)).toContain(killed.id);
    });

    it('combines filters', async () => {
      expect((await audit(`project=audited&actor=token:admin-token&from=${mid}&environment=production`)).map((e) => e.reason)).toEqual([
        'fixed',
        'INC-1',
        'CHG-1',
      ]);
    });
  });

  describe('pagination', () => {
    it('returns every entry exactly once, newest first, following nextCursor', async () => {
      const all = await audit();
      expect(all.length).toBeGreaterThan(20);
      const seen: Entry[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: { status: number; body: { items: Entry[]; nextCursor: string | null } } = await t.http
          .get(`/api/v1/audit?limit=4${cursor ? `&cursor=${cursor}` : ''}`)
          .set(t.admin);
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(4);
        seen.push(...res.body.items);
        cursor = res.body.nextCursor;
        pages += 1;
      } while (cursor !== null && pages < 100);
      expect(pages).toBe(Math.ceil(all.length / 4));
      expect(seen.map((e) => e.id)).toEqual(all.map((e) => e.id));
      expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
      const ids = seen.map((e) => Number(e.id));
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      const times = seen.map((e) => e.at);
      expect(times).toEqual([...times].sort().reverse());
    });

    it('paginates within a filter, with no next cursor on the last page', async () => {
      const first = await t.http.get('/api/v1/audit?flag=etl.audited&limit=5').set(t.admin);
      expect(first.body.items).toHaveLength(5);
      expect(first.body.nextCursor).toEqual(expect.stringMatching(/^\d+$/));
      const second = await t.http.get(`/api/v1/audit?flag=etl.audited&limit=5&cursor=${first.body.nextCursor}`).set(t.admin);
      expect(second.body.items.map((e: Entry) => e.action)).toEqual(['flag.updated', 'flag.created']);
      expect(second.body.nextCursor).toBeNull();
      // Exactly one page's worth: no empty page after it.
      const exact = await t.http.get('/api/v1/audit?flag=etl.audited&limit=7').set(t.admin);
      expect(exact.body.items).toHaveLength(7);
      expect(exact.body.nextCursor).toBeNull();
    });
  });

  it('refuses invalid query parameters with 400 naming the field', async () => {
    const cases: Array<[string, string]> = [
      ['limit=0', 'limit'],
      ['limit=500', 'limit'],
      ['limit=2.5', 'limit'],
      ['limit=ten', 'limit'],
      ['from=garbage', 'from'],
      ['to=2026-13-45', 'to'],
      ['from=99999-01-01', 'from'],
      ['cursor=abc', 'cursor'],
      ['cursor=-5', 'cursor'],
      ['cursor=99999999999999999999999', 'cursor'],
      ['resourceType=secret', 'resourceType'],
      ['project=Not%20A%20Key', 'project'],
      ['colour=red', 'colour'],
    ];
    for (const [query, field] of cases) {
      const res = await t.http.get(`/api/v1/audit?${query}`).set(t.admin);
      expect(res.status, query).toBe(400);
      expect(res.body.error, query).toBe('VALIDATION_FAILED');
      expect(
        res.body.details.map((d: { field: string }) => d.field),
        query,
      ).toContain(field);
    }
  });

  describe('visibility by role', () => {
    // What /users, /tokens and /webhooks refuse to non-admins, the audit log does not show them either.
    const ADMIN_ONLY = ['user', 'token', 'webhook'];
    let webhookUrl = '';

    beforeAll(async () => {
      webhookUrl = `https://hooks.example.com/audit-${Math.random().toString(36).slice(2)}?key=do-not-show`;
      await ok(
        t.http
          .post('/api/v1/webhooks')
          .set(t.admin)
          .send({ name: 'audit-bus', url: webhookUrl, events: ['rollout.advanced'], projectKey: 'audited' }),
        201,
      );
    });

    const everything = async (auth: { Authorization: string }, limit: number): Promise<Entry[]> => {
      const seen: Entry[] = [];
      let cursor: string | null = null;
      do {
        const res: { status: number; body: { items: Entry[]; nextCursor: string | null } } = await t.http
          .get(`/api/v1/audit?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`)
          .set(auth);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        seen.push(...res.body.items);
        cursor = res.body.nextCursor;
      } while (cursor !== null);
      return seen;
    };

    it('shows admins every entry, users, tokens and webhooks included', async () => {
      for (const auth of [t.admin, bearer(alice.token), bot]) {
        const entries = await everything(auth, 200);
        expect(new Set(entries.map((e) => e.resourceType))).toEqual(
          new Set(['project', 'environment', 'sdk-key', 'flag', 'segment', 'user', 'token', 'webhook']),
        );
        expect(JSON.stringify(entries)).toContain(webhookUrl);
        expect(JSON.stringify(entries)).toContain('carol@example.com');
      }
    });

    it('shows viewers and editors no entry about users, API tokens or webhooks, and pages through the rest', async () => {
      const viewer = await aUser(t.http, t.admin, 'viewer');
      const editor = await aUser(t.http, t.admin, 'editor');
      const viewerToken = bearer((await aToken(t.http, t.admin, 'viewer')).secret);
      const editorToken = bearer((await aToken(t.http, t.admin, 'editor')).secret);
      const visibleToAll = (await everything(t.admin, 200)).filter((e) => !ADMIN_ONLY.includes(e.resourceType));
      for (const auth of [bearer(viewer.token), bearer(editor.token), viewerToken, editorToken]) {
        // Small pages: the hidden entries are left out by the query, so every page is full and the cursor still walks everything.
        const entries = await everything(auth, 3);
        expect(entries.map((e) => e.id)).toEqual(visibleToAll.map((e) => e.id));
        expect(entries.some((e) => ADMIN_ONLY.includes(e.resourceType))).toBe(false);
        const text = JSON.stringify(entries);
        expect(text).not.toContain('carol@example.com');
        expect(text).not.toContain(webhookUrl);
        expect(text).not.toContain('do-not-show');
        expect(text).not.toContain('"pager"');
        // Asking for them by name gives nothing either.
        for (const resourceType of ['user', 'token']) {
          const res = await t.http.get(`/api/v1/audit?resourceType=${resourceType}`).set(auth);
          expect(res.status).toBe(200);
          expect(res.body.items).toEqual([]);
        }
        expect((await t.http.get('/api/v1/audit?actor=admin-token').set(auth)).body.items.every((e: Entry) => !ADMIN_ONLY.includes(e.resourceType))).toBe(true);
      }
    });
  });

  it('cannot be changed or deleted, even by direct SQL', async () => {
    const ds = t.app.get(DataSource);
    await expect(ds.query(`UPDATE audit_log SET reason = 'rewritten' WHERE id = $1`, [startId + 1])).rejects.toThrow();
    await expect(ds.query('DELETE FROM audit_log WHERE id = $1', [startId + 1])).rejects.toThrow();
    expect((await recent()).at(-1)).toMatchObject({ action: 'project.created', reason: null });
  });
});
