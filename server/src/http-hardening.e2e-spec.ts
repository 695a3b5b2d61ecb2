import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject } from '../test/builders.js';
import { startTestApp, type TestApp } from '../test/test-app.js';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The bytes as sent, still compressed if they were. */
  raw: Buffer;
}

/** A request whose body is not decoded, so the test sees what went over the wire. */
const rawRequest = (url: string, options: { method?: string; headers?: Record<string, string>; body?: string; firstChunkOnly?: boolean } = {}) =>
  new Promise<RawResponse>((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        // A stream never ends on its own: what arrived first is enough.
        if (options.firstChunkOnly) {
          resolve({ status: res.statusCode!, headers: res.headers, raw: Buffer.concat(chunks) });
          req.destroy();
        }
      });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, raw: Buffer.concat(chunks) }));
    });
    req.on('error', (err) => (options.firstChunkOnly ? undefined : reject(err)));
    req.end(options.body);
  });

const bodyOf = (res: RawResponse): string => (res.headers['content-encoding'] === 'gzip' ? gunzipSync(res.raw) : res.raw).toString('utf8');

describe('security headers and compression', () => {
  let t: TestApp;
  let webDir: string;
  let sdkKey = '';
  const bigScript = `console.log(${JSON.stringify('signalbox '.repeat(2000))});\n`;
  const hashedScript = `export const rows = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => `flag-${i}`))};\n`;
  const ADMIN = { authorization: 'Bearer test-admin-token-0123456789' };

  beforeAll(async () => {
    // A stand-in for the built console: an index page and a script large enough to be worth compressing.
    webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-web-'));
    fs.mkdirSync(path.join(webDir, 'assets'));
    fs.writeFileSync(
      path.join(webDir, 'index.html'),
      '<!doctype html><html><head><script type="module" src="/assets/app.js"></script></head><body><div id="root"></div></body></html>',
    );
    fs.writeFileSync(path.join(webDir, 'assets', 'app.js'), bigScript);
    // A hashed file as the build writes it, with its compressed copies beside it (gzip at level 1,
    // so a test can tell the build's copy from one the server would make at level 9).
    fs.writeFileSync(path.join(webDir, 'assets', 'index-AbC12_xy.js'), hashedScript);
    fs.writeFileSync(path.join(webDir, 'assets', 'index-AbC12_xy.js.br'), brotliCompressSync(hashedScript));
    fs.writeFileSync(path.join(webDir, 'assets', 'index-AbC12_xy.js.gz'), gzipSync(hashedScript, { level: 1 }));
    // What the build records for itself: never served.
    fs.writeFileSync(path.join(webDir, '.build-stamp.json'), '{"secret":"build inputs"}');
    t = await startTestApp({ listen: true, env: { SIGNALBOX_WEB_DIR: webDir } });
    sdkKey = (await aProject(t.http, t.admin, 'packed', [{ key: 'production', name: 'Production' }])).sdkKeys.production!;
    // Enough flags that the config snapshot is worth compressing.
    for (let i = 0; i < 40; i++) await aBooleanFlag(t.http, t.admin, 'packed', `etl.step-${i}`, { description: `step ${i} of the nightly load`.repeat(3) });
  }, 120_000);
  afterAll(async () => {
    await t.close();
    fs.rmSync(webDir, { recursive: true, force: true });
  });

  describe('headers', () => {
    const expectHardened = (res: RawResponse, label: string) => {
      const csp = String(res.headers['content-security-policy'] ?? '');
      expect(csp, label).toContain("default-src 'self'");
      expect(csp, label).toContain("script-src 'self'");
      expect(csp, label).toContain("object-src 'none'");
      expect(csp, label).toContain("frame-ancestors 'none'");
      expect(csp, label).toContain("base-uri 'self'");
      // The console is often served over plain http inside a network: nothing may be upgraded to https.
      expect(csp, label).not.toContain('upgrade-insecure-requests');
      expect(res.headers['x-frame-options'], label).toBe('DENY');
      expect(res.headers['x-content-type-options'], label).toBe('nosniff');
      expect(res.headers['referrer-policy'], label).toBe('no-referrer');
      expect(res.headers['cross-origin-opener-policy'], label).toBe('same-origin');
      // HSTS belongs to whoever terminates TLS; the server cannot know it is behind https.
      expect(res.headers['strict-transport-security'], label).toBeUndefined();
      expect(res.headers['x-powered-by'], label).toBeUndefined();
    };

    it('are sent with the console, its assets, client-side routes, the API docs, API answers and errors', async () => {
      const responses: Array<[string, RawResponse]> = [
        ['console', await rawRequest(`${t.url}/`)],
        ['client-side route', await rawRequest(`${t.url}/projects/packed/flags`)],
        ['asset', await rawRequest(`${t.url}/assets/app.js`)],
        ['API docs', await rawRequest(`${t.url}/api/docs`)],
        ['API answer', await rawRequest(`${t.url}/api/v1/projects`, { headers: ADMIN })],
        ['API error', await rawRequest(`${t.url}/api/v1/projects`)],
        ['health', await rawRequest(`${t.url}/healthz`)],
      ];
      for (const [label, res] of responses) {
        expect(res.status, label).toBeLessThan(500);
        expectHardened(res, label);
      }
    });

    it('are sent by the SDK read path, which answers ahead of Express: config, 304, evaluation and its errors', async () => {
      const auth = { authorization: `Bearer ${sdkKey}` };
      const config = await rawRequest(`${t.url}/api/v1/sdk/config`, { headers: auth });
      const responses: Array<[string, RawResponse]> = [
        ['config', config],
        ['config 304', await rawRequest(`${t.url}/api/v1/sdk/config`, { headers: { ...auth, 'if-none-match': config.headers.etag! } })],
        ['config 401', await rawRequest(`${t.url}/api/v1/sdk/config`)],
        [
          'evaluation',
          await rawRequest(`${t.url}/api/v1/sdk/evaluate/etl.step-1`, {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json' },
            body: '{"context":{}}',
          }),
        ],
        [
          'evaluation 400',
          await rawRequest(`${t.url}/api/v1/sdk/evaluate`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '[1]' }),
        ],
      ];
      expect(responses.map(([label, res]) => [label, res.status])).toEqual([
        ['config', 200],
        ['config 304', 304],
        ['config 401', 401],
        ['evaluation', 200],
        ['evaluation 400', 400],
      ]);
      for (const [label, res] of responses) {
        expect(res.headers['content-security-policy'], label).toBe("default-src 'none'; frame-ancestors 'none'");
        expect(res.headers['x-content-type-options'], label).toBe('nosniff');
        expect(res.headers['x-frame-options'], label).toBe('DENY');
        expect(res.headers['referrer-policy'], label).toBe('no-referrer');
      }
    });

    it("let the console's inline styles (React style props, charts) and the API docs' inline stylesheet apply", async () => {
      const csp = String((await rawRequest(`${t.url}/`)).headers['content-security-policy']);
      expect(csp).toMatch(/style-src 'self' 'unsafe-inline'/);
      expect(csp).toMatch(/img-src 'self' data:/);
      expect(csp).toMatch(/connect-src 'self'/);
      // Scripts stay strict: no inline script, no eval.
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    });
  });

  describe('compression', () => {
    it('gzips JSON and assets for clients that accept it, and leaves them alone for others', async () => {
      for (const url of [`${t.url}/api/docs-json`, `${t.url}/assets/app.js`, `${t.url}/api/v1/projects/packed/flags`]) {
        const headers = url.includes('/api/v1/') ? ADMIN : {};
        const plain = await rawRequest(url, { headers });
        const packed = await rawRequest(url, { headers: { ...headers, 'accept-encoding': 'gzip' } });
        expect(plain.headers['content-encoding'], url).toBeUndefined();
        expect(packed.headers['content-encoding'], url).toBe('gzip');
        expect(packed.headers.vary, url).toMatch(/accept-encoding/i);
        expect(packed.raw.length, url).toBeLessThan(plain.raw.length / 2);
        expect(bodyOf(packed), url).toBe(plain.raw.toString('utf8'));
      }
    });

    it('does not compress small answers, where it would cost more than it saves', async () => {
      const res = await rawRequest(`${t.url}/healthz`, { headers: { 'accept-encoding': 'gzip' } });
      expect(res.headers['content-encoding']).toBeUndefined();
    });

    it('never compresses the SDK event stream, which must reach the SDK event by event', async () => {
      const res = await rawRequest(`${t.url}/api/v1/sdk/stream`, {
        headers: { authorization: `Bearer ${sdkKey}`, 'accept-encoding': 'gzip, deflate, br' },
        firstChunkOnly: true,
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.raw.toString('utf8')).toMatch(/^(:.*\n\n)*event: hello\n/);
    });

    it('never compresses socket.io', async () => {
      const res = await rawRequest(`${t.url}/socket.io/?EIO=4&transport=polling`, { headers: { 'accept-encoding': 'gzip' } });
      expect(res.headers['content-encoding']).toBeUndefined();
    });

    it('gzips the SDK config snapshot for SDKs that accept it, keeping its ETag, and answers 304 as before', async () => {
      const url = `${t.url}/api/v1/sdk/config`;
      const auth = { authorization: `Bearer ${sdkKey}` };
      const plain = await rawRequest(url, { headers: auth });
      const packed = await rawRequest(url, { headers: { ...auth, 'accept-encoding': 'gzip, deflate' } });
      expect(plain.status).toBe(200);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(packed.headers['content-encoding']).toBe('gzip');
      expect(packed.headers.vary).toMatch(/accept-encoding/i);
      expect(plain.headers.vary).toMatch(/accept-encoding/i);
      expect(packed.headers.etag).toBe(plain.headers.etag);
      expect(packed.raw.length).toBeLessThan(plain.raw.length / 2);
      expect(JSON.parse(bodyOf(packed))).toEqual(JSON.parse(plain.raw.toString('utf8')));
      // gzip refused outright (q=0) is identity.
      expect((await rawRequest(url, { headers: { ...auth, 'accept-encoding': 'gzip;q=0, identity' } })).headers['content-encoding']).toBeUndefined();
      const head = await rawRequest(url, { method: 'HEAD', headers: { ...auth, 'accept-encoding': 'gzip' } });
      expect(head.status).toBe(200);
      expect(head.raw.length).toBe(0);
      const notModified = await rawRequest(url, { headers: { ...auth, 'accept-encoding': 'gzip', 'if-none-match': plain.headers.etag! } });
      expect(notModified.status).toBe(304);
      expect(notModified.raw.length).toBe(0);
    });
  });
  describe("the console's files", () => {
    const ASSET = '/assets/index-AbC12_xy.js';
    const YEAR = 'public, max-age=31536000, immutable';

    it('sends a hashed asset for a year, immutable, in brotli, gzip or plain as the client accepts, from the copies the build wrote', async () => {
      const url = `${t.url}${ASSET}`;
      const br = await rawRequest(url, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
      const gz = await rawRequest(url, { headers: { 'accept-encoding': 'gzip, deflate' } });
      const plain = await rawRequest(url);
      const brRefused = await rawRequest(url, { headers: { 'accept-encoding': 'br;q=0, gzip' } });
      for (const [label, res] of [
        ['br', br],
        ['gzip', gz],
        ['plain', plain],
        ['br refused', brRefused],
      ] as const) {
        expect(res.status, label).toBe(200);
        expect(res.headers['cache-control'], label).toBe(YEAR);
        expect(res.headers['content-type'], label).toMatch(/^(text|application)\/javascript/);
        expect(res.headers.vary, label).toMatch(/accept-encoding/i);
        expect(Number(res.headers['content-length']), label).toBe(res.raw.length);
      }
      expect(br.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(br.raw).toString('utf8')).toBe(hashedScript);
      expect(gz.headers['content-encoding']).toBe('gzip');
      // Byte for byte the build's copy (level 1), not one compressed for this request.
      expect(gz.raw.equals(fs.readFileSync(path.join(webDir, 'assets', 'index-AbC12_xy.js.gz')))).toBe(true);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.raw.toString('utf8')).toBe(hashedScript);
      expect(brRefused.headers['content-encoding']).toBe('gzip');
    });

    it('compresses once an asset the build left no copy of, and answers HEAD without a body', async () => {
      const url = `${t.url}/assets/app.js`;
      const first = await rawRequest(url, { headers: { 'accept-encoding': 'br' } });
      const again = await rawRequest(url, { headers: { 'accept-encoding': 'br' } });
      expect(first.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(first.raw).toString('utf8')).toBe(bigScript);
      expect(again.raw.equals(first.raw)).toBe(true);
      const head = await rawRequest(url, { method: 'HEAD', headers: { 'accept-encoding': 'gzip' } });
      expect(head.status).toBe(200);
      expect(head.headers['content-encoding']).toBe('gzip');
      expect(head.raw.length).toBe(0);
    });

    it('sends index.html for the root and client-side routes, revalidated every time: 304 while its ETag still matches', async () => {
      const root = await rawRequest(`${t.url}/`);
      const route = await rawRequest(`${t.url}/packed/production/flags?q=etl`);
      for (const [label, res] of [
        ['root', root],
        ['route', route],
      ] as const) {
        expect(res.status, label).toBe(200);
        expect(res.headers['content-type'], label).toMatch(/^text\/html/);
        expect(res.headers['cache-control'], label).toBe('no-cache');
        expect(res.headers.etag, label).toMatch(/^"[\w-]+"$/);
        expect(bodyOf(res), label).toContain('<div id="root">');
      }
      expect(route.headers.etag).toBe(root.headers.etag);
      const notModified = await rawRequest(`${t.url}/packed/production/flags`, { headers: { 'if-none-match': root.headers.etag! } });
      expect(notModified.status).toBe(304);
      expect(notModified.raw.length).toBe(0);
      expect(notModified.headers.etag).toBe(root.headers.etag);
      // Another version's tag gets the page.
      const changed = await rawRequest(`${t.url}/`, { headers: { 'if-none-match': '"an-older-build"' } });
      expect(changed.status).toBe(200);
      expect(bodyOf(changed)).toContain('<div id="root">');
    });

    it('answers 404, not index.html, for a file under /assets/ that does not exist (a script of an older build)', async () => {
      const res = await rawRequest(`${t.url}/assets/index-0ld0ld00.js`);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(JSON.parse(res.raw.toString('utf8'))).toEqual({
        error: 'NOT_FOUND',
        message: expect.stringContaining('/assets/index-0ld0ld00.js'),
        requestId: expect.any(String),
      });
    });

    it('answers a write outside the API (a client with the wrong base URL) with a JSON 404 naming where the API is', async () => {
      for (const [method, path] of [
        ['POST', '/sdk/events'],
        ['PUT', '/projects/packed/flags'],
        ['DELETE', '/'],
        ['PATCH', '/assets/app.js'],
      ] as const) {
        const res = await fetch(`${t.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: '{}' });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expect(await res.json()).toEqual({ error: 'NOT_FOUND', message: `Cannot ${method} ${path}: the API is under /api/v1`, requestId: expect.any(String) });
      }
    });

    it("says a body is not valid JSON, not the parser's words, on the admin API and for a percent-encoding it cannot decode", async () => {
      for (const body of ['{"key":', 'null', '"x"', '{"key": 1,}']) {
        const res = await fetch(`${t.url}/api/v1/projects`, { method: 'POST', headers: { ...ADMIN, 'content-type': 'application/json' }, body });
        expect(res.status, body).toBe(400);
        expect(await res.json(), body).toEqual({
          error: 'BAD_REQUEST',
          message: 'The request body is not valid JSON',
          requestId: res.headers.get('x-request-id'),
        });
      }
      const res = await fetch(`${t.url}/api/v1/projects/%E0%A4%A/segments`, { headers: ADMIN });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'BAD_REQUEST', message: 'The path is not valid percent-encoded UTF-8' });
    });

    it("never sends the build's own dot-files, nor a file outside the console's folder", async () => {
      for (const url of ['/.build-stamp.json', '/assets/%2e%2e/.build-stamp.json', '/%2e%2e/%2e%2e/etc/hostname']) {
        const res = await rawRequest(`${t.url}${url}`);
        expect(res.status, url).toBe(200);
        expect(bodyOf(res), url).toContain('<div id="root">');
        expect(bodyOf(res), url).not.toContain('secret');
      }
    });
  });

  // node:http's parser refuses these before any route or middleware runs; it used to answer a bare
  // `400` with no body, no request id and no headers.
  describe('requests node:http refuses itself', () => {
    /** Writes `request` on a raw socket and reads the whole answer until the server closes. */
    const rawExchange = (request: Buffer | string) =>
      new Promise<{ status: number; headers: Record<string, string>; body: string }>((resolve, reject) => {
        const socket = net.connect(Number(new URL(t.url).port), '127.0.0.1');
        const chunks: Buffer[] = [];
        socket.on('data', (c: Buffer) => chunks.push(c));
        socket.on('error', reject);
        socket.on('close', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const [head = '', body = ''] = text.split('\r\n\r\n');
          const [statusLine = '', ...lines] = head.split('\r\n');
          const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
          resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
        });
        socket.end(request);
      });

    const expectApiError = (res: { status: number; headers: Record<string, string>; body: string }, status: number, error: string) => {
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers.connection).toBe('close');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      const body = JSON.parse(res.body) as Record<string, unknown>;
      expect(body).toEqual({ error, message: expect.any(String), requestId: res.headers['x-request-id'] });
      expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
    };

    it('answers a raw non-ASCII byte in the path with a 400 in the API error format', async () => {
      const res = await rawExchange(
        Buffer.concat([Buffer.from('GET /api/v1/projects/caf'), Buffer.from([0xc3, 0xa9]), Buffer.from('/segments HTTP/1.1\r\nHost: x\r\n\r\n')]),
      );
      expectApiError(res, 400, 'BAD_REQUEST');
    });

    it("answers the same byte on an OFREP path in OFREP's error format, which OFREP clients read", async () => {
      const res = await rawExchange(
        Buffer.concat([Buffer.from('POST /ofrep/v1/evaluate/flags/caf'), Buffer.from([0xc3, 0xa9]), Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n')]),
      );
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toEqual({ errorCode: 'PARSE_ERROR', errorDetails: expect.any(String) });
      expect(res.headers['x-request-id']).toEqual(expect.any(String));
    });

    it('answers a malformed request line with a 400 in the API error format', async () => {
      expectApiError(await rawExchange('GET\x01 / HTTP/1.1\r\nHost: x\r\n\r\n'), 400, 'BAD_REQUEST');
    });

    it('answers headers over the limit with a 431 in the API error format', async () => {
      expectApiError(await rawExchange(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), 431, 'HEADERS_TOO_LARGE');
    });

    it('keeps serving afterwards', async () => {
      expect((await rawRequest(`${t.url}/healthz`)).status).toBe(200);
    });
  });
});
