import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { aBooleanFlag, aProject } from '../../test/builders.js';
import { startTestApp, type TestApp } from '../../test/test-app.js';
import { DOMAIN_ERROR_CODES, DomainError } from '../common/errors/domain-error.js';
import { EvaluationService } from '../evaluation/evaluation.service.js';
import { FlagsService } from '../flags/flags.service.js';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: Record<string, unknown> | undefined;
}

/** A request with the path exactly as given (no client re-encodes it) and any body text. */
const raw = (base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<RawResponse> =>
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
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });

/** The documented error format, with the request id of the response. */
const expectError = (res: RawResponse, status: number, label: string): void => {
  expect(res.status, `${label}: ${res.status} ${res.text.slice(0, 300)}`).toBe(status);
  expect(res.body, label).toMatchObject({ error: expect.any(String), message: expect.any(String), requestId: expect.any(String) });
  expect(res.headers['x-request-id'], label).toBe(res.body!.requestId);
};

describe('SDK read path: hostile paths and bodies', () => {
  let t: TestApp;
  let auth: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    auth = { Authorization: `Bearer ${(await aProject(t.http, t.admin, 'sdkread')).sdkKeys.development!}` };
    await aBooleanFlag(t.http, t.admin, 'sdkread', 'etl.flag');
  });
  afterAll(() => t.close());

  it('answers malformed percent-encoding in the flag key with 400 naming the flag, not 500', async () => {
    for (const path of [
      '/api/v1/sdk/evaluate/%E0%A4%A',
      '/api/v1/sdk/evaluate/%FF',
      '/api/v1/sdk/evaluate/%',
      '/api/v1/sdk/evaluate/a%2',
      '/api/v1/sdk/evaluate/%ED%A0%80',
    ]) {
      const res = await raw(t.url, 'POST', path, auth, JSON.stringify({ context: {} }));
      expectError(res, 400, path);
      expect(res.body!.details, path).toEqual([{ field: 'flag', reason: 'is not valid percent-encoded UTF-8' }]);
    }
    // Well-formed escapes still name flags, known or not.
    const known = await raw(t.url, 'POST', '/api/v1/sdk/evaluate/etl%2Eflag', auth, JSON.stringify({ context: {} }));
    expect(known.status).toBe(200);
    expect(known.body).toMatchObject({ flagKey: 'etl.flag', reason: 'DISABLED' });
    const nul = await raw(t.url, 'POST', '/api/v1/sdk/evaluate/%00', auth, JSON.stringify({ context: {}, defaultValue: 1 }));
    expect(nul.status).toBe(200);
    expect(nul.body).toMatchObject({ value: 1, errorCode: 'FLAG_NOT_FOUND' });
    // Without a key the answer is still 401, whatever the path.
    expectError(await raw(t.url, 'POST', '/api/v1/sdk/evaluate/%FF', {}, '{}'), 401, 'no key');
  });

  it('answers bodies nested 10,000 levels deep with 400 naming the depth limit, not a stack overflow', async () => {
    const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const deepArray = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const bodies: Array<[string, string, string]> = [
      ['/api/v1/sdk/evaluate', `{"context":{},"extra":${deepObject}}`, 'body'],
      ['/api/v1/sdk/evaluate', `{"context":${deepObject}}`, 'body'],
      ['/api/v1/sdk/evaluate/etl.flag', `{"context":{"a":${deepArray}}}`, 'body'],
      ['/api/v1/sdk/evaluate/etl.flag', `{"context":{},"unknown":${deepArray}}`, 'body'],
      ['/api/v1/sdk/evaluate/etl.flag', deepObject, 'body'],
    ];
    for (const [path, body, field] of bodies) {
      const res = await raw(t.url, 'POST', path, auth, body);
      expectError(res, 400, `${path} ${body.slice(0, 40)}`);
      expect(res.body!.details).toEqual([{ field, reason: 'is nested more than 32 levels deep' }]);
    }
  });

  it('answers telemetry bodies by their nesting, however many brackets they hold: 10,000 deep is refused as too deep, 1,500 side by side or in strings are not', async () => {
    const deep = await raw(t.url, 'POST', '/api/v1/sdk/events', auth, `{"sdk":"x","dropped":0,"batches":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    expectError(deep, 400, 'events 10,000 deep');
    expect(deep.body!.details).toEqual([{ field: 'body', reason: 'is nested more than 32 levels deep' }]);
    // Just past the raw scan's limit in depth, and few brackets: parsed, then refused naming where it is too deep.
    // (In a field of its own: nested arrays where a batch belongs are refused sooner, as not objects.)
    const deepish = await raw(t.url, 'POST', '/api/v1/sdk/events', auth, `{"sdk":"x","dropped":0,"batches":[],"pad":${'['.repeat(999)}${']'.repeat(999)}}`);
    expectError(deepish, 400, 'events 999 deep');
    expect(JSON.stringify(deepish.body!.details)).toContain('is nested more than 32 levels deep');
    const wide = await raw(t.url, 'POST', '/api/v1/sdk/events', auth, `{"sdk":"x","dropped":0,"batches":[],"pad":[${Array(1_500).fill('[]').join(',')}]}`);
    expectError(wide, 400, 'events 1,500 arrays side by side');
    expect(JSON.stringify(wide.body!.details)).not.toContain('nested');
    const inStrings = await raw(t.url, 'POST', '/api/v1/sdk/events', auth, `{"sdk":"x","dropped":0,"batches":[],"pad":"${'{['.repeat(1_500)}"}`);
    expectError(inStrings, 400, 'events 3,000 brackets in a string');
    expect(JSON.stringify(inStrings.body!.details)).not.toContain('nested');
  });

  it('refuses a deeply nested defaultValue for an unknown flag with 400 naming the depth limit, instead of an empty 200', async () => {
    let value: unknown = 'leaf';
    for (let i = 0; i < 100; i++) value = { nested: value };
    const deep = await raw(t.url, 'POST', '/api/v1/sdk/evaluate/no.such.flag', auth, JSON.stringify({ context: {}, defaultValue: value }));
    expectError(deep, 400, 'defaultValue 100 deep');
    expect(deep.body!.details).toEqual([{ field: `defaultValue${'.nested'.repeat(31)}`, reason: 'is nested more than 32 levels deep' }]);

    const veryDeep = await raw(
      t.url,
      'POST',
      '/api/v1/sdk/evaluate/no.such.flag',
      auth,
      `{"context":{},"defaultValue":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
    );
    expectError(veryDeep, 400, 'defaultValue 10,000 deep');
    expect(veryDeep.body!.message).toBe('body: is nested more than 32 levels deep');

    // Within the limit a JSON default is served as sent.
    let ok: unknown = 1;
    for (let i = 0; i < 20; i++) ok = [ok];
    const served = await raw(t.url, 'POST', '/api/v1/sdk/evaluate/no.such.flag', auth, JSON.stringify({ context: {}, defaultValue: ok }));
    expect(served.status).toBe(200);
    expect(served.body).toMatchObject({ value: ok, errorCode: 'FLAG_NOT_FOUND' });
  });

  it('bounds arrays, fields and values in the context before evaluating, without stalling the event loop', async () => {
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    const long = await raw(t.url, 'POST', '/api/v1/sdk/evaluate', auth, JSON.stringify({ context: { ids: Array(250_000).fill(0) } }));
    const wide = await raw(
      t.url,
      'POST',
      '/api/v1/sdk/evaluate/etl.flag',
      auth,
      JSON.stringify({ context: Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i])) }),
    );
    const nested = await raw(t.url, 'POST', '/api/v1/sdk/evaluate', auth, `{"context":{},"x":${'['.repeat(400_000)}${']'.repeat(400_000)}}`);
    histogram.disable();
    console.info(`SDK read path, hostile bodies: event-loop delay at most ${(histogram.max / 1e6).toFixed(0)} ms`);
    expectError(long, 400, 'long array');
    expect(long.body!.details).toEqual([{ field: 'context.ids', reason: 'is an array of more than 100000 elements' }]);
    expectError(wide, 400, 'wide object');
    expect(wide.body!.details).toEqual([{ field: 'context', reason: 'has more than 10000 fields' }]);
    expectError(nested, 400, '400,000 levels');
    expect(histogram.max / 1e6).toBeLessThan(1000);
    expect((await raw(t.url, 'GET', '/readyz', {})).status).toBe(200);
  });

  it('answers every domain error with the status and body the rest of the API gives it, never 500', async () => {
    // The same error raised behind an SDK route (served by node:http) and behind an admin route (served by Nest).
    const evaluateAll = vi.spyOn(t.app.get(EvaluationService), 'evaluateAll');
    const getFlag = vi.spyOn(t.app.get(FlagsService), 'get');
    try {
      for (const code of DOMAIN_ERROR_CODES) {
        const err = new DomainError(code, `refused: ${code}`, { code });
        evaluateAll.mockRejectedValueOnce(err);
        getFlag.mockRejectedValueOnce(err);
        const sdk = await raw(t.url, 'POST', '/api/v1/sdk/evaluate', auth, JSON.stringify({ context: {} }));
        const api = await raw(t.url, 'GET', '/api/v1/projects/sdkread/flags/etl.flag', t.admin);
        expect(sdk.status, code).toBeLessThan(500);
        expect(sdk.status, code).toBe(api.status);
        expectError(sdk, api.status, code);
        expect({ ...sdk.body, requestId: undefined }, code).toEqual({ ...api.body, requestId: undefined });
      }
    } finally {
      evaluateAll.mockRestore();
      getFlag.mockRestore();
    }
  });
});
