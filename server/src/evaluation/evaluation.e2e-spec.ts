import fs from 'node:fs';
import path from 'node:path';
import {
  compileEnvironment,
  evaluate,
  type EnvironmentConfig,
  type EvaluationResult,
  type FlagConfig,
  type FlagKind,
  type FlagValue,
} from '@signalbox/sdk/core';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject, aStringFlag } from '../../test/builders.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';
import { hashSecret } from '../auth/secrets.js';

interface VectorCase {
  description: string;
  config: EnvironmentConfig;
  flagKey: string;
  context: Record<string, unknown>;
  defaultValue: FlagValue;
  expectedKind?: FlagKind;
  expected: EvaluationResult;
}

const VECTOR_DIR = path.resolve(import.meta.dirname, '../../../sdk/test-vectors');
const vectors: Array<VectorCase & { file: string }> = fs
  .readdirSync(VECTOR_DIR)
  .filter((f) => f.endsWith('.json'))
  .flatMap((file) => (JSON.parse(fs.readFileSync(path.join(VECTOR_DIR, file), 'utf8')) as { cases: VectorCase[] }).cases.map((c) => ({ ...c, file })));

// The server stores only validated configs; vectors of unreadable configs (no salt, unknown kind,
// duplicate keys...) cannot exist in its tables, so those are run by the SDK's own vector test only.
const storable = (config: EnvironmentConfig): boolean => {
  const keys = config.flags.map((f) => f?.key);
  return (
    Array.isArray(config.flags) &&
    new Set(keys).size === keys.length &&
    config.flags.every(
      (f: FlagConfig) =>
        typeof f?.key === 'string' && typeof f.salt === 'string' && ['boolean', 'string', 'number', 'json'].includes(f.kind) && Array.isArray(f.variants),
    ) &&
    (config.segments ?? []).every((s) => typeof s?.key === 'string')
  );
};

