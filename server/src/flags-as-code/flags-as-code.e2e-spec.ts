import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { aBooleanFlag, aProject, aStringFlag, aUser } from '../../test/builders.js';
import { bearer as bearerOf, startTestApp, type TestApp } from '../../test/test-app.js';

const ENVIRONMENTS = [
  { key: 'development', name: 'Development' },
  { key: 'staging', name: 'Staging' },
  { key: 'production', name: 'Production', requireChangeReason: true },
];

describe('flags as code: export, plan, apply, copy', () => {
  let t: TestApp;
  let sdkKey: string;
  const api = (project: string) => `/api/v1/projects/${project}`;

  /** Every config version of every flag in a project: what "nothing was written" is checked against. */
  const versions = async (project: string) => {
    const flags = (await t.http.get(`${api(project)}/flags?archived=all`).set(t.admin)).body as Array<{
      key: string;
      version: number;
      environments: Record<string, { version: number }>;
    }>;
    const segments = (await t.http.get(`${api(project)}/segments`).set(t.admin)).body as Array<{ key: string; version: number }>;
    return {
      flags: Object.fromEntries(
        flags.map((f) => [f.key, { version: f.version, ...Object.fromEntries(Object.entries(f.environments).map(([e, c]) => [e, c.version])) }]),
      ),
      segments: Object.fromEntries(segments.map((s) => [s.key, s.version])),
    };
  };
  /** The configs a project serves, without versions and timestamps: what a round trip must keep. */
  const configs = async (project: string) => {
    const flags = (await t.http.get(`${api(project)}/flags`).set(t.admin)).body as Array<Record<string, unknown> & { environments: Record<string, object> }>;
    return flags.map(({ key, name, description, owner, tags, kind, variants, lifecycle, environments }) => ({
      key,
      name,
      description,
      owner,
      tags,
      kind,
      variants,
      lifecycle,
      environments: Object.fromEntries(
        Object.entries(environments).map(([e, c]) => {
          const { version: _v, updatedAt: _u, environment: _e, ...rest } = c as Record<string, unknown>;
          return [e, rest];
        }),
      ),
    }));
  };
  const exportYaml = async (project: string, query = '') => {
    const res = await t.http.get(`${api(project)}/export${query}`).set(t.admin);
    expect(res.status).toBe(200);
    return res.text;
  };
  const plan = (project: string, file: unknown, extra: Record<string, unknown> = {}) =>
    t.http
      .post(`${api(project)}/plan`)
      .set(t.admin)
      .send({ file, ...extra });
  const apply = (project: string, file: unknown, extra: Record<string, unknown> = {}) =>
    t.http
      .post(`${api(project)}/apply`)
      .set(t.admin)
      .send({ file, reason: 'from git', ...extra });

  beforeAll(async () => {
    t = await startTestApp();
    sdkKey = (await aProject(t.http, t.admin, 'source', ENVIRONMENTS)).sdkKeys.production!;
    await aProject(t.http, t.admin, 'empty', ENVIRONMENTS);
    await t.http
      .post(`${api('source')}/segments`)
      .set(t.admin)
      .send({ key: 'beta', name: 'Beta testers', included: ['u1'], rules: [{ clauses: [{ attribute: 'country', op: 'in', values: ['NL'] }] }] })
      .expect(201);
    await aBooleanFlag(t.http, t.admin, 'source', 'etl.new-transformer', { tags: ['etl'], owner: 'data-team', description: 'New transformer' });
    await aStringFlag(t.http, t.admin, 'source', 'model.sentiment');
    await t.http
      .put(`${api('source')}/flags/model.sentiment/environments/staging`)
      .set(t.admin)
      .send({
        version: 0,
        on: true,
        offVariant: 'v1',
        targets: [{ variant: 'v3', values: ['qa-1'] }],
        rules: [{ clauses: [{ op: 'segment', segments: ['beta'] }], serve: { variant: 'v2' } }],
        defaultRule: {
          rollout: {
            bucketBy: 'runId',
            variants: [
              { variant: 'v1', weight: 90_000 },
              { variant: 'v2', weight: 10_000 },
            ],
          },
        },
        prerequisites: [{ flag: 'etl.new-transformer', variant: 'on' }],
      })
      .expect(200);
    await t.http
      .patch(`${api('source')}/flags/etl.new-transformer/environments/staging`)
      .set(t.admin)
      .send({ version: 0, on: true })
      .expect(200);
    await t.http
      .patch(`${api('source')}/flags/etl.new-transformer/environments/production`)
      .set(t.admin)
      .send({ version: 0, on: true, reason: 'launch' })
      .expect(200);
    // Killed in production: operational state, which the file neither carries nor changes.
    await t.http
      .post(`${api('source')}/flags/etl.new-transformer/kill`)
      .set(t.admin)
      .send({ environments: ['production'], reason: 'incident' })
      .expect(200);
  });
  afterAll(() => t.close());

  it('exports YAML and JSON with base versions, and never secrets or kill state', async () => {
    const text = await exportYaml('source');
    const file = parse(text) as { version: number; flags: Array<{ key: string; environments: Record<string, Record<string, unknown>> }> };
    expect(file.version).toBe(1);
    // The published schema accepts what the server writes.
    const schema = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../../docs/signalbox-file.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true }).compile(schema);
    expect(validate(file), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...file, flags: [{ ...file.flags[0], environments: { staging: { on: 'yes' } } }] })).toBe(false);
    const sentiment = file.flags.find((f) => f.key === 'model.sentiment')!;
    expect(sentiment.environments.staging).toMatchObject({ baseVersion: 1, on: true, offVariant: 'v1' });
    expect(sentiment.environments.development).toMatchObject({ baseVersion: 0, on: false });
    const transformer = file.flags.find((f) => f.key === 'etl.new-transformer')!;
    expect(transformer.environments.production).toMatchObject({ baseVersion: 2, on: true });
    for (const secret of [sdkKey, 'salt', 'kill', 'incident', 'sbk_', 'sbt_']) expect(text).not.toContain(secret);
    const json = await t.http
      .get(`${api('source')}/export?format=json&environments=staging`)
      .set(t.admin)
      .expect(200);
    expect(json.headers['content-type']).toContain('application/json');
    expect(Object.keys(json.body.flags[0].environments)).toEqual(['staging']);
    const unknown = await t.http.get(`${api('source')}/export?environments=nope`).set(t.admin);
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual([{ field: 'environments', reason: 'no such environment in source: nope' }]);
  });

  it('round trip: export → apply on an empty project gives equal configs; applying again changes nothing', async () => {
    const text = await exportYaml('source');
    const planned = await plan('empty', text).expect(200);
    expect(planned.body.summary).toEqual({ create: 2 + 1 + 6, update: 0, delete: 0, archive: 0 });
    expect(planned.body.conflicts).toEqual([]);
    const applied = await apply('empty', text).expect(200);
    expect(applied.body.applied).toBe(true);
    const expected = (await configs('source')).map((f) =>
      // The kill stays where it happened: the copy is the config that would serve after a restore.
      f.key === 'etl.new-transformer'
        ? { ...f, environments: { ...f.environments, production: { ...f.environments.production, killed: false, kill: null } } }
        : f,
    );
    expect(await configs('empty')).toEqual(expected);
    const before = await versions('empty');
    const again = await plan('empty', text).expect(200);
    expect(again.body).toMatchObject({ noChanges: true, changes: [], conflicts: [] });
    const reapplied = await apply('empty', text).expect(200);
    expect(reapplied.body).toMatchObject({ applied: false, noChanges: true });
    expect(await versions('empty')).toEqual(before);
    // Its own export also plans to nothing.
    expect((await plan('empty', await exportYaml('empty')).expect(200)).body.noChanges).toBe(true);
  });

  it('applies an edit in one transaction, audited as coming from the file, and SDK-visible', async () => {
    const file = parse(await exportYaml('source')) as { flags: Array<{ key: string; name: string; environments: Record<string, { on: boolean }> }> };
    const sentiment = file.flags.find((f) => f.key === 'model.sentiment')!;
    sentiment.environments.development!.on = true;
    sentiment.name = 'Sentiment model';
    const planned = await plan('source', file).expect(200);
    expect(planned.body.changes).toEqual([
      expect.objectContaining({ resource: 'flag', action: 'update', key: 'model.sentiment', fields: ['name'], path: 'flags[1]' }),
      expect.objectContaining({
        resource: 'config',
        action: 'update',
        key: 'model.sentiment',
        environment: 'development',
        fields: ['on'],
        version: 0,
        before: expect.objectContaining({ on: false }),
        after: expect.objectContaining({ on: true }),
      }),
    ]);
    await apply('source', file, { reason: 'PR #12' }).expect(200);
    const audit = await t.http.get('/api/v1/audit?flag=model.sentiment&environment=development').set(t.admin);
    expect(audit.body.items[0]).toMatchObject({ action: 'flag.config.updated', reason: 'PR #12', actorName: 'admin-token (source: file)' });
    const evaluated = await t.http
      .post('/api/v1/sdk/evaluate/model.sentiment')
      .set({ Authorization: `Bearer ${sdkKey}` })
      .send({ context: {} });
    expect(evaluated.status).toBe(200);
  });

  it('a stale base gives 409 naming what moved, and writes nothing', async () => {
    const file = parse(await exportYaml('source')) as {
      flags: Array<{ key: string; environments: Record<string, { on: boolean }> }>;
      segments: Array<{ name: string }>;
    };
    // Someone changes staging after the export.
    await t.http
      .patch(`${api('source')}/flags/etl.new-transformer/environments/staging`)
      .set(t.admin)
      .send({ version: 1, on: false })
      .expect(200);
    file.flags.find((f) => f.key === 'etl.new-transformer')!.environments.staging!.on = true;
    file.flags.find((f) => f.key === 'etl.new-transformer')!.environments.development!.on = true;
    file.segments[0]!.name = 'Beta (renamed)';
    const before = await versions('source');
    const planned = await plan('source', file).expect(200);
    expect(planned.body.conflicts).toEqual([
      expect.objectContaining({
        resource: 'config',
        key: 'etl.new-transformer',
        environment: 'staging',
        path: 'flags[0].environments.staging',
        baseVersion: 1,
        currentVersion: 2,
      }),
    ]);
    const refused = await apply('source', file);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('VERSION_CONFLICT');
    expect(refused.body.details.conflicts[0]).toMatchObject({ key: 'etl.new-transformer', environment: 'staging' });
    expect(await versions('source')).toEqual(before);
  });

  it('one failing item rolls back the whole apply', async () => {
    await aProject(t.http, t.admin, 'rollback', ENVIRONMENTS);
    await aStringFlag(t.http, t.admin, 'rollback', 'model.x');
    await t.http
      .put(`${api('rollback')}/flags/model.x/environments/production`)
      .set(t.admin)
      .send({
        version: 0,
        on: true,
        offVariant: 'v1',
        targets: [],
        rules: [],
        defaultRule: { variant: 'v3' },
        prerequisites: [],
        reason: 'serve v3',
      });
    // The file manages staging only and drops v3, which production still serves: the flag update fails after the segment and config writes.
    const file = parse(await exportYaml('rollback', '?environments=staging')) as {
      flags: Array<{ variants: Array<{ key: string }>; environments: Record<string, { on: boolean }> }>;
      segments: unknown[];
    };
    file.flags[0]!.variants = file.flags[0]!.variants.filter((v) => v.key !== 'v3');
    file.flags[0]!.environments.staging!.on = true;
    file.segments.push({ key: 'new-seg', name: 'New', included: ['a'], excluded: [], rules: [] });
    const before = await versions('rollback');
    const refused = await apply('rollback', file);
    expect(refused.status).toBe(400);
    expect(refused.body.details[0].field).toBe('flags[0].variants');
    expect(refused.body.details[0].reason).toContain("variant 'v3' is still used in production");
    expect(await versions('rollback')).toEqual(before);
  });

  it('does not prune unless asked; with prune it archives flags and deletes segments the file leaves out', async () => {
    await aProject(t.http, t.admin, 'prune', ENVIRONMENTS);
    await aBooleanFlag(t.http, t.admin, 'prune', 'keep.me');
    await aBooleanFlag(t.http, t.admin, 'prune', 'drop.me');
    await t.http
      .post(`${api('prune')}/segments`)
      .set(t.admin)
      .send({ key: 'old', name: 'Old' })
      .expect(201);
    const file = parse(await exportYaml('prune')) as { flags: Array<{ key: string }>; segments: unknown[] };
    file.flags = file.flags.filter((f) => f.key === 'keep.me');
    file.segments = [];
    expect((await plan('prune', file).expect(200)).body.noChanges).toBe(true);
    await apply('prune', file).expect(200);
    expect((await t.http.get(`${api('prune')}/flags/drop.me`).set(t.admin)).body.archived).toBe(false);
    const pruning = await plan('prune', file, { prune: true }).expect(200);
    expect(pruning.body.changes.map((c: { resource: string; action: string; key: string }) => `${c.action} ${c.resource} ${c.key}`)).toEqual([
      'archive flag drop.me',
      'delete segment old',
    ]);
    await apply('prune', { ...file, prune: true }).expect(200);
    expect((await t.http.get(`${api('prune')}/flags/drop.me`).set(t.admin)).body.archived).toBe(true);
    await t.http
      .get(`${api('prune')}/segments/old`)
      .set(t.admin)
      .expect(404);
  });

  it('leaves the environments a file does not list as they are, with or without prune', async () => {
    await aProject(t.http, t.admin, 'partial', ENVIRONMENTS);
    await aBooleanFlag(t.http, t.admin, 'partial', 'partial.flag');
    await t.http
      .patch(`${api('partial')}/flags/partial.flag/environments/production`)
      .set(t.admin)
      .send({ version: 0, on: true, reason: 'live' })
      .expect(200);
    const before = await versions('partial');
    const file = parse(await exportYaml('partial', '?environments=staging')) as { flags: Array<{ environments: Record<string, Record<string, unknown>> }> };
    file.flags[0]!.environments.staging!.on = true;
    for (const prune of [false, true]) {
      await apply('partial', { ...file, ...(prune ? { prune: true } : {}) }).expect(200);
      const after = await versions('partial');
      expect(after.flags['partial.flag'], `prune: ${prune}`).toMatchObject({ production: before.flags['partial.flag']!.production, development: 0 });
    }
    expect((await t.http.get(`${api('partial')}/flags/partial.flag/environments/production`).set(t.admin)).body).toMatchObject({ on: true, version: 1 });
    expect((await t.http.get(`${api('partial')}/flags/partial.flag/environments/staging`).set(t.admin)).body).toMatchObject({ on: true, version: 1 });
  });

  it('never exports trigger URLs, webhooks and their secrets, users or archived flags', async () => {
    await aProject(t.http, t.admin, 'private', ENVIRONMENTS);
    await aBooleanFlag(t.http, t.admin, 'private', 'private.flag');
    await aBooleanFlag(t.http, t.admin, 'private', 'private.archived');
    await t.http
      .post(`${api('private')}/flags/private.archived/archive`)
      .set(t.admin)
      .send({})
      .expect(200);
    const trigger = await t.http
      .post(`${api('private')}/flags/private.flag/environments/staging/triggers`)
      .set(t.admin)
      .send({ name: 'alerts' })
      .expect(201);
    const webhook = await t.http
      .post('/api/v1/webhooks')
      .set(t.admin)
      .send({ name: 'private-hook', url: 'https://hooks.example.com/signalbox', events: ['flag.changed'], projectKey: 'private' })
      .expect(201);
    const user = await t.http.post('/api/v1/users').set(t.admin).send({ email: 'exported@example.com', name: 'Not Exported', role: 'editor' }).expect(201);
    const text = await exportYaml('private');
    const secrets = [trigger.body.secret, trigger.body.url, webhook.body.secret, user.body.password].filter((v): v is string => typeof v === 'string');
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    for (const secret of secrets) expect(text).not.toContain(secret);
    for (const word of ['private.archived', 'hooks.example.com', 'exported@example.com', 'alerts', 'sbw_', 'sbtr_', 'trigger', 'webhook'])
      expect(text, word).not.toContain(word);
    expect((parse(text) as { flags: Array<{ key: string }> }).flags.map((f) => f.key)).toEqual(['private.flag']);
  });

  it('copies staging to production: dry run changes nothing, then the copy does', async () => {
    const before = await versions('source');
    const dry = await t.http
      .post(`${api('source')}/environments/production/copy-from/staging`)
      .set(t.admin)
      .send({ dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body.applied).toBe(false);
    expect(dry.body.changes.map((c: { key: string; environment: string }) => `${c.key}@${c.environment}`)).toEqual([
      'etl.new-transformer@production',
      'model.sentiment@production',
    ]);
    expect(await versions('source')).toEqual(before);
    const noReason = await t.http
      .post(`${api('source')}/environments/production/copy-from/staging`)
      .set(t.admin)
      .send({});
    expect(noReason.status).toBe(400);
    const copied = await t.http
      .post(`${api('source')}/environments/production/copy-from/staging`)
      .set(t.admin)
      .send({ reason: 'promote' })
      .expect(200);
    expect(copied.body.applied).toBe(true);
    const flags = (await t.http.get(`${api('source')}/flags`).set(t.admin)).body as Array<{
      key: string;
      environments: Record<string, Record<string, unknown>>;
    }>;
    for (const flag of flags) {
      const { version: _a, updatedAt: _b, environment: _c, kill: _d, killed: _e, ...staging } = flag.environments.staging!;
      const { version: _f, updatedAt: _g, environment: _h, kill: _i, killed: _j, ...production } = flag.environments.production!;
      expect(production).toEqual(staging);
    }
    // The kill in production stays: copying configs is not a restore.
    expect(flags.find((f) => f.key === 'etl.new-transformer')!.environments.production!.killed).toBe(true);
    const again = await t.http
      .post(`${api('source')}/environments/production/copy-from/staging`)
      .set(t.admin)
      .send({ dryRun: true })
      .expect(200);
    expect(again.body.noChanges).toBe(true);
  });

  it('names the path inside the file of every validation problem', async () => {
    const file = parse(await exportYaml('source')) as {
      flags: Array<{ environments: Record<string, { rules: Array<{ clauses: Array<{ op: string }> }> }> }>;
    };
    file.flags[1]!.environments.staging!.rules[0]!.clauses.push({ op: 'nope' });
    const res = await plan('source', file);
    expect(res.status).toBe(400);
    expect(res.body.details).toContainEqual(expect.objectContaining({ field: 'flags[1].environments.staging.rules[0].clauses[1].op' }));
    const unknownVariant = parse(await exportYaml('source')) as { flags: Array<{ environments: Record<string, { offVariant: string }> }> };
    unknownVariant.flags[1]!.environments.production!.offVariant = 'v9';
    const res2 = await plan('source', unknownVariant);
    expect(res2.status).toBe(400);
    expect(res2.body.details).toEqual([{ field: 'flags[1].environments.production.offVariant', reason: "variant 'v9' does not exist in this flag" }]);
    const badVersion = await plan('source', 'version: 2\nflags: []\n');
    expect(badVersion.body.details).toEqual([{ field: 'version', reason: 'version must be 1' }]);
    const notYaml = await plan('source', 'flags: [\n');
    expect(notYaml.status).toBe(400);
    expect(notYaml.body.details[0].field).toBe('file');
    const unknownEnvironment = await plan('source', {
      version: 1,
      flags: [{ key: 'a.b', name: 'A', kind: 'boolean', variants: [{ key: 'on', value: true }], environments: { mars: {} } }],
    });
    expect(unknownEnvironment.body.details.map((d: { field: string }) => d.field)).toContain('flags[0].environments.mars.on');
    for (const junk of [42, [], '', 'flags: 5', null]) {
      const res = await plan('source', junk);
      expect(res.status, JSON.stringify(junk)).toBe(400);
      expect(res.body.error).toBe('VALIDATION_FAILED');
    }
    const nullConfig = await plan('source', {
      version: 1,
      flags: [{ key: 'a.b', name: 'A', kind: 'boolean', variants: [{ key: 'on', value: true }], environments: { staging: null } }],
    });
    expect(nullConfig.body.details).toEqual([{ field: 'flags[0].environments.staging', reason: 'must be an object' }]);
  });

  it('refuses hostile YAML and JSON quickly: deep nesting, an alias bomb, 10 MB', async () => {
    const started = Date.now();
    const deepFlow = await plan('source', `version: 1\nflags: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`);
    expect(deepFlow.status).toBe(400);
    expect(deepFlow.body.details[0]).toMatchObject({ field: 'file', reason: expect.stringContaining('nested too deeply') });
    let deepBlock = 'version: 1\n';
    for (let i = 0; i < 10_000; i++) deepBlock += `${' '.repeat(i)}k${i}:\n`;
    expect((await plan('source', deepBlock.slice(0, 900_000))).status).toBe(400);
    let bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 0, prev = 'a'; i < 9; prev = `b${i}`, i++) bomb += `b${i}: &b${i} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
    const aliases = await plan('source', `version: 1\n${bomb}`);
    expect(aliases.status).toBe(400);
    expect(aliases.body.details[0].reason).toContain('alias');
    const deepJson = await t.http
      .post(`${api('source')}/plan`)
      .set(t.admin)
      .set('Content-Type', 'application/json')
      .send(`{"file":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`);
    expect(deepJson.status).toBe(400);
    const huge = await plan('source', `version: 1\n# ${'x'.repeat(10 * 1024 * 1024)}\n`);
    expect(huge.status).toBe(413);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('viewers cannot plan or apply; an SDK key cannot export', async () => {
    const viewer = await aUser(t.http, t.admin, 'viewer');
    const text = await exportYaml('source');
    await t.http
      .get(`${api('source')}/export`)
      .set(bearerOf(viewer.token))
      .expect(200);
    await t.http
      .post(`${api('source')}/plan`)
      .set(bearerOf(viewer.token))
      .send({ file: text })
      .expect(403);
    await t.http
      .post(`${api('source')}/apply`)
      .set(bearerOf(viewer.token))
      .send({ file: text, reason: 'x' })
      .expect(403);
    await t.http
      .post(`${api('source')}/environments/production/copy-from/staging`)
      .set(bearerOf(viewer.token))
      .send({ dryRun: true })
      .expect(403);
    await t.http
      .get(`${api('source')}/export`)
      .set(bearerOf(sdkKey))
      .expect(403);
  });
});
