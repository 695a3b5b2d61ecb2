import http from 'node:http';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { type Client, ErrorCode, OpenFeature } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject, aStringFlag, aUser } from '../../test/builders.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';

// Runs on the embedded database, and on PostgreSQL with TEST_DATABASE_URL set.

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown> | undefined;
}

/** A raw request: the body exactly as given (malformed JSON included), the path not re-encoded. */
const post = (base: string, path: string, headers: Record<string, string>, body?: string, method = 'POST'): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const url = new URL(base);
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown> | undefined;
          try {
            parsed = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });

const SINGLE = '/ofrep/v1/evaluate/flags';

/** A project whose development environment serves one flag of every kind and every reason. */
const seedOfrepProject = async (t: TestApp, project: string): Promise<string> => {
  const sdkKey = (await aProject(t.http, t.admin, project)).sdkKeys.development!;
  const flags = `/api/v1/projects/${project}/flags`;
  const put = async (key: string, config: Record<string, unknown>) =>
    t.http
      .put(`${flags}/${key}/environments/development`)
      .set(t.admin)
      .send({ version: 0, targets: [], rules: [], prerequisites: [], ...config })
      .expect(200);
  // boolean, on with no rules: STATIC
  await aBooleanFlag(t.http, t.admin, project, 'etl.enabled');
  await t.http.patch(`${flags}/etl.enabled/environments/development`).set(t.admin).send({ version: 0, on: true }).expect(200);
  // string: a rule (TARGETING_MATCH), else the default rule (DEFAULT)
  await aStringFlag(t.http, t.admin, project, 'model.sentiment');
  await put('model.sentiment', {
    on: true,
    offVariant: 'v1',
    rules: [{ clauses: [{ attribute: 'plan', op: 'in', values: ['enterprise'] }], serve: { variant: 'v2' } }],
    defaultRule: { variant: 'v1' },
  });
  // number: a 50/50 rollout (SPLIT; no targetingKey: TARGETING_KEY_MISSING)
  await t.http
    .post(flags)
    .set(t.admin)
    .send({
      key: 'batch.size',
      name: 'batch size',
      kind: 'number',
      variants: [
        { key: 'small', value: 100 },
        { key: 'large', value: 1000.5 },
      ],
    })
    .expect(201);
  await put('batch.size', {
    on: true,
    offVariant: 'small',
    defaultRule: {
      rollout: {
        variants: [
          { variant: 'small', weight: 50_000 },
          { variant: 'large', weight: 50_000 },
        ],
      },
    },
  });
  // json: STATIC object
  await t.http
    .post(flags)
    .set(t.admin)
    .send({ key: 'model.config', name: 'model config', kind: 'json', variants: [{ key: 'a', value: { threshold: 0.5, labels: ['x', 'y'] } }] })
    .expect(201);
  await put('model.config', { on: true, offVariant: 'a', defaultRule: { variant: 'a' } });
  // off: DISABLED with the off variant
  await aBooleanFlag(t.http, t.admin, project, 'etl.off');
  return sdkKey;
};

