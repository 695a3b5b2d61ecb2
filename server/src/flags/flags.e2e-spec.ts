import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject, aStringFlag } from '../../test/builders.js';
import { startTestApp, type TestApp } from '../../test/test-app.js';

describe('flags API', () => {
  let t: TestApp;
  const base = '/api/v1/projects/pipelines/flags';

  beforeAll(async () => {
    t = await startTestApp();
    await aProject(t.http, t.admin, 'pipelines', [
      { key: 'development', name: 'Development' },
      { key: 'production', name: 'Production', requireChangeReason: true },
    ]);
  });
  afterAll(() => t.close());

  it('creates a boolean flag that is off, at version 0, in every environment', async () => {
    const flag = await aBooleanFlag(t.http, t.admin, 'pipelines', 'etl.step-a', { tags: ['etl'], owner: 'data' });
    expect(flag).toMatchObject({ key: 'etl.step-a', kind: 'boolean', version: 1, tags: ['etl'], owner: 'data' });
    expect(Object.keys(flag.environments)).toEqual(['development', 'production']);
    expect(flag.environments.development).toMatchObject({ on: false, killed: false, offVariant: 'off', defaultRule: { variant: 'on' }, version: 0 });
  });

  it('refuses a duplicate key with 409', async () => {
    await aBooleanFlag(t.http, t.admin, 'pipelines', 'dup.flag');
    const res = await t.http.post(base).set(t.admin).send({ key: 'dup.flag', name: 'x', kind: 'boolean' });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('CONFLICT');
  });

  it('rejects invalid keys, kinds and variant values with 400 naming each field', async () => {
    const res = await t.http
      .post(base)
      .set(t.admin)
      .send({ key: 'Bad Key!', name: 'x', kind: 'string', variants: [{ key: 'a', value: 1 }] });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'key' })]));
    const kind = await t.http
      .post(base)
      .set(t.admin)
      .send({ key: 'ok.key', name: 'x', kind: 'string', variants: [{ key: 'a', value: 1 }] });
    expect(kind.status).toBe(400);
    expect(kind.body.details).toEqual([{ field: 'variants[0].value', reason: 'must be a string for a string flag' }]);
    const unknown = await t.http.post(base).set(t.admin).send({ key: 'ok.key', name: 'x', kind: 'boolean', colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual([{ field: 'colour', reason: 'is not a known field' }]);
    const tooLong = await t.http
      .post(base)
      .set(t.admin)
      .send({ key: 'k'.repeat(129), name: 'x', kind: 'boolean' });
    expect(tooLong.status).toBe(400);
  });

  it('updates a config with the current version and answers 409 with the current version when stale', async () => {
    await aBooleanFlag(t.http, t.admin, 'pipelines', 'etl.versioned');
    const url = `${base}/etl.versioned/environments/development`;
    const first = await t.http.patch(url).set(t.admin).send({ version: 0, on: true });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ on: true, version: 1 });
    const stale = await t.http.patch(url).set(t.admin).send({ version: 0, on: false });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ error: 'VERSION_CONFLICT', details: { currentVersion: 1, current: { on: true } } });
    expect((await t.http.get(url).set(t.admin)).body).toMatchObject({ on: true, version: 1 });
  });

  it('a config write answers with the change-log sequence it produced (Signalbox-Sequence), the one SDKs then hold', async () => {
    const { sdkKeys } = await aProject(t.http, t.admin, 'sequenced');
    await aBooleanFlag(t.http, t.admin, 'sequenced', 'seq.flag');
    const sdk = { Authorization: `Bearer ${sdkKeys.development!}` };
    const url = '/api/v1/projects/sequenced/flags/seq.flag/environments/development';
    const patched = await t.http.patch(url).set(t.admin).send({ version: 0, on: true });
    expect(patched.status).toBe(200);
    const first = Number(patched.headers['signalbox-sequence']);
    expect(first).toBeGreaterThan(0);
    expect((await t.http.get('/api/v1/sdk/config').set(sdk)).body.sequence).toBe(first);
    const put = await t.http
      .put(url)
      .set(t.admin)
      .send({ ...patched.body, on: false, environment: undefined, kill: undefined, killed: undefined, updatedAt: undefined });
    expect(put.status).toBe(200);
    expect(Number(put.headers['signalbox-sequence'])).toBe(first + 1);
    expect((await t.http.get('/api/v1/sdk/config').set(sdk)).body.sequence).toBe(first + 1);
  });

  it('PATCH keeps absent fields, clears null ones and sets given ones', async () => {
    await aBooleanFlag(t.http, t.admin, 'pipelines', 'etl.patch');
    const url = `${base}/etl.patch/environments/development`;
    const rule = { clauses: [{ attribute: 'team', op: 'in', values: ['search'] }], serve: { variant: 'on' } };
    const set = await t.http
      .patch(url)
      .set(t.admin)
      .send({ version: 0, rules: [rule], targets: [{ variant: 'on', values: ['run-1'] }] });
    expect(set.status).toBe(200);
    const absent = await t.http.patch(url).set(t.admin).send({ version: 1, on: true });
    expect(absent.body).toMatchObject({ on: true, rules: [rule], targets: [{ variant: 'on', values: ['run-1'] }], offVariant: 'off' });
    const cleared = await t.http.patch(url).set(t.admin).send({ version: 2, rules: null, offVariant: null, defaultRule: null });
    expect(cleared.body).toMatchObject({ on: true, rules: [], offVariant: null, defaultRule: null, targets: [{ variant: 'on', values: ['run-1'] }] });
  });

  it('rejects an invalid rule with 400 naming the field and the reason, and changes nothing', async () => {
    await aBooleanFlag(t.http, t.admin, 'pipelines', 'etl.rules');
    const url = `${base}/etl.rules/environments/development`;
    const cases: Array<[unknown, string, string]> = [
      [{ attribute: 'rows', op: 'gt', values: ['many'] }, 'rules[0].clauses[0].values[0]', 'gt compares numbers: must be a finite number'],
      [{ attribute: 'name', op: 'matches', values: ['(unclosed'] }, 'rules[0].clauses[0].values[0]', 'is not a valid regular expression'],
      [
        { attribute: 'name', op: 'matches', values: ['(a+)\\1$'] },
        'rules[0].clauses[0].values[0]',
        'backreference \\1 is not supported: only patterns that run in linear time are (at position 4)',
      ],
      [{ attribute: 'name', op: 'matches', values: ['a'.repeat(300)] }, 'rules[0].clauses[0].values[0]', 'at most 256'],
      [{ attribute: 'version', op: 'semverGt', values: ['one.two'] }, 'rules[0].clauses[0].values[0]', 'semantic version'],
      [{ attribute: 'at', op: 'before', values: ['not a date'] }, 'rules[0].clauses[0].values[0]', 'ISO-8601'],
      [{ op: 'segment', segments: ['no-such-segment'] }, 'rules[0].clauses[0].segments[0]', "segment 'no-such-segment' does not exist"],
      [{ attribute: 'x', op: 'between', values: [1] }, 'rules[0].clauses[0].op', 'op must be one of'],
      [{ op: 'in', values: ['a'] }, 'rules[0].clauses[0].attribute', 'attribute is required'],
    ];
    for (const [clause, field, reason] of cases) {
      const res = await t.http
        .patch(url)
        .set(t.admin)
        .send({ version: 0, rules: [{ clauses: [clause], serve: { variant: 'on' } }] });
      expect(res.status, JSON.stringify(clause)).toBe(400);
      expect(res.body.details, JSON.stringify(clause)).toEqual(
        expect.arrayContaining([expect.objectContaining({ field, reason: expect.stringContaining(reason) })]),
      );
    }
    expect((await t.http.get(url).set(t.admin)).body).toMatchObject({ version: 0, rules: [] });
  });

  it('validates rollouts: weights sum to 100000, variants exist, exactly one of variant or rollout', async () => {
    await aStringFlag(t.http, t.admin, 'pipelines', 'model.router');
    const url = `${base}/model.router/environments/development`;
    const bad = await t.http
      .patch(url)
      .set(t.admin)
      .send({
        version: 0,
        defaultRule: {
          rollout: {
            variants: [
              { variant: 'v1', weight: 50_000 },
              { variant: 'v9', weight: 40_000 },
            ],
          },
        },
      });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual(
      expect.arrayContaining([
        { field: 'defaultRule.rollout.variants[1].variant', reason: "variant 'v9' does not exist in this flag" },
        { field: 'defaultRule.rollout.variants', reason: 'weights must sum to 100000 (100%), not 90000' },
      ]),
    );
    const both = await t.http
      .patch(url)
      .set(t.admin)
      .send({ version: 0, defaultRule: { variant: 'v1', rollout: { variants: [{ variant: 'v1', weight: 100_000 }] } } });
    expect(both.body.details).toEqual([{ field: 'defaultRule', reason: 'give exactly one of variant or rollout' }]);
    const fraction = await t.http
      .patch(url)
      .set(t.admin)
      .send({
        version: 0,
        defaultRule: {
          rollout: {
            variants: [
              { variant: 'v1', weight: 50_000.5 },
              { variant: 'v2', weight: 49_999.5 },
            ],
          },
        },
      });
    expect(fraction.status).toBe(400);
    const good = await t.http
      .patch(url)
      .set(t.admin)
      .send({
        version: 0,
        on: true,
        defaultRule: {
          rollout: {
            bucketBy: 'runId',
            variants: [
              { variant: 'v1', weight: 80_000 },
              { variant: 'v2', weight: 20_000 },
            ],
          },
        },
      });
    expect(good.status).toBe(200);
    expect(good.body.defaultRule).toEqual({
      rollout: {
        bucketBy: 'runId',
        variants: [
          { variant: 'v1', weight: 80_000 },
          { variant: 'v2', weight: 20_000 },
        ],
      },
    });
  });

  it('checks prerequisites exist, name a real variant and form no cycle', async () => {
    await aBooleanFlag(t.http, t.admin, 'pipelines', 'pre.a');
    await aBooleanFlag(t.http, t.admin, 'pipelines', 'pre.b');
    const a = `${base}/pre.a/environments/development`;
    const b = `${base}/pre.b/environments/development`;
    expect(
      (
        await t.http
          .patch(a)
          .set(t.admin)
          .send({ version: 0, prerequisites: [{ flag: 'pre.b', variant: 'on' }] })
      ).status,
    ).toBe(200);
    const cycle = await t.http
      .patch(b)
      .set(t.admin)
      .send({ version: 0, prerequisites: [{ flag: 'pre.a', variant: 'on' }] });
    expect(cycle.status).toBe(400);
    expect(cycle.body.details).toEqual([{ field: 'prerequisites', reason: 'creates a cycle: pre.b → pre.a → pre.b' }]);
    const self = await t.http
      .patch(b)
      .set(t.admin)
      .send({ version: 0, prerequisites: [{ flag: 'pre.b', variant: 'on' }] });
    expect(self.body.details).toEqual([{ field: 'prerequisites[0].flag', reason: 'a flag cannot be its own prerequisite' }]);
    const missing = await t.http
      .patch(b)
      .set(t.admin)
      .send({
        version: 0,
        prerequisites: [
          { flag: 'pre.none', variant: 'on' },
          { flag: 'pre.a', variant: 'maybe' },
        ],
      });
    expect(missing.body.details).toEqual([
      { field: 'prerequisites[0].flag', reason: "flag 'pre.none' does not exist in this project" },
      { field: 'prerequisites[1].variant', reason: "flag 'pre.a' has no variant 'maybe'" },
      { field: 'prerequisites', reason: 'creates a cycle: pre.b → pre.a → pre.b' },
    ]);
    // The cycle is per environment: production has no edge yet.
    expect(
      (
        await t.http
          .patch(`${base}/pre.b/environments/production`)
          .set(t.admin)
          .send({ version: 0, reason: 'test', prerequisites: [{ flag: 'pre.a', variant: 'on' }] })
      ).status,
    ).toBe(200);
  });

  it('requires a reason in environments that ask for one', async () => {
    await aBooleanFlag(t.http, t.admin, 'pipelines', 'etl.prod');
    const url = `${base}/etl.prod/environments/production`;
    const without = await t.http.patch(url).set(t.admin).send({ version: 0, on: true });
    expect(without.status).toBe(400);
    expect(without.body.details).toEqual([{ field: 'reason', reason: 'production requires a reason for every change' }]);
    expect((await t.http.patch(url).set(t.admin).send({ version: 0, on: true, reason: 'rollout approved in CHG-12' })).status).toBe(200);
  });

  it('kills and restores idempotently, restoring exactly the previous config', async () => {
    await aStringFlag(t.http, t.admin, 'pipelines', 'model.kill');
    const url = `${base}/model.kill/environments/development`;
    const configured = await t.http
      .put(url)
      .set(t.admin)
      .send({
        version: 0,
        on: true,
        offVariant: 'v1',
        targets: [{ variant: 'v3', values: ['run-9'] }],
        rules: [{ clauses: [{ attribute: 'plan', op: 'in', values: ['enterprise'] }], serve: { variant: 'v3' } }],
        defaultRule: {
          rollout: {
            variants: [
              { variant: 'v1', weight: 90_000 },
              { variant: 'v2', weight: 10_000 },
            ],
          },
        },
        prerequisites: [],
      });
    expect(configured.status).toBe(200);
    const killed = await t.http.post(`${url}/kill`).set(t.admin).send({ reason: 'p95 latency doubled' });
    expect(killed.body).toMatchObject({ killed: true, kill: { reason: 'p95 latency doubled', by: 'admin-token' }, version: 2 });
    const again = await t.http.post(`${url}/kill`).set(t.admin).send({ reason: 'again' });
    expect(again.body).toMatchObject({ version: 2, kill: { reason: 'p95 latency doubled' } });
    expect((await t.http.post(`${url}/kill`).set(t.admin).send({})).status).toBe(400);
    const restored = await t.http.post(`${url}/restore`).set(t.admin).send({});
    const { version: _v1, updatedAt: _u1, ...before } = configured.body;
    const { version: v2, updatedAt: _u2, ...after } = restored.body;
    expect(after).toEqual(before);
    expect(v2).toBe(3);
    expect((await t.http.post(`${url}/restore`).set(t.admin).send({})).body.version).toBe(3);
  });

  it('archives (refusing while a prerequisite of another flag), unarchives, and deletes only when archived', async () => {
    await aBooleanFlag(t.http, t.admin, 'pipelines', 'life.parent');
    await aBooleanFlag(t.http, t.admin, 'pipelines', 'life.child');
    await t.http
      .patch(`${base}/life.child/environments/development`)
      .set(t.admin)
      .send({ version: 0, prerequisites: [{ flag: 'life.parent', variant: 'on' }] });
    const blocked = await t.http.post(`${base}/life.parent/archive`).set(t.admin).send({});
    expect(blocked.status).toBe(409);
    expect(blocked.body.details).toEqual({ flags: ['life.child'] });
    expect((await t.http.delete(`${base}/life.child`).set(t.admin)).status).toBe(409);
    const archived = await t.http.post(`${base}/life.child/archive`).set(t.admin).send({ reason: 'done' });
    expect(archived.body).toMatchObject({ archived: true });
    expect((await t.http.get(base).set(t.admin)).body.map((f: { key: string }) => f.key)).not.toContain('life.child');
    expect((await t.http.get(`${base}?archived=archived`).set(t.admin)).body.map((f: { key: string }) => f.key)).toEqual(['life.child']);
    expect((await t.http.patch(`${base}/life.child/environments/development`).set(t.admin).send({ version: 1, on: true })).status).toBe(409);
    expect((await t.http.post(`${base}/life.child/unarchive`).set(t.admin).send({})).body).toMatchObject({ archived: false });
    await t.http.post(`${base}/life.child/archive`).set(t.admin).send({});
    expect((await t.http.delete(`${base}/life.child`).set(t.admin)).status).toBe(204);
    expect((await t.http.get(`${base}/life.child`).set(t.admin)).status).toBe(404);
  });

  it('filters the list by search text, tag and owner', async () => {
    await aBooleanFlag(t.http, t.admin, 'pipelines', 'gpu.embed', { tags: ['gpu'], owner: 'ml-infra', description: 'Embeddings on GPUs' });
    await aBooleanFlag(t.http, t.admin, 'pipelines', 'cpu.embed', { tags: ['cpu'], owner: 'ml-infra' });
    const keys = async (query: string) => (await t.http.get(`${base}?${query}`).set(t.admin)).body.map((f: { key: string }) => f.key);
    expect(await keys('tag=gpu')).toEqual(['gpu.embed']);
    expect(await keys('owner=ml-infra')).toEqual(['cpu.embed', 'gpu.embed']);
    expect(await keys('q=GPUs')).toEqual(['gpu.embed']);
    expect(await keys('q=100%25')).toEqual([]);
  });

  it('changing variants is refused while a config still serves a removed one', async () => {
    await aStringFlag(t.http, t.admin, 'pipelines', 'model.variants');
    await t.http
      .patch(`${base}/model.variants/environments/development`)
      .set(t.admin)
      .send({ version: 0, rules: [{ clauses: [], serve: { variant: 'v3' } }] });
    const res = await t.http
      .patch(`${base}/model.variants`)
      .set(t.admin)
      .send({
        version: 1,
        variants: [
          { key: 'v1', value: 'a' },
          { key: 'v2', value: 'b' },
        ],
      });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'variants', reason: "variant 'v3' is still used in development: rules[0].serve" }]);
    const renamed = await t.http
      .patch(`${base}/model.variants`)
      .set(t.admin)
      .send({
        version: 1,
        variants: [
          { key: 'v1', value: 'a' },
          { key: 'v2', value: 'b' },
          { key: 'v3', value: 'c' },
        ],
        owner: null,
      });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({
      version: 2,
      owner: null,
      variants: [
        { key: 'v1', value: 'a' },
        { key: 'v2', value: 'b' },
        { key: 'v3', value: 'c' },
      ],
    });
    expect((await t.http.patch(`${base}/model.variants`).set(t.admin).send({ version: 1, name: 'stale' })).status).toBe(409);
  });

  it('answers 404 for unknown projects, flags and environments', async () => {
    expect((await t.http.get('/api/v1/projects/nope/flags').set(t.admin)).status).toBe(404);
    expect((await t.http.get(`${base}/no.such.flag`).set(t.admin)).status).toBe(404);
    await aBooleanFlag(t.http, t.admin, 'pipelines', 'etl.env404');
    const res = await t.http.get(`${base}/etl.env404/environments/qa`).set(t.admin);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: 'NOT_FOUND', message: "Environment 'pipelines/qa' does not exist", requestId: expect.any(String) });
    expect(res.headers['x-request-id']).toBe(res.body.requestId);
  });

  // The console copies a config between environments with a PUT of the source's fields; the README
  // promises that a PUT never touches the kill switch, so a copy into a killed environment stays killed.
  it('never changes the kill switch with a PUT: a killed config stays killed with its kill, a live one stays live', async () => {
    await aStringFlag(t.http, t.admin, 'pipelines', 'model.copied');
    const config = (env: string) => `${base}/model.copied/environments/${env}`;
    const source = {
      on: true,
      offVariant: 'v1',
      targets: [{ variant: 'v3', values: ['run-1'] }],
      rules: [{ clauses: [{ attribute: 'plan', op: 'in', values: ['enterprise'] }], serve: { variant: 'v2' } }],
      defaultRule: { variant: 'v2' },
      prerequisites: [],
    };
    await t.http
      .put(config('development'))
      .set(t.admin)
      .send({ version: 0, ...source })
      .expect(200);
    const killed = await t.http
      .post(`${config('production')}/kill`)
      .set(t.admin)
      .send({ reason: 'INC-7 bad model' })
      .expect(200);
    expect(killed.body).toMatchObject({ killed: true, version: 1 });

    const copied = await t.http
      .put(config('production'))
      .set(t.admin)
      .send({ version: 1, reason: 'copy from development', ...source });
    expect(copied.status).toBe(200);
    expect(copied.body).toMatchObject({ ...source, version: 2, killed: true, kill: killed.body.kill });
    // The copy wrote the config under the kill, not over it.
    const read = await t.http.get(`${base}/model.copied`).set(t.admin).expect(200);
    expect(read.body.environments.production).toMatchObject({ on: true, killed: true, kill: killed.body.kill, version: 2 });
    expect(read.body.environments.development).toMatchObject({ killed: false, kill: null });
    // A body cannot name the kill switch either way.
    for (const killSwitch of [{ killed: false }, { kill: null }]) {
      const refused = await t.http
        .put(config('production'))
        .set(t.admin)
        .send({ version: 2, reason: 'sneaky', ...source, ...killSwitch });
      expect(refused.status).toBe(400);
    }
    // And a PUT into a live environment does not kill it.
    const back = await t.http
      .put(config('development'))
      .set(t.admin)
      .send({ version: 1, ...source, on: false })
      .expect(200);
    expect(back.body).toMatchObject({ on: false, killed: false, kill: null, version: 2 });
    expect((await t.http.get(`${base}/model.copied`).set(t.admin)).body.environments.production).toMatchObject({ killed: true, version: 2 });
  });
});