describe('remote evaluation', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers exactly what the SDK core answers, for every storable test vector', async () => {
    const ds = t.app.get(DataSource);
    // The HTTP API answers 400 to a context that is not an object (tested below); the core reads it as empty.
    const runnable = vectors.filter((v) => storable(v.config) && typeof v.context === 'object' && v.context !== null && !Array.isArray(v.context));
    expect(runnable.length).toBeGreaterThan(230);
    const sdkKeys: string[] = [];
    await ds.transaction(async (m) => {
      for (const [i, vector] of runnable.entries()) {
        const [project] = await m.query(`INSERT INTO projects (key, name) VALUES ($1, $1) RETURNING id`, [`vectors-${i}`]);
        const [environment] = await m.query(`INSERT INTO environments (project_id, key, name) VALUES ($1, 'test', 'test') RETURNING id`, [project.id]);
        const sdkKey = `sbk_vector_${i}_${'x'.repeat(20)}`;
        sdkKeys.push(sdkKey);
        await m.query(`INSERT INTO sdk_keys (environment_id, key_hash, prefix) VALUES ($1, $2, 'sbk_vect')`, [environment.id, hashSecret(sdkKey)]);
        for (const flag of vector.config.flags) {
          const [row] = await m.query(
            `INSERT INTO flags (project_id, key, name, kind, variants, default_off_variant, default_on_variant, lifecycle, salt) VALUES ($1, $2, ` +
              `$2, $3, $4, '', '', 'temporary', $5) RETURNING id`,
            [project.id, flag.key, flag.kind, JSON.stringify(flag.variants), flag.salt],
          );
          await m.query(
            `INSERT INTO flag_configs (flag_id, environment_id, "on", kill, off_variant, targets, rules, default_rule, prerequisites, version) ` +
              `VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
            [
              row.id,
              environment.id,
              flag.on === true,
              flag.killed ? JSON.stringify({ reason: 'vector', by: 'test', at: new Date().toISOString() }) : null,
              flag.offVariant ?? null,
              JSON.stringify(flag.targets ?? []),
              JSON.stringify(flag.rules ?? []),
              flag.defaultRule === undefined ? null : JSON.stringify(flag.defaultRule),
              JSON.stringify(flag.prerequisites ?? []),
              typeof flag.version === 'number' ? flag.version : 1,
            ],
          );
        }
        for (const segment of vector.config.segments ?? []) {
          await m.query(`INSERT INTO segments (project_id, key, name, included, excluded, rules) VALUES ($1, $2, $2, $3, $4, $5)`, [
            project.id,
            segment.key,
            JSON.stringify(segment.included ?? []),
            JSON.stringify(segment.excluded ?? []),
            JSON.stringify(segment.rules ?? []),
          ]);
        }
      }
    });
    for (const [i, vector] of runnable.entries()) {
      const res = await t.http
        .post(`/api/v1/sdk/evaluate/${encodeURIComponent(vector.flagKey)}`)
        .set(bearer(sdkKeys[i]!))
        .send({ context: vector.context, defaultValue: vector.defaultValue, ...(vector.expectedKind ? { type: vector.expectedKind } : {}) });
      const label = `${vector.file}: ${vector.description}`;
      expect(res.status, label).toBe(200);
      const { flagKey: _k, sequence: _s, errorMessage: _m, ...served } = res.body;
      const { errorMessage: _e, ...expected } = vector.expected;
      expect(served, label).toEqual(expected);
      // And the SDK, evaluating the snapshot the server holds, agrees with the server.
      const local = evaluate(compileEnvironment(vector.config), vector.flagKey, vector.context, vector.defaultValue, vector.expectedKind);
      expect({ ...local, errorMessage: undefined }, label).toEqual({ ...served, errorMessage: undefined });
    }
  });

  describe('through the API', () => {
    let sdkKey: string;
    const base = '/api/v1/projects/remote/flags';

    beforeAll(async () => {
      const project = await aProject(t.http, t.admin, 'remote', [{ key: 'development', name: 'Development' }]);
      sdkKey = project.sdkKeys.development!;
      await t.http
        .post('/api/v1/projects/remote/segments')
        .set(t.admin)
        .send({ key: 'beta', name: 'Beta', included: ['team-search'] });
      await aStringFlag(t.http, t.admin, 'remote', 'model.sentiment');
      await t.http
        .put(`${base}/model.sentiment/environments/development`)
        .set(t.admin)
        .send({
          version: 0,
          on: true,
          offVariant: 'v1',
          targets: [],
          rules: [
            { description: 'enterprise', clauses: [{ attribute: 'plan', op: 'in', values: ['enterprise'] }], serve: { variant: 'v2' } },
            { description: 'beta', clauses: [{ op: 'segment', segments: ['beta'] }], serve: { variant: 'v3' } },
          ],
          defaultRule: {
            rollout: {
              variants: [
                { variant: 'v1', weight: 80_000 },
                { variant: 'v2', weight: 20_000 },
              ],
            },
          },
          prerequisites: [],
        })
        .expect(200);
      await aBooleanFlag(t.http, t.admin, 'remote', 'etl.validate');
    });

    it('evaluates one flag for a posted context', async () => {
      const res = await t.http
        .post('/api/v1/sdk/evaluate/model.sentiment')
        .set(bearer(sdkKey))
        .send({ context: { targetingKey: 'team-search' }, defaultValue: 'none' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ flagKey: 'model.sentiment', value: 'model-v3', variant: 'v3', reason: 'TARGETING_MATCH', ruleIndex: 1 });
    });

    it('answers the default with FLAG_NOT_FOUND for an unknown flag, and TYPE_MISMATCH for the wrong type', async () => {
      const unknown = await t.http.post('/api/v1/sdk/evaluate/no.such.flag').set(bearer(sdkKey)).send({ context: {}, defaultValue: 7 });
      expect(unknown.body).toMatchObject({ value: 7, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
      const mismatch = await t.http
        .post('/api/v1/sdk/evaluate/model.sentiment')
        .set(bearer(sdkKey))
        .send({ context: { targetingKey: 'u' }, defaultValue: false, type: 'boolean' });
      expect(mismatch.body).toMatchObject({ value: false, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
    });

    it('evaluates all flags of the environment at once', async () => {
      const res = await t.http
        .post('/api/v1/sdk/evaluate')
        .set(bearer(sdkKey))
        .send({ context: { targetingKey: 'x', plan: 'enterprise' } });
      expect(res.status).toBe(200);
      expect(res.body.flags['model.sentiment']).toMatchObject({ variant: 'v2', reason: 'TARGETING_MATCH', ruleIndex: 0 });
      expect(res.body.flags['etl.validate']).toMatchObject({ value: false, variant: 'off', reason: 'DISABLED' });
    });

    it('serves a change made through the API on the very next call', async () => {
      const before = await t.http.post('/api/v1/sdk/evaluate/etl.validate').set(bearer(sdkKey)).send({ context: {} });
      expect(before.body.reason).toBe('DISABLED');
      await t.http.patch(`${base}/etl.validate/environments/development`).set(t.admin).send({ version: 0, on: true }).expect(200);
      const after = await t.http.post('/api/v1/sdk/evaluate/etl.validate').set(bearer(sdkKey)).send({ context: {} });
      expect(after.body).toMatchObject({ value: true, variant: 'on', reason: 'STATIC' });
      expect(after.body.sequence).toBeGreaterThan(before.body.sequence);
    });

    it('takes only SDK keys, and a context that is an object', async () => {
      expect((await t.http.post('/api/v1/sdk/evaluate/etl.validate').set(t.admin).send({ context: {} })).status).toBe(403);
      expect((await t.http.post('/api/v1/sdk/evaluate/etl.validate').send({ context: {} })).status).toBe(401);
      const bad = await t.http.post('/api/v1/sdk/evaluate/etl.validate').set(bearer(sdkKey)).send({ context: 'user-1' });
      expect(bad.status).toBe(400);
      expect(bad.body.details).toEqual([{ field: 'context', reason: 'context must be an object of attributes' }]);
    });

    it('answers malformed bodies with the same error format as every other route', async () => {
      const url = '/api/v1/sdk/evaluate/etl.validate';
      const json = await t.http.post(url).set(bearer(sdkKey)).set('content-type', 'application/json').send('{"context": ');
      expect(json.status).toBe(400);
      expect(json.body).toMatchObject({ error: 'BAD_REQUEST', message: 'The request body is not valid JSON', requestId: json.headers['x-request-id'] });
      const unknown = await t.http.post(url).set(bearer(sdkKey)).send({ context: {}, colour: 'red' });
      expect(unknown.body).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field: 'colour', reason: 'is not a known field' }] });
      const kind = await t.http.post(url).set(bearer(sdkKey)).send({ context: {}, type: 'integer' });
      expect(kind.body.details).toEqual([{ field: 'type', reason: expect.stringContaining('type must be one of') }]);
      const array = await t.http.post('/api/v1/sdk/evaluate').set(bearer(sdkKey)).send([1, 2]);
      expect(array.status).toBe(400);
      const huge = await t.http
        .post(url)
        .set(bearer(sdkKey))
        .send({ context: { blob: 'x'.repeat(1_100_000) } });
      expect(huge.status).toBe(413);
      const traced = await t.http.post(url).set(bearer(sdkKey)).set('X-Request-Id', 'trace-123').send({ context: {} });
      expect(traced.headers['x-request-id']).toBe('trace-123');
    });

    it('explains which rule decided and why earlier rules did not match', async () => {
      const res = await t.http
        .post(`${base}/model.sentiment/environments/development/explain`)
        .set(t.admin)
        .send({ context: { targetingKey: 'team-search', plan: 'free' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        flagKey: 'model.sentiment',
        result: { variant: 'v3', reason: 'TARGETING_MATCH', ruleIndex: 1 },
        decidedBy: 'RULE',
        ruleIndex: 1,
        rules: [
          { index: 0, matched: false, failedClause: { index: 0, attributeValue: 'free' } },
          { index: 1, matched: true },
        ],
      });
      const split = await t.http
        .post(`${base}/model.sentiment/environments/development/explain`)
        .set(t.admin)
        .send({ context: { targetingKey: 'someone' } });
      expect(split.body.result.reason).toBe('SPLIT');
      expect(split.body.rollout).toMatchObject({ bucketBy: 'targetingKey', unit: 'someone', cumulativeWeights: [80_000, 100_000] });
      expect((await t.http.post(`${base}/nope/environments/development/explain`).set(t.admin).send({ context: {} })).status).toBe(404);
    });
  });
});