describe('OFREP: /ofrep/v1/evaluate/flags', () => {
  let t: TestApp;
  let sdkKey: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    sdkKey = await seedOfrepProject(t, 'ofrep');
    auth = bearer(sdkKey);
  });
  afterAll(() => t.close());

  it('evaluates one flag of every kind with value, reason, variant and metadata', async () => {
    const ctx = (context: Record<string, unknown>) => JSON.stringify({ context });
    const bool = await post(t.url, `${SINGLE}/etl.enabled`, auth, ctx({ targetingKey: 'u1' }));
    expect(bool.status).toBe(200);
    expect(bool.headers['content-type']).toMatch(/^application\/json/);
    expect(bool.body).toEqual({ key: 'etl.enabled', value: true, reason: 'STATIC', variant: 'on', metadata: { flagVersion: expect.any(Number) } });

    const matched = await post(t.url, `${SINGLE}/model.sentiment`, auth, ctx({ targetingKey: 'u1', plan: 'enterprise' }));
    expect(matched.body).toMatchObject({ key: 'model.sentiment', value: 'model-v2', variant: 'v2', reason: 'TARGETING_MATCH', metadata: { ruleIndex: 0 } });
    const fallthrough = await post(t.url, `${SINGLE}/model.sentiment`, auth, ctx({ targetingKey: 'u1', plan: 'free' }));
    expect(fallthrough.body).toMatchObject({ value: 'model-v1', variant: 'v1', reason: 'DEFAULT' });

    const split = await post(t.url, `${SINGLE}/batch.size`, auth, ctx({ targetingKey: 'u1' }));
    expect(split.body).toMatchObject({ key: 'batch.size', reason: 'SPLIT' });
    expect([100, 1000.5]).toContain(split.body!.value);
    const seen = new Set<unknown>();
    for (let i = 0; i < 40; i++) seen.add((await post(t.url, `${SINGLE}/batch.size`, auth, ctx({ targetingKey: `unit-${i}` }))).body!.variant);
    expect(seen).toEqual(new Set(['small', 'large']));

    const object = await post(t.url, `${SINGLE}/model.config`, auth, ctx({}));
    expect(object.body).toMatchObject({ value: { threshold: 0.5, labels: ['x', 'y'] }, variant: 'a', reason: 'STATIC' });

    const off = await post(t.url, `${SINGLE}/etl.off`, auth, ctx({}));
    expect(off.body).toMatchObject({ value: false, variant: 'off', reason: 'DISABLED' });
  });

  it('maps a killed flag to DISABLED with the off variant and says why in metadata', async () => {
    await aBooleanFlag(t.http, t.admin, 'ofrep', 'etl.killed');
    await t.http.patch('/api/v1/projects/ofrep/flags/etl.killed/environments/development').set(t.admin).send({ version: 0, on: true }).expect(200);
    await t.http.post('/api/v1/projects/ofrep/flags/etl.killed/environments/development/kill').set(t.admin).send({ reason: 'incident' }).expect(200);
    const res = await post(t.url, `${SINGLE}/etl.killed`, auth, JSON.stringify({ context: {} }));
    expect(res.body).toMatchObject({ value: false, variant: 'off', reason: 'DISABLED', metadata: { signalboxReason: 'KILLED' } });
  });

  it('answers an unknown flag 404 FLAG_NOT_FOUND and a missing bucketing key 400 TARGETING_KEY_MISSING', async () => {
    const missing = await post(t.url, `${SINGLE}/no.such.flag`, auth, JSON.stringify({ context: {} }));
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ key: 'no.such.flag', errorCode: 'FLAG_NOT_FOUND', errorDetails: expect.any(String) });
    const noKey = await post(t.url, `${SINGLE}/batch.size`, auth, JSON.stringify({ context: {} }));
    expect(noKey.status).toBe(400);
    expect(noKey.body).toMatchObject({ key: 'batch.size', errorCode: 'TARGETING_KEY_MISSING' });
  });

  it('takes SDK keys only, as Bearer or X-API-Key, and refuses anything else with 401/403', async () => {
    const body = JSON.stringify({ context: {} });
    expect((await post(t.url, `${SINGLE}/etl.enabled`, { 'X-API-Key': sdkKey }, body)).body).toMatchObject({ value: true });
    const none = await post(t.url, `${SINGLE}/etl.enabled`, {}, body);
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ errorDetails: expect.any(String) });
    expect((await post(t.url, `${SINGLE}/etl.enabled`, bearer('sbk_not-a-real-key'), body)).status).toBe(401);
    expect((await post(t.url, SINGLE, { 'X-API-Key': 'wrong' }, body)).status).toBe(401);
    // The admin token and a console session are real credentials, but not SDK keys.
    expect((await post(t.url, `${SINGLE}/etl.enabled`, t.admin, body)).status).toBe(403);
    const session = await aUser(t.http, t.admin, 'admin');
    expect((await post(t.url, SINGLE, bearer(session.token), body)).status).toBe(403);
  });

  it('refuses bad bodies with 400 PARSE_ERROR / INVALID_CONTEXT naming the field, never 500', async () => {
    const cases: Array<[string, string, string, RegExp]> = [
      ['not JSON', '{"context":', 'PARSE_ERROR', /body/],
      ['an array body', '[1,2]', 'PARSE_ERROR', /body/],
      ['a string context', '{"context":"user-1"}', 'INVALID_CONTEXT', /^context/],
      ['a numeric targetingKey', '{"context":{"targetingKey":42}}', 'INVALID_CONTEXT', /context\.targetingKey/],
      ['10,000-deep JSON', `{"context":{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`, 'PARSE_ERROR', /nested/],
      ['40-deep context', `{"context":{"a":${'{"b":'.repeat(40)}1${'}'.repeat(40)}}}`, 'INVALID_CONTEXT', /context\.a/],
      ['a huge array', `{"context":{"ids":[${Array.from({ length: 100_001 }, () => '0').join(',')}]}}`, 'INVALID_CONTEXT', /context\.ids/],
    ];
    for (const [label, body, errorCode, field] of cases) {
      for (const path of [`${SINGLE}/etl.enabled`, SINGLE]) {
        const res = await post(t.url, path, auth, body);
        expect(res.status, `${label} ${path}`).toBe(400);
        expect(res.body, label).toMatchObject({ errorCode });
        expect(String(res.body!.errorDetails), label).toMatch(field);
      }
    }
    // An empty body is an empty context, as OFREP's optional `context` allows.
    expect((await post(t.url, `${SINGLE}/etl.enabled`, auth)).body).toMatchObject({ value: true });
    const tooBig = await post(t.url, SINGLE, auth, JSON.stringify({ context: { blob: 'x'.repeat(1_100_000) } }));
    expect(tooBig.status).toBe(413);
    expect((await post(t.url, '/ofrep/v1/evaluate/flags/%FF', auth, '{}')).body).toMatchObject({ errorCode: 'PARSE_ERROR' });
    expect((await post(t.url, SINGLE, auth, undefined, 'GET')).status).toBe(405);
  });

  it('evaluates every flag in bulk, with an ETag that answers 304 until a flag or the context changes', async () => {
    const body = JSON.stringify({ context: { targetingKey: 'u1', plan: 'enterprise' } });
    const first = await post(t.url, SINGLE, auth, body);
    expect(first.status).toBe(200);
    const flags = first.body!.flags as Array<Record<string, unknown>>;
    const byKey = Object.fromEntries(flags.map((f) => [f.key, f]));
    expect(byKey['etl.enabled']).toMatchObject({ value: true, reason: 'STATIC', variant: 'on' });
    expect(byKey['model.sentiment']).toMatchObject({ value: 'model-v2', reason: 'TARGETING_MATCH' });
    expect(byKey['model.config']).toMatchObject({ value: { threshold: 0.5 } });
    expect(byKey['etl.off']).toMatchObject({ value: false, reason: 'DISABLED' });
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^"\d+-[\w-]+"$/);

    const again = await post(t.url, SINGLE, { ...auth, 'If-None-Match': etag }, body);
    expect(again.status).toBe(304);
    expect(again.headers.etag).toBe(etag);
    // Another context is another answer.
    const other = await post(t.url, SINGLE, { ...auth, 'If-None-Match': etag }, JSON.stringify({ context: { targetingKey: 'u2' } }));
    expect(other.status).toBe(200);
    expect(other.headers.etag).not.toBe(etag);

    await t.http.patch('/api/v1/projects/ofrep/flags/etl.enabled/environments/development').set(t.admin).send({ version: 1, on: false }).expect(200);
    const changed = await post(t.url, SINGLE, { ...auth, 'If-None-Match': etag }, body);
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    const after = (changed.body!.flags as Array<Record<string, unknown>>).find((f) => f.key === 'etl.enabled');
    expect(after).toMatchObject({ value: false, reason: 'DISABLED' });
    await t.http.patch('/api/v1/projects/ofrep/flags/etl.enabled/environments/development').set(t.admin).send({ version: 2, on: true }).expect(200);
  });

  it('lists a flag it cannot evaluate for the context inline in bulk, and answers 200 with a new ETag once a segment changes', async () => {
    // No targeting key: the flags that bucket by it cannot be evaluated; the others can.
    const keyless = await post(t.url, SINGLE, auth, JSON.stringify({ context: { plan: 'enterprise' } }));
    expect(keyless.status).toBe(200);
    const byKey = Object.fromEntries((keyless.body!.flags as Array<Record<string, unknown>>).map((f) => [f.key, f]));
    expect(byKey['batch.size']).toEqual({ key: 'batch.size', errorCode: 'TARGETING_KEY_MISSING', errorDetails: expect.any(String) });
    expect(byKey['etl.enabled']).toMatchObject({ value: true, reason: 'STATIC' });

    const body = JSON.stringify({ context: { targetingKey: 'u1', plan: 'enterprise' } });
    const first = await post(t.url, SINGLE, auth, body);
    const etag = first.headers.etag!;
    expect((await post(t.url, SINGLE, { ...auth, 'If-None-Match': etag }, body)).status).toBe(304);
    await t.http
      .post('/api/v1/projects/ofrep/segments')
      .set(t.admin)
      .send({ key: 'etag-probe', name: 'ETag probe', included: ['u9'] })
      .expect(201);
    const changed = await post(t.url, SINGLE, { ...auth, 'If-None-Match': etag }, body);
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('lets a browser on another origin call it: CORS preflight and headers, no cookies', async () => {
    const preflight = await post(t.url, SINGLE, { Origin: 'http://elsewhere.example', 'Access-Control-Request-Method': 'POST' }, undefined, 'OPTIONS');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-headers']).toMatch(/Authorization/);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/If-None-Match/);
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
    const res = await post(t.url, SINGLE, { ...auth, Origin: 'http://elsewhere.example' }, '{}');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-expose-headers']).toMatch(/ETag/);
  });
});

