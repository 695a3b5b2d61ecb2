import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
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
const rawRequest = (url: string, options: { method?: string; headers?: Record<string, string>; firstChunkOnly?: boolean } = {}) =>
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
    req.end();
  });

const bodyOf = (res: RawResponse): string => (res.headers['content-encoding'] === 'gzip' ? gunzipSync(res.raw) : res.raw).toString('utf8');

describe('security headers and compression', () => {
  let t: TestApp;
  let webDir: string;
  let sdkKey = '';
  const bigScript = `console.log(${JSON.stringify('signalbox '.repeat(2000))});\n`;
  const ADMIN = { authorization: 'Bearer test-admin-token-0123456789' };

  beforeAll(async () => {
    // A stand-in for the built console: an index page and a script large enough to be worth compressing.
    webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-web-'));
    fs.mkdirSync(path.join(webDir, 'assets'));
    fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><html><head><script type="module" src="/assets/app.js"></script></head><body><div id="root"></div></body></html>');
    fs.writeFileSync(path.join(webDir, 'assets', 'app.js'), bigScript);
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

    it('let the console\'s inline styles (React style props, charts) and the API docs\' inline stylesheet apply', async () => {
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
      const res = await rawRequest(`${t.url}/api/v1/sdk/stream`, { headers: { authorization: `Bearer ${sdkKey}`, 'accept-encoding': 'gzip, deflate, br' }, firstChunkOnly: true });
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
});
