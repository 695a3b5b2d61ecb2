import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './test-app.js';

const ENVIRONMENTS = ['development', 'staging', 'production'];
const D = '/api/v1/projects/demo';

describe('demo project', () => {
  let t: TestApp;
  let flags: Array<{ key: string; kind: string; variants: Array<{ key: string; value: unknown }>; environments: Record<string, Record<string, unknown>> }>;
  const flag = (key: string) => flags.find((f) => f.key === key)!;

  beforeAll(async () => {
    t = await startTestApp({ demo: true });
    flags = (await t.http.get(`${D}/flags`).set(t.admin)).body;
  });
  afterAll(() => t.close());

  it('creates project demo with development, staging and production (production asks for reasons)', async () => {
    const projects = (await t.http.get('/api/v1/projects').set(t.admin)).body;
    expect(projects.map((p: { key: string }) => p.key)).toEqual(['demo']);
    expect(projects[0].environments.map((e: { key: string; requireChangeReason: boolean }) => [e.key, e.requireChangeReason])).toEqual([
      ['development', false],
      ['staging', false],
      ['production', true],
    ]);
    expect(projects[0].environments.every((e: { sdkKeyPrefix: string | null }) => e.sdkKeyPrefix?.startsWith('sbk_'))).toBe(true);
  });

  it('creates the segments prod-pipelines and beta-testers', async () => {
    const segments = (await t.http.get(`${D}/segments`).set(t.admin)).body;
    expect(segments.map((s: { key: string }) => s.key)).toEqual(['beta-testers', 'prod-pipelines']);
    expect(segments[0]).toMatchObject({
      included: ['team-search', 'team-recs'],
      rules: [{ clauses: [{ attribute: 'email', op: 'endsWith', values: ['@beta.example.com'] }] }],
    });
    expect(segments[1]).toMatchObject({ rules: [{ clauses: [{ attribute: 'pipeline', op: 'startsWith', values: ['prod-'] }] }] });
  });

  it('creates the five flags, configured alike in every environment', () => {
    expect(flags.map((f) => f.key).sort()).toEqual([
      'etl.enable-data-validation',
      'etl.send-notifications',
      'etl.use-new-transformer',
      'model.sentiment',
      'ops.gpu-processing',
    ]);
    for (const f of flags) {
      expect(Object.keys(f.environments), f.key).toEqual(ENVIRONMENTS);
      const strip = ({ environment: _e, updatedAt: _u, kill, ...rest }: Record<string, unknown>) => ({
        ...rest,
        kill: kill ? { reason: (kill as { reason: string }).reason } : null,
      });
      const [first, ...others] = ENVIRONMENTS.map((e) => strip(f.environments[e]!));
      for (const other of others) expect(other, f.key).toEqual(first);
    }
  });

  it.each(ENVIRONMENTS)('etl.use-new-transformer is a 50%% rollout by runId in %s', (env) => {
    expect(flag('etl.use-new-transformer').environments[env]).toMatchObject({
      on: true,
      killed: false,
      defaultRule: {
        rollout: {
          bucketBy: 'runId',
          variants: [
            { variant: 'on', weight: 50_000 },
            { variant: 'off', weight: 50_000 },
          ],
        },
      },
    });
  });

  it.each(ENVIRONMENTS)('etl.enable-data-validation is on in %s', (env) => {
    expect(flag('etl.enable-data-validation').environments[env]).toMatchObject({ on: true, killed: false, rules: [], defaultRule: { variant: 'on' } });
  });

  it.each(ENVIRONMENTS)('etl.send-notifications goes to the prod-pipelines segment only in %s', (env) => {
    expect(flag('etl.send-notifications').environments[env]).toMatchObject({
      on: true,
      rules: [{ clauses: [{ op: 'segment', segments: ['prod-pipelines'] }], serve: { variant: 'on' } }],
      defaultRule: { variant: 'off' },
    });
  });

  it.each(ENVIRONMENTS)('model.sentiment serves v1/v2 80/20 and v3 to beta-testers in %s', (env) => {
    const model = flag('model.sentiment');
    expect(model.kind).toBe('string');
    expect(model.variants.map((v) => v.key)).toEqual(['v1', 'v2', 'v3']);
    expect(model.environments[env]).toMatchObject({
      on: true,
      offVariant: 'v1',
      rules: [{ clauses: [{ op: 'segment', segments: ['beta-testers'] }], serve: { variant: 'v3' } }],
      defaultRule: {
        rollout: {
          variants: [
            { variant: 'v1', weight: 80_000 },
            { variant: 'v2', weight: 20_000 },
          ],
        },
      },
    });
  });

  it.each(ENVIRONMENTS)('ops.gpu-processing is killed with a reason in %s', (env) => {
    expect(flag('ops.gpu-processing').environments[env]).toMatchObject({ killed: true, kill: { reason: expect.stringMatching(/\S{10,}/), by: 'demo-setup' } });
  });

  it('serves what the setup promises to real contexts', async () => {
    const explain = async (key: string, context: Record<string, unknown>) => {
      const res = await t.http.post(`${D}/flags/${key}/environments/production/explain`).set(t.admin).send({ context });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.result.variant as string;
    };
    expect(await explain('etl.send-notifications', { targetingKey: 'run-1', pipeline: 'prod-daily' })).toBe('on');
    expect(await explain('etl.send-notifications', { targetingKey: 'run-1', pipeline: 'dev-daily' })).toBe('off');
    expect(await explain('model.sentiment', { targetingKey: 'team-search' })).toBe('v3');
    expect(await explain('model.sentiment', { targetingKey: 'x', email: 'ana@beta.example.com' })).toBe('v3');
    expect(await explain('ops.gpu-processing', { targetingKey: 'run-1' })).toBe('off');
    const served = new Set<string>();
    for (let i = 0; i < 40; i++) served.add(await explain('etl.use-new-transformer', { targetingKey: 'x', runId: `run-${i}` }));
    expect([...served].sort()).toEqual(['off', 'on']);
  });

  it('records the setup in the audit log as demo-setup', async () => {
    const entries = (await t.http.get('/api/v1/audit?project=demo&limit=200').set(t.admin)).body.items as Array<{ actorName: string; action: string }>;
    expect(entries.length).toBeGreaterThan(20);
    expect(new Set(entries.map((e) => e.actorName))).toEqual(new Set(['demo-setup']));
    expect(entries.filter((e) => e.action === 'flag.killed')).toHaveLength(3);
  });

  it('does not seed again on a second boot on the same database', async () => {
    const ds = t.app.get(DataSource);
    const count = async (d: DataSource) => {
      const [row] = await d.query(
        `SELECT (SELECT count(*) FROM projects)::int AS projects, (SELECT count(*) FROM flags)::int AS flags,
                (SELECT count(*) FROM segments)::int AS segments, (SELECT count(*) FROM audit_log)::int AS audit,
                (SELECT count(*) FROM change_log)::int AS changes`,
      );
      return row;
    };
    const before = await count(ds);
    expect(before).toMatchObject({ projects: 1, flags: 5, segments: 2 });
    await t.stop();
    t = await startTestApp({ demo: true, database: t.database });
    expect(await count(t.app.get(DataSource))).toEqual(before);
    expect((await t.http.get(`${D}/flags/ops.gpu-processing/environments/production`).set(t.admin)).body).toMatchObject({ killed: true, version: 2 });
  });
});