// The published OpenFeature server SDK and OFREP provider (clients no one here wrote) against a
// listening server.
describe('OFREP with @openfeature/server-sdk + @openfeature/ofrep-provider', () => {
  let t: TestApp;
  let client: Client;
  let wrongKeyClient: Client;

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    const sdkKey = await seedOfrepProject(t, 'ofrepsdk');
    await OpenFeature.setProviderAndWait('signalbox', new OFREPProvider({ baseUrl: t.url, headers: [['Authorization', `Bearer ${sdkKey}`]] }));
    await OpenFeature.setProviderAndWait('wrong-key', new OFREPProvider({ baseUrl: t.url, headers: [['X-API-Key', 'sbk_wrong']] }));
    client = OpenFeature.getClient('signalbox');
    wrongKeyClient = OpenFeature.getClient('wrong-key');
  });
  afterAll(async () => {
    await OpenFeature.close();
    await t.close();
  });

  it('evaluates every flag type with value, variant, reason and metadata', async () => {
    const ctx = { targetingKey: 'u1', plan: 'enterprise' };
    expect(await client.getBooleanDetails('etl.enabled', false, ctx)).toMatchObject({ value: true, variant: 'on', reason: 'STATIC' });
    const text = await client.getStringDetails('model.sentiment', 'fallback', ctx);
    expect(text).toMatchObject({ value: 'model-v2', variant: 'v2', reason: 'TARGETING_MATCH', flagMetadata: { ruleIndex: 0 } });
    expect(text.errorCode).toBeUndefined();
    const num = await client.getNumberDetails('batch.size', 0, ctx);
    expect(num.reason).toBe('SPLIT');
    expect([100, 1000.5]).toContain(num.value);
    expect(await client.getObjectValue('model.config', {}, ctx)).toEqual({ threshold: 0.5, labels: ['x', 'y'] });
    expect(await client.getBooleanDetails('etl.off', true, ctx)).toMatchObject({ value: false, reason: 'DISABLED', variant: 'off' });
  });

  it('sees a change made through the API on the next evaluation', async () => {
    expect(await client.getBooleanValue('etl.enabled', false, {})).toBe(true);
    await t.http.patch('/api/v1/projects/ofrepsdk/flags/etl.enabled/environments/development').set(t.admin).send({ version: 1, on: false }).expect(200);
    expect(await client.getBooleanDetails('etl.enabled', true, {})).toMatchObject({ value: false, reason: 'DISABLED' });
  });

  it('gives OpenFeature error codes and the default value for an unknown flag, a wrong type, a missing key and a bad credential', async () => {
    expect(await client.getStringDetails('no.such.flag', 'dflt', {})).toMatchObject({ value: 'dflt', reason: 'ERROR', errorCode: ErrorCode.FLAG_NOT_FOUND });
    expect(await client.getNumberDetails('model.sentiment', 7, { targetingKey: 'u1' })).toMatchObject({
      value: 7,
      reason: 'ERROR',
      errorCode: ErrorCode.TYPE_MISMATCH,
    });
    expect(await client.getNumberDetails('batch.size', 3, {})).toMatchObject({ value: 3, reason: 'ERROR', errorCode: ErrorCode.TARGETING_KEY_MISSING });
    const refused = await wrongKeyClient.getBooleanDetails('etl.enabled', true, {});
    expect(refused).toMatchObject({ value: true, reason: 'ERROR', errorCode: ErrorCode.GENERAL });
  });
});
