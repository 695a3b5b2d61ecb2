import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject } from '../../test/builders.js';
import { startTestApp, type TestApp } from '../../test/test-app.js';

interface ChangeRow {
  environment: string;
  sequence: number;
  kind: string;
  key: string;
  payload: unknown;
}

describe('segments API', () => {
  let t: TestApp;
  const base = '/api/v1/projects/pipelines/segments';
  const rule = { clauses: [{ attribute: 'pipeline', op: 'startsWith', values: ['prod-'] }] };

  /** change_log rows of the project, per environment, oldest first. */
  const changes = async (project = 'pipelines'): Promise<ChangeRow[]> =>
    (
      await t.app.get(DataSource).query(
        `SELECT e.key AS environment, c.sequence, c.kind, c.key, c.payload
         FROM change_log c JOIN environments e ON e.id = c.environment_id JOIN projects p ON p.id = e.project_id
         WHERE p.key = $1 ORDER BY e.key, c.sequence`,
        [project],
      )
    ).map((r: ChangeRow) => ({ ...r, sequence: Number(r.sequence) }));
  const headOf = (rows: ChangeRow[], environment: string) => Math.max(0, ...rows.filter((r) => r.environment === environment).map((r) => r.sequence));

  beforeAll(async () => {
    t = await startTestApp();
    await aProject(t.http, t.admin, 'pipelines', [
      { key: 'development', name: 'Development' },
      { key: 'staging', name: 'Staging' },
      { key: 'production', name: 'Production' },
    ]);
  });
  afterAll(() => t.close());

  it('creates a segment at version 1 and serves it by key and in the list, sorted by key', async () => {
    const created = await t.http
      .post(base)
      .set(t.admin)
      .send({ key: 'prod-pipelines', name: 'Production pipelines', description: 'feeds prod', included: ['run-1'], excluded: ['run-2'], rules: [rule] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      key: 'prod-pipelines',
      name: 'Production pipelines',
      description: 'feeds prod',
      included: ['run-1'],
      excluded: ['run-2'],
      rules: [rule],
      version: 1,
      updatedAt: expect.any(String),
    });
    await t.http.post(base).set(t.admin).send({ key: 'a-first', name: 'First' });
    const got = await t.http.get(`${base}/prod-pipelines`).set(t.admin);
    expect(got.body).toEqual(created.body);
    const list = await t.http.get(base).set(t.admin);
    expect(list.body.map((s: { key: string }) => s.key)).toEqual(['a-first', 'prod-pipelines']);
    expect(list.body[0]).toMatchObject({ included: [], excluded: [], rules: [], description: '', version: 1 });
  });

  it('refuses a duplicate key with 409, and unknown segments or projects with 404', async () => {
    await t.http.post(base).set(t.admin).send({ key: 'dup-seg', name: 'x' });
    const dup = await t.http.post(base).set(t.admin).send({ key: 'dup-seg', name: 'y' });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toBe('CONFLICT');
    expect((await t.http.get(`${base}/no-such`).set(t.admin)).status).toBe(404);
    expect((await t.http.get('/api/v1/projects/nope/segments').set(t.admin)).status).toBe(404);
    expect((await t.http.patch(`${base}/no-such`).set(t.admin).send({ version: 1, name: 'x' })).status).toBe(404);
    expect((await t.http.delete(`${base}/no-such`).set(t.admin)).status).toBe(404);
  });

  it('updates with the current version; a stale one gets 409 with the current version and changes nothing', async () => {
    await t.http
      .post(base)
      .set(t.admin)
      .send({ key: 'versioned', name: 'v', included: ['a'] });
    const first = await t.http
      .patch(`${base}/versioned`)
      .set(t.admin)
      .send({ version: 1, included: ['a', 'b'], rules: [rule] });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ version: 2, name: 'v', included: ['a', 'b'], excluded: [], rules: [rule] });
    const stale = await t.http.patch(`${base}/versioned`).set(t.admin).send({ version: 1, name: 'lost update' });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ error: 'VERSION_CONFLICT', details: { currentVersion: 2, current: { key: 'versioned', included: ['a', 'b'] } } });
    expect((await t.http.get(`${base}/versioned`).set(t.admin)).body).toMatchObject({ name: 'v', version: 2 });
    const missing = await t.http.patch(`${base}/versioned`).set(t.admin).send({ name: 'no version' });
    expect(missing.status).toBe(400);
    expect(missing.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'version' })]));
  });

  it('rejects invalid clause values with 400 naming the exact field, on create and on update', async () => {
    const cases: Array<[unknown, string, string]> = [
      [{ attribute: 'rows', op: 'gt', values: ['many'] }, 'rules[0].clauses[0].values[0]', 'must be a finite number'],
      [{ attribute: 'name', op: 'matches', values: ['(unclosed'] }, 'rules[0].clauses[0].values[0]', 'is not a valid regular expression'],
      [{ attribute: 'version', op: 'semverGt', values: ['one.two'] }, 'rules[0].clauses[0].values[0]', 'semantic version'],
      [{ attribute: 'x', op: 'in', values: [{ nested: true }] }, 'rules[0].clauses[0].values[0]', 'must be a string, number or boolean'],
      [{ attribute: 'x', op: 'between', values: [1] }, 'rules[0].clauses[0].op', 'op must be one of'],
    ];
    for (const [clause, field, reason] of cases) {
      const res = await t.http
        .post(base)
        .set(t.admin)
        .send({ key: 'invalid-seg', name: 'x', rules: [{ clauses: [clause] }] });
      expect(res.status, JSON.stringify(clause)).toBe(400);
      expect(res.body.details, JSON.stringify(clause)).toEqual(
        expect.arrayContaining([expect.objectContaining({ field, reason: expect.stringContaining(reason) })]),
      );
    }
    expect((await t.http.get(`${base}/invalid-seg`).set(t.admin)).status).toBe(404);

    await t.http
      .post(base)
      .set(t.admin)
      .send({ key: 'valid-seg', name: 'x', rules: [rule] });
    const update = await t.http
      .patch(`${base}/valid-seg`)
      .set(t.admin)
      .send({ version: 1, rules: [rule, { clauses: [{ attribute: 'rows', op: 'lt', values: [1, 'two'] }] }] });
    expect(update.status).toBe(400);
    expect(update.body.details).toEqual([expect.objectContaining({ field: 'rules[1].clauses[0].values[1]' })]);
    expect((await t.http.get(`${base}/valid-seg`).set(t.admin)).body).toMatchObject({ version: 1, rules: [rule] });
  });

  it('refuses null for fields that cannot be cleared with 400 naming the field, changing nothing', async () => {
    await t.http
      .post(base)
      .set(t.admin)
      .send({ key: 'not-nullable', name: 'N', included: ['a'], rules: [rule] });
    for (const field of ['name', 'description', 'included', 'excluded', 'rules']) {
      const res = await t.http
        .patch(`${base}/not-nullable`)
        .set(t.admin)
        .send({ version: 1, [field]: null });
      expect(res.status, field).toBe(400);
      expect(
        res.body.details.map((d: { field: string }) => d.field),
        field,
      ).toContain(field);
    }
    expect((await t.http.get(`${base}/not-nullable`).set(t.admin)).body).toMatchObject({ version: 1, name: 'N', included: ['a'], rules: [rule] });
  });

  it('refuses a segment clause inside a segment rule with 400', async () => {
    await t.http.post(base).set(t.admin).send({ key: 'inner', name: 'inner' });
    const res = await t.http
      .post(base)
      .set(t.admin)
      .send({ key: 'outer', name: 'outer', rules: [{ clauses: [rule.clauses[0], { op: 'segment', segments: ['inner'] }] }] });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'rules[0].clauses[1].op', reason: 'segment rules cannot refer to other segments' }]);
  });

  it('refuses invalid keys and unknown fields with 400 naming them', async () => {
    const key = await t.http.post(base).set(t.admin).send({ key: 'Beta Testers', name: 'x' });
    expect(key.status).toBe(400);
    expect(key.body.details).toEqual([expect.objectContaining({ field: 'key' })]);
    const unknown = await t.http.post(base).set(t.admin).send({ key: 'ok-key', name: 'x', members: [] });
    expect(unknown.body.details).toEqual([{ field: 'members', reason: 'is not a known field' }]);
  });

  it('refuses to delete a segment that flag rules use, naming the flags (archived ones too), then deletes it once unused', async () => {
    await t.http
      .post(base)
      .set(t.admin)
      .send({ key: 'in-use', name: 'in use', included: ['run-1'] });
    await aBooleanFlag(t.http, t.admin, 'pipelines', 'uses.dev');
    await aBooleanFlag(t.http, t.admin, 'pipelines', 'uses.prod-archived');
    await aBooleanFlag(t.http, t.admin, 'pipelines', 'uses.nothing');
    const segmentRule = { clauses: [{ op: 'segment', segments: ['in-use'] }], serve: { variant: 'on' } };
    expect(
      (
        await t.http
          .patch('/api/v1/projects/pipelines/flags/uses.dev/environments/development')
          .set(t.admin)
          .send({ version: 0, rules: [segmentRule] })
      ).status,
    ).toBe(200);
    expect(
      (
        await t.http
          .patch('/api/v1/projects/pipelines/flags/uses.prod-archived/environments/production')
          .set(t.admin)
          .send({ version: 0, rules: [segmentRule] })
      ).status,
    ).toBe(200);
    expect((await t.http.post('/api/v1/projects/pipelines/flags/uses.prod-archived/archive').set(t.admin).send({})).status).toBe(200);

    const refused = await t.http.delete(`${base}/in-use`).set(t.admin);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('CONFLICT');
    expect([...refused.body.details.flags].sort()).toEqual(['uses.dev', 'uses.prod-archived']);
    expect(refused.body.message).toContain('uses.dev');
    expect((await t.http.get(`${base}/in-use`).set(t.admin)).status).toBe(200);

    await t.http.patch('/api/v1/projects/pipelines/flags/uses.dev/environments/development').set(t.admin).send({ version: 1, rules: [] });
    expect((await t.http.delete(`${base}/in-use`).set(t.admin)).body.details).toEqual({ flags: ['uses.prod-archived'] });
    await t.http.delete('/api/v1/projects/pipelines/flags/uses.prod-archived').set(t.admin);
    expect((await t.http.delete(`${base}/in-use`).set(t.admin)).status).toBe(204);
    expect((await t.http.get(`${base}/in-use`).set(t.admin)).status).toBe(404);
  });

  it('deletes an unused segment with 204', async () => {
    await t.http.post(base).set(t.admin).send({ key: 'unused', name: 'unused' });
    const res = await t.http.delete(`${base}/unused?reason=cleanup`).set(t.admin);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await t.http.get(base).set(t.admin)).body.map((s: { key: string }) => s.key)).not.toContain('unused');
  });

  describe('change log', () => {
    it('appends each create, update and delete to every environment of the project, with a tombstone on delete', async () => {
      const before = await changes();
      const created = await t.http
        .post(base)
        .set(t.admin)
        .send({ key: 'logged', name: 'Logged', included: ['run-1'], rules: [rule] });
      const updated = await t.http
        .patch(`${base}/logged`)
        .set(t.admin)
        .send({ version: 1, excluded: ['run-9'], name: 'Renamed' });
      expect(updated.status).toBe(200);
      expect((await t.http.delete(`${base}/logged`).set(t.admin)).status).toBe(204);
      expect(created.status).toBe(201);

      const after = await changes();
      for (const environment of ['development', 'staging', 'production']) {
        const head = headOf(before, environment);
        const added = after.filter((r) => r.environment === environment && r.sequence > head);
        expect(
          added.map((r) => r.sequence),
          environment,
        ).toEqual([head + 1, head + 2, head + 3]);
        expect(
          added.map(({ kind, key, payload }) => ({ kind, key, payload })),
          environment,
        ).toEqual([
          { kind: 'segment', key: 'logged', payload: { key: 'logged', included: ['run-1'], excluded: [], rules: [rule] } },
          { kind: 'segment', key: 'logged', payload: { key: 'logged', included: ['run-1'], excluded: ['run-9'], rules: [rule] } },
          { kind: 'segment', key: 'logged', payload: null },
        ]);
      }
    });

    it('appends nothing for a refused change', async () => {
      await t.http.post(base).set(t.admin).send({ key: 'quiet', name: 'quiet' });
      const before = await changes();
      expect((await t.http.patch(`${base}/quiet`).set(t.admin).send({ version: 7, name: 'stale' })).status).toBe(409);
      expect(
        (
          await t.http
            .patch(`${base}/quiet`)
            .set(t.admin)
            .send({ version: 1, rules: [{ clauses: [{ attribute: 'n', op: 'gt', values: ['x'] }] }] })
        ).status,
      ).toBe(400);
      expect((await t.http.post(base).set(t.admin).send({ key: 'quiet', name: 'dup' })).status).toBe(409);
      expect(await changes()).toEqual(before);
    });

    it("touches only the segment's own project", async () => {
      await aProject(t.http, t.admin, 'elsewhere');
      const before = await changes('elsewhere');
      await t.http.post(base).set(t.admin).send({ key: 'pipelines-only', name: 'x' });
      expect(await changes('elsewhere')).toEqual(before);
    });
  });
});
