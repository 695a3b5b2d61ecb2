import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject, aStringFlag, aToken, aUser } from '../../test/builders.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';

// "What does run X see?": every flag of one environment evaluated for a posted context.
describe('evaluate every flag for a context', () => {
  let t: TestApp;
  let sdkKey: string;
  const P = '/api/v1/projects/runs';
  const url = `${P}/environments/production/evaluate`;

  beforeAll(async () => {
    t = await startTestApp();
    const project = await aProject(t.http, t.admin, 'runs', [
      { key: 'staging', name: 'Staging' },
      { key: 'production', name: 'Production' },
    ]);
    sdkKey = project.sdkKeys.production!;
    await aStringFlag(t.http, t.admin, 'runs', 'model.sentiment');
    await t.http
      .put(`${P}/flags/model.sentiment/environments/production`)
      .set(t.admin)
      .send({
        version: 0,
        on: true,
        offVariant: 'v1',
        targets: [],
        rules: [
          { id: 'ent', description: 'enterprise', clauses: [{ attribute: 'plan', op: 'in', values: ['enterprise'] }], serve: { variant: 'v2' } },
          {
            description: 'eu canary',
            clauses: [{ attribute: 'region', op: 'in', values: ['eu'] }],
            serve: { rollout: { variants: [{ variant: 'v1', weight: 100_000 }] } },
          },
        ],
        // All weight on v3: a rollout whose answer the test can know without hashing.
        defaultRule: {
          rollout: {
            variants: [
              { variant: 'v1', weight: 0 },
              { variant: 'v3', weight: 100_000 },
            ],
          },
        },
        prerequisites: [],
      })
      .expect(200);
    await aBooleanFlag(t.http, t.admin, 'runs', 'etl.validate');
    await t.http
      .put(`${P}/flags/etl.validate/environments/production`)
      .set(t.admin)
      .send({
        version: 0,
        on: true,
        offVariant: 'off',
        targets: [],
        rules: [{ clauses: [{ attribute: 'pipeline', op: 'in', values: ['prod-daily'] }], serve: { variant: 'on' } }],
        defaultRule: { variant: 'off' },
        prerequisites: [],
      })
      .expect(200);
    await aBooleanFlag(t.http, t.admin, 'runs', 'ops.gpu');
  });
  afterAll(() => t.close());

  const byKey = (body: { flags: Array<{ flagKey: string }> }) => Object.fromEntries(body.flags.map((f) => [f.flagKey, f]));

  it('answers each flag’s value, variant and reason, with the rule that decided', async () => {
    const res = await t.http
      .post(url)
      .set(t.admin)
      .send({ context: { targetingKey: 'run-1', plan: 'enterprise', pipeline: 'prod-daily' } });
    expect(res.status).toBe(200);
    expect(res.body.environment).toBe('production');
    expect(res.body.sequence).toBeGreaterThan(0);
    expect(res.body.flags.map((f: { flagKey: string }) => f.flagKey)).toEqual(['etl.validate', 'model.sentiment', 'ops.gpu']);
    const flags = byKey(res.body);
    expect(flags['model.sentiment']).toEqual({
      flagKey: 'model.sentiment',
      kind: 'string',
      value: 'model-v2',
      variant: 'v2',
      reason: 'TARGETING_MATCH',
      rule: { index: 0, id: 'ent', description: 'enterprise' },
      version: 1,
    });
    expect(flags['etl.validate']).toMatchObject({ value: true, variant: 'on', reason: 'TARGETING_MATCH', rule: { index: 0 } });
    expect(flags['ops.gpu']).toMatchObject({ kind: 'boolean', value: false, variant: 'off', reason: 'DISABLED', rule: null, version: 0 });
  });

  it('answers a rollout by a rule, the default rule’s rollout, and the default rule', async () => {
    const eu = byKey(
      (
        await t.http
          .post(url)
          .set(t.admin)
          .send({ context: { targetingKey: 'run-2', region: 'eu' } })
      ).body,
    );
    expect(eu['model.sentiment']).toMatchObject({ value: 'model-v1', variant: 'v1', reason: 'SPLIT', rule: { index: 1, description: 'eu canary' } });
    const other = byKey(
      (
        await t.http
          .post(url)
          .set(t.admin)
          .send({ context: { targetingKey: 'run-3', plan: 'free' } })
      ).body,
    );
    expect(other['model.sentiment']).toMatchObject({ value: 'model-v3', variant: 'v3', reason: 'SPLIT', rule: null });
    expect(other['etl.validate']).toMatchObject({ value: false, variant: 'off', reason: 'DEFAULT', rule: null });
    // A rollout without its bucketBy attribute: the off variant, and the error code that says why.
    const keyless = byKey(
      (
        await t.http
          .post(url)
          .set(t.admin)
          .send({ context: { plan: 'free' } })
      ).body,
    );
    expect(keyless['model.sentiment']).toMatchObject({ variant: 'v1', errorCode: 'TARGETING_KEY_MISSING' });
  });

  it('evaluates each environment’s own config', async () => {
    const staging = byKey(
      (
        await t.http
          .post(`${P}/environments/staging/evaluate`)
          .set(t.admin)
          .send({ context: { targetingKey: 'run-1', plan: 'enterprise' } })
      ).body,
    );
    expect(staging['model.sentiment']).toMatchObject({ reason: 'DISABLED', version: 0 });
  });

  it('serves viewers, users and API tokens, and refuses SDK keys and anonymous callers', async () => {
    const viewer = await aUser(t.http, t.admin, 'viewer');
    const token = await aToken(t.http, t.admin, 'viewer');
    for (const auth of [bearer(viewer.token), bearer(token.secret)]) {
      expect((await t.http.post(url).set(auth).send({ context: {} })).status).toBe(200);
    }
    const anonymous = await t.http.post(url).send({ context: {} });
    expect(anonymous.status).toBe(401);
    // SDK keys read config through /sdk only.
    const sdk = await t.http.post(url).set(bearer(sdkKey)).send({ context: {} });
    expect(sdk.status).toBe(403);
    const killSwitch = await aToken(t.http, t.admin, 'kill-switch');
    expect((await t.http.post(url).set(bearer(killSwitch.secret)).send({ context: {} })).status).toBe(403);
  });

  it('answers 400 naming the field for a context that is not an object, too deep or too large', async () => {
    for (const context of ['run-1', [1, 2], null, 7]) {
      const res = await t.http.post(url).set(t.admin).send({ context });
      expect(res.status, JSON.stringify(context)).toBe(400);
      expect(res.body.details).toEqual([{ field: 'context', reason: 'context must be an object of attributes' }]);
    }
    const missing = await t.http.post(url).set(t.admin).send({});
    expect(missing.status).toBe(400);
    expect(missing.body.details).toEqual([{ field: 'context', reason: 'context must be an object of attributes' }]);

    let nested: unknown = 1;
    for (let i = 0; i < 40; i++) nested = { a: nested };
    const deep = await t.http
      .post(url)
      .set(t.admin)
      .send({ context: { n: nested } });
    expect(deep.status).toBe(400);
    expect(deep.body.details).toEqual([{ field: `context.n${'.a'.repeat(30)}`, reason: 'is nested more than 32 levels deep' }]);

    // 10,000 levels are refused before parsing, with the same error body.
    const raw = `{"context":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    const deeper = await t.http.post(url).set(t.admin).set('content-type', 'application/json').send(raw);
    expect(deeper.status).toBe(400);
    expect(deeper.body).toMatchObject({ error: 'BAD_REQUEST', message: expect.stringMatching(/^body: is nested more than \d+ levels deep$/) });

    const huge = await t.http
      .post(url)
      .set(t.admin)
      .send({ context: { runs: Array.from({ length: 100_001 }, () => 0) } });
    expect(huge.status).toBe(400);
    expect(huge.body.details).toEqual([{ field: 'context.runs', reason: 'is an array of more than 100000 elements' }]);

    const unknown = await t.http
      .post(url)
      .set(t.admin)
      .send({ context: {}, flags: ['x'] });
    expect(unknown.body.details).toEqual([{ field: 'flags', reason: 'is not a known field' }]);
  });

  it('answers 404 for an unknown environment or project', async () => {
    const environment = await t.http.post(`${P}/environments/qa/evaluate`).set(t.admin).send({ context: {} });
    expect(environment.status).toBe(404);
    expect(environment.body.error).toBe('NOT_FOUND');
    expect((await t.http.post('/api/v1/projects/nope/environments/production/evaluate').set(t.admin).send({ context: {} })).status).toBe(404);
  });

  // The README promises "nothing is recorded and nothing changes": a person asking "what does run X
  // see?" must not make a flag look evaluated (stale-flag detection, the flag list's order) nor
  // write the audit log or the change log.
  it('records nothing: no last evaluation, no audit entry, no change-log entry', async () => {
    const lastEvaluated = async () => (await t.http.get(`${P}/telemetry/last-evaluated`).set(t.admin).expect(200)).body.flags;
    const newestAudit = async () => (await t.http.get('/api/v1/audit?project=runs&limit=1').set(t.admin).expect(200)).body.items[0].id;
    const sdkSequence = async () => (await t.http.get('/api/v1/sdk/config').set(bearer(sdkKey)).expect(200)).body.sequence;
    const auditBefore = await newestAudit();
    const sequenceBefore = await sdkSequence();

    for (const context of [{ targetingKey: 'run-1', plan: 'enterprise' }, { targetingKey: 'run-2', pipeline: 'prod-daily' }, {}]) {
      const res = await t.http.post(url).set(t.admin).send({ context }).expect(200);
      // `sequence` is the change log's, and evaluating does not move it.
      expect(res.body.sequence).toBe(sequenceBefore);
    }
    expect(await lastEvaluated()).toEqual([]);
    expect(await newestAudit()).toBe(auditBefore);
    expect(await sdkSequence()).toBe(sequenceBefore);

    // The same read does see an SDK's evaluation, so the empty answer above is not vacuous.
    // A window ending now: an evaluation timed before the flag was created is not shown as its.
    const now = new Date().toISOString();
    const batch = { windowStart: now, windowEnd: now, series: [], evaluations: [{ flag: 'etl.validate', variant: 'on', reason: 'TARGETING_MATCH', count: 1 }] };
    await t.http
      .post('/api/v1/sdk/events')
      .set(bearer(sdkKey))
      .send({ sdk: 'test/1', batches: [batch], dropped: 0 })
      .expect(202);
    expect(await lastEvaluated()).toEqual([{ flag: 'etl.validate', environments: { production: expect.any(String) } }]);
  });
});
