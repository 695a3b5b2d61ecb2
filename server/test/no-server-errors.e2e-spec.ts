import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject, aUser } from './builders.js';
import { startTestApp, type TestApp } from './test-app.js';

/**
 * Whatever a client sends, the answer is a 4xx with the error shape, never a 500: malformed or
 * oversized bodies, wrong types, deep nesting, odd unicode, and randomly mutated valid bodies.
 */

interface WriteEndpoint {
  name: string;
  method: 'post' | 'put' | 'patch';
  path: () => string;
  /** A body the endpoint would accept (or nearly), mutated field by field by the properties. */
  valid: () => Record<string, unknown>;
  /** Inputs that hit a known bug outside this suite's reach, each covered by an `it.fails` below. */
  knownBug?: (field: string, value: unknown) => boolean;
}

// Flag fields that cannot be cleared: null for them is a 400 (see the PATCH test below).
const FLAG_FIELDS_NOT_CLEARABLE = new Set(['name', 'description', 'tags', 'lifecycle', 'variants']);

const RUNS = 20;

describe('no server errors', () => {
  let t: TestApp;
  let userId = '';
  const P = '/api/v1/projects/robust';

  const endpoints: WriteEndpoint[] = [
    {
      name: 'create project',
      method: 'post',
      path: () => '/api/v1/projects',
      valid: () => ({ key: 'fuzz-project', name: 'Fuzz', description: 'd', environments: [{ key: 'dev', name: 'Dev' }] }),
    },
    { name: 'update project', method: 'patch', path: () => P, valid: () => ({ name: 'Robust', description: 'd' }) },
    {
      name: 'create environment',
      method: 'post',
      path: () => `${P}/environments`,
      valid: () => ({ key: 'fuzz-env', name: 'Fuzz', requireChangeReason: false }),
    },
    {
      name: 'update environment',
      method: 'patch',
      path: () => `${P}/environments/development`,
      valid: () => ({ name: 'Development', requireChangeReason: false }),
    },
    {
      name: 'create flag',
      method: 'post',
      path: () => `${P}/flags`,
      valid: () => ({
        key: 'fuzz.flag',
        name: 'Fuzz',
        kind: 'string',
        variants: [{ key: 'a', value: 'x' }],
        tags: ['t'],
        owner: 'o',
        expiresAt: '2030-01-01T00:00:00Z',
      }),
    },
    {
      name: 'update flag',
      method: 'patch',
      path: () => `${P}/flags/robust.flag`,
      valid: () => ({ version: 1, name: 'Robust', tags: ['x'], owner: null }),
    },
    { name: 'archive flag', method: 'post', path: () => `${P}/flags/robust.other/archive`, valid: () => ({ reason: 'r' }) },
    {
      name: 'replace config',
      method: 'put',
      path: () => `${P}/flags/robust.flag/environments/development`,
      valid: () => ({
        version: 0,
        on: true,
        offVariant: 'off',
        targets: [{ variant: 'on', values: ['run-1'] }],
        rules: [{ clauses: [{ attribute: 'rows', op: 'gt', values: [5] }], serve: { rollout: { variants: [{ variant: 'on', weight: 100_000 }] } } }],
        defaultRule: { variant: 'on' },
        prerequisites: [],
      }),
    },
    {
      name: 'patch config',
      method: 'patch',
      path: () => `${P}/flags/robust.flag/environments/development`,
      valid: () => ({ version: 0, on: false, rules: [{ clauses: [{ op: 'segment', segments: ['robust-seg'] }], serve: { variant: 'off' } }], reason: 'r' }),
    },
    { name: 'kill', method: 'post', path: () => `${P}/flags/robust.flag/environments/production/kill`, valid: () => ({ reason: 'incident' }) },
    { name: 'restore', method: 'post', path: () => `${P}/flags/robust.flag/environments/production/restore`, valid: () => ({ reason: 'ok' }) },
    {
      name: 'create segment',
      method: 'post',
      path: () => `${P}/segments`,
      valid: () => ({
        key: 'fuzz-seg',
        name: 'Fuzz',
        included: ['a'],
        excluded: ['b'],
        rules: [{ clauses: [{ attribute: 'team', op: 'in', values: ['x', 1, true] }] }],
      }),
    },
    {
      name: 'update segment',
      method: 'patch',
      path: () => `${P}/segments/robust-seg`,
      valid: () => ({ version: 1, included: ['a'], rules: [{ clauses: [{ attribute: 'v', op: 'semverGt', values: ['1.0.0'] }] }] }),
    },
    {
      name: 'create user',
      method: 'post',
      path: () => '/api/v1/users',
      valid: () => ({ email: 'fuzz@example.com', name: 'Fuzz', role: 'viewer', password: 'password-123' }),
    },
    { name: 'update user', method: 'patch', path: () => `/api/v1/users/${userId}`, valid: () => ({ name: 'Target', role: 'viewer', disabled: false }) },
    {
      name: 'create token',
      method: 'post',
      path: () => '/api/v1/tokens',
      valid: () => ({ name: 'fuzz', access: 'kill-switch', projects: ['robust'], environments: ['production'] }),
    },
    { name: 'login', method: 'post', path: () => '/api/v1/auth/login', valid: () => ({ email: 'nobody@example.com', password: 'wrong-password' }) },
  ];

  const send = (endpoint: WriteEndpoint, body: string, contentType = 'application/json', extra: Record<string, string> = {}) =>
    t.http[endpoint.method](endpoint.path()).set(t.admin).set('Content-Type', contentType).set(extra).send(body);

  /** 4xx (or, where allowed, 2xx) and, for errors, the error shape with the request id of the response. */
  const expectHandled = (res: { status: number; body: Record<string, unknown>; headers: Record<string, string> }, label: string, allowSuccess = false) => {
    const ok = allowSuccess ? res.status < 500 : res.status >= 400 && res.status < 500;
    expect(ok, `${label}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`).toBe(true);
    if (res.status >= 400) {
      expect(res.body, label).toMatchObject({ error: expect.any(String), message: expect.any(String), requestId: expect.stringMatching(/.+/) });
      expect(res.headers['x-request-id'], label).toBe(res.body.requestId);
      expect(JSON.stringify(res.body), label).not.toMatch(/\bat .+\.(js|ts):\d+/);
    }
  };

  beforeAll(async () => {
    t = await startTestApp();
    await aProject(t.http, t.admin, 'robust');
    await aBooleanFlag(t.http, t.admin, 'robust', 'robust.flag');
    await aBooleanFlag(t.http, t.admin, 'robust', 'robust.other');
    await t.http.post(`${P}/segments`).set(t.admin).send({ key: 'robust-seg', name: 'Robust' });
    userId = (await aUser(t.http, t.admin, 'viewer')).id;
  });
  afterAll(() => t.close());

  const deepArray = `${'['.repeat(5000)}${']'.repeat(5000)}`;
  const deepObject = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
  const junk: Array<[string, string]> = [
    ['malformed JSON', '{"key": "x", name: }'],
    ['truncated JSON', '{"key": "x", "name": "y"'],
    ['top-level array', '[{"key":"x"}]'],
    ['top-level string', '"hello"'],
    ['top-level number', '42'],
    ['top-level null', 'null'],
    ['top-level true', 'true'],
    ['deeply nested arrays', deepArray],
    ['deeply nested objects', deepObject],
    ['deeply nested value in a known field', `{"name": ${deepObject}, "key": ${deepArray}}`],
    ['every field null', '{"key":null,"name":null,"version":null,"rules":null,"email":null,"password":null,"access":null,"reason":null,"on":null}'],
    ['every field an object', '{"key":{},"name":{},"version":{},"rules":{},"email":{},"password":{},"access":{},"reason":{},"on":{},"targets":{}}'],
    [
      'every field an array of nulls',
      '{"key":[null],"name":[null],"version":[null],"rules":[null],"email":[null],"clauses":[null],"variants":[null],"prerequisites":[null]}',
    ],
    ['numbers out of range', '{"version":1e400,"weight":-1e308,"key":1e-400,"name":123456789012345678901234567890}'],
    [
      'NUL characters',
      '{"key":"a\\u0000b","name":"\\u0000","reason":"\\u0000","email":"a\\u0000@x.io","password":"\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000"}',
    ],
    ['unpaired surrogates', '{"key":"\\ud800","name":"x\\udc00y","reason":"\\udbff","email":"\\ud800@x.io","password":"\\udfff-password"}'],
    ['NUL in a field name', '{"na\\u0000me":"x"}'],
    ['prototype keys', '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}},"key":"x"}'],
    [
      'very long strings',
      JSON.stringify({ key: 'k'.repeat(200_000), name: 'n'.repeat(200_000), email: `${'e'.repeat(200_000)}@x.io`, password: 'p'.repeat(200_000) }),
    ],
    [
      'many array elements',
      JSON.stringify({
        rules: Array.from({ length: 3000 }, () => ({})),
        included: Array.from({ length: 20_000 }, () => 1),
        values: Array.from({ length: 100_000 }, (_, i) => i),
      }),
    ],
    [
      'unicode everywhere',
      JSON.stringify({ key: 'ключ-🚀', name: '\u202eevil\u202c', reason: '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', email: 'ü@例え.テスト', password: '🔑🔑🔑🔑🔑🔑🔑🔑' }),
    ],
  ];

  describe.each(endpoints)('$name', (endpoint) => {
    it('answers junk bodies with 4xx and the error shape', async () => {
      for (const [label, body] of junk) expectHandled(await send(endpoint, body), label);
      // An empty body is {}: valid where every field is optional, refused elsewhere, never a 5xx.
      expectHandled(await send(endpoint, ''), 'empty body', true);
    });

    it('answers null in each field with 4xx unless the field may be cleared, never 5xx', async () => {
      for (const field of Object.keys(endpoint.valid())) {
        if (endpoint.knownBug?.(field, null)) continue;
        expectHandled(await send(endpoint, JSON.stringify({ ...endpoint.valid(), [field]: null })), `${field}: null`, true);
      }
    });

    it('answers a body that is not JSON with 415, and a bad encoding or charset with 4xx', async () => {
      const body = JSON.stringify(endpoint.valid());
      for (const [label, type, sent] of [
        ['text/plain', 'text/plain', body],
        ['form', 'application/x-www-form-urlencoded', 'key=x&name=y'],
        ['multipart', 'multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; name="key"\r\n\r\nx\r\n--b--'],
        ['vendor JSON type', 'application/vnd.api+json', body],
      ]) {
        const res = await send(endpoint, sent!, type);
        expect(res.status, label).toBe(415);
        expectHandled(res, label!);
      }
      expectHandled(await send(endpoint, body, 'application/json; charset=iso-8859-1'), 'latin-1');
      expectHandled(await send(endpoint, body, 'application/json', { 'Content-Encoding': 'gzip' }), 'gzip that is not gzip');
      expectHandled(await send(endpoint, body, 'application/json', { 'Content-Encoding': 'compress' }), 'unknown encoding');
    });

    it('answers a body over 1 MB with 413', async () => {
      const res = await send(endpoint, JSON.stringify({ ...endpoint.valid(), description: 'x'.repeat(1_100_000) }));
      expect(res.status).toBe(413);
      expectHandled(res, 'huge');
      expect(res.body.error).toBe('PAYLOAD_TOO_LARGE');
    });

    it('never answers 5xx to arbitrary JSON', async () => {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
          expectHandled(await send(endpoint, JSON.stringify(value)), JSON.stringify(value).slice(0, 200), true);
        }),
        { numRuns: RUNS },
      );
    });

    it('never answers 5xx to a valid body with one field replaced by anything', async () => {
      const fields = Object.keys(endpoint.valid());
      const anything = fc.oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.string({ unit: 'binary', maxLength: 50 }),
        fc.double(),
        fc.integer({ min: -(2 ** 53), max: 2 ** 53 }),
        fc.constantFrom(null, true, '', 'x'.repeat(5000), '2030-01-01', '99999-12-31', 'NaN', -1, 0, 1e21),
      );
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...fields, 'unknownField'), anything, async (field, value) => {
          fc.pre(!endpoint.knownBug?.(field, value));
          const body = { ...endpoint.valid(), [field]: value };
          expectHandled(await send(endpoint, JSON.stringify(body)), `${field}=${JSON.stringify(value)?.slice(0, 200)}`, true);
        }),
        { numRuns: RUNS },
      );
    });
  });

  it('answers odd path segments and query strings with 4xx, never 5xx', async () => {
    const paths = [
      '/api/v1/projects/%00',
      '/api/v1/projects/%E0%A4%A',
      `/api/v1/projects/${'p'.repeat(5000)}`,
      `${P}/flags/%F0%9F%9A%80/environments/%00`,
      `${P}/flags?q=%00`,
      `${P}/flags?tag=a&tag=b`,
      `${P}/flags?archived[$ne]=x`,
      '/api/v1/audit?actor=%00',
      '/api/v1/audit?from=%00',
      '/api/v1/audit?limit=1e400',
      '/api/v1/users/%00',
    ];
    for (const path of paths) {
      const res = await t.http.get(path).set(t.admin);
      expectHandled(res, path);
    }
    expectHandled(await t.http.patch('/api/v1/users/%00').set(t.admin).send({ name: 'x' }), 'PATCH /users/%00');
    expectHandled(await t.http.delete('/api/v1/tokens/not-a-uuid').set(t.admin), 'DELETE /tokens/not-a-uuid');
    expectHandled(await t.http.delete(`${P}/segments/robust-seg?reason=%00`).set(t.admin), 'DELETE with NUL reason');
  });

  it('names the field that holds a NUL character, an unpaired surrogate, a far-off date or too deep a value', async () => {
    const problems = async (path: string, body: unknown) => {
      const res = await t.http
        .post(path)
        .set(t.admin)
        .send(body as object);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      return res.body.details as Array<{ field: string; reason: string }>;
    };
    expect(await problems(`${P}/segments`, { key: 'nul', name: 'a\u0000b', included: ['ok', 'x\ud800'] })).toEqual([
      { field: 'name', reason: 'must not contain U+0000 or unpaired surrogate characters' },
      { field: 'included[1]', reason: 'must not contain U+0000 or unpaired surrogate characters' },
    ]);
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(await problems(`${P}/flags`, { key: 'deep', name: 'x', kind: 'json', variants: [{ key: 'a', value: deep }] })).toEqual([
      { field: `variants[0].value${'[0]'.repeat(29)}`, reason: 'is nested more than 32 levels deep' },
    ]);
    expect(await problems(`${P}/flags`, { key: 'far', name: 'x', kind: 'boolean', expiresAt: '+100000-01-01T00:00:00Z' })).toEqual([
      { field: 'expiresAt', reason: 'expiresAt must be a date between the years 1 and 9999' },
    ]);
  });

  it('PATCH /flags/:key with null for a field that cannot be cleared answers 400, not 500', async () => {
    for (const field of FLAG_FIELDS_NOT_CLEARABLE) {
      const res = await t.http
        .patch(`${P}/flags/robust.other`)
        .set(t.admin)
        .send({ version: 1, [field]: null });
      expect(res.status, field).toBe(400);
    }
  });

  it('still serves normally after all of it', async () => {
    expect((await t.http.get('/readyz')).status).toBe(200);
    expect((await t.http.get(`${P}/flags/robust.flag`).set(t.admin)).status).toBe(200);
  });
});
