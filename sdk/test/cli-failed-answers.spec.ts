import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, buildSdk, sdkDir } from './build-sdk.js';

const bin = join(sdkDir, 'bin', 'signalbox.mjs');

/**
 * Answers a gateway between the CLI and a server may give: the server's own error first and a
 * success to whoever asks again, or a proxy's HTML page. Nothing else here could fail on cue.
 */
const gateway = async (answers: Array<{ status: number; type: string; body: string }>) => {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const answer = answers[Math.min(requests.length - 1, answers.length - 1)]!;
    res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => new Promise((resolve) => server.close(resolve)) };
};

const runCli = (url: string, args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        SIGNALBOX_URL: url,
        SIGNALBOX_TOKEN: 'sbt_token',
        SIGNALBOX_PROJECT: 'demo',
        SIGNALBOX_CLI_CONFIG: '/nonexistent/cli.json',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

describe('the CLI when the server answers with an error', () => {
  beforeAll(() => buildSdk(), BUILD_TIMEOUT_MS);
  const closers: Array<() => Promise<unknown>> = [];
  afterAll(() => Promise.all(closers.map((close) => close())));

  it('export: prints the error and exits non-zero, never the error body as the file, even if asking again would succeed', async () => {
    const unavailable = JSON.stringify({ error: 'UNAVAILABLE', message: 'The database is unavailable; retry shortly', requestId: 'r' });
    const g = await gateway([
      { status: 503, type: 'application/json', body: unavailable },
      { status: 200, type: 'application/yaml', body: 'flags: []\n' },
    ]);
    closers.push(g.close);
    const { code, stdout, stderr } = await runCli(g.url, ['export']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('503: The database is unavailable; retry shortly');
    expect(g.requests).toHaveLength(1);
  });

  it("words a proxy's HTML error page by its status instead of failing to parse it", async () => {
    const g = await gateway([{ status: 502, type: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1></body></html>' }]);
    closers.push(g.close);
    for (const args of [['export'], ['flags', 'list'], ['status', 'etl.step']]) {
      const { code, stdout, stderr } = await runCli(g.url, args);
      expect(code, args.join(' ')).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toContain('502: Bad Gateway');
      expect(stderr).not.toMatch(/SyntaxError|Unexpected token|at .*\.js:\d+/);
    }
  });

  it('says so when a success is not JSON, rather than crashing', async () => {
    const g = await gateway([{ status: 200, type: 'text/html', body: '<html>a login page</html>' }]);
    closers.push(g.close);
    const { code, stderr } = await runCli(g.url, ['flags', 'list']);
    expect(code).toBe(1);
    expect(stderr).toContain('with a body that is not JSON: is it a Signalbox server?');
    expect(stderr).not.toMatch(/SyntaxError|at .*\.js:\d+/);
  });
});
