import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCacheFile } from '../src/client/cache-file.js';
import { aFlag, anEnvironment } from './builders.js';
import { BUILD_TIMEOUT_MS, buildSdk, sdkDir } from './build-sdk.js';
import { ProtocolHarness } from './protocol-harness.js';

// The client as an application imports it: the package's bundled entry point.
const entry = '@signalbox/sdk/client';

// The child creates a client, waits a moment, closes it, and must then exit by itself:
// a leftover socket, timer or request would keep its event loop alive.
const childScript = `
const { createClient } = await import(process.env.SDK_ENTRY);
const options = JSON.parse(process.env.CLIENT_OPTIONS);
const client = createClient({ ...options, logger: { warn() {}, error() {}, debug() {} } });
const reached = await client.waitForReady({ timeoutMs: Number(process.env.WAIT_MS) });
await client.close();
process.stdout.write((process.env.SHOW_READY ? reached + ' ' : '') + 'closed ' + client.status);
`;

interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runChild(options: object, waitMs = 300, showReady = false): Promise<ChildRun> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', childScript], {
      cwd: sdkDir,
      env: { ...process.env, SDK_ENTRY: entry, CLIENT_OPTIONS: JSON.stringify(options), WAIT_MS: String(waitMs), SHOW_READY: showReady ? '1' : '' },
      // A loaded CI machine can take seconds to start Node and connect; a handle left open hangs far longer.
      timeout: 30_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  await new Promise((closed) => server.close(closed));
  return `http://127.0.0.1:${port}`;
}

describe('close() releases every handle', () => {
  let dir: string;
  beforeAll(async () => {
    await buildSdk();
    dir = mkdtempSync(join(tmpdir(), 'signalbox-handles-'));
  }, BUILD_TIMEOUT_MS);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('with a socket client that never reached its server', async () => {
    const run = await runChild({ url: await deadUrl(), sdkKey: 'key', reconnectionDelayMs: 20 });
    expect(run).toMatchObject({ code: 0, signal: null, stdout: 'closed offline' });
  });

  it('with a connected socket client', async () => {
    const harness = await ProtocolHarness.start(anEnvironment([aFlag('a').build()]));
    try {
      // waitForReady returns as soon as the snapshot is applied: the long limit only matters under load.
      const run = await runChild({ url: harness.url, sdkKey: 'good-key' }, 20_000, true);
      expect(run).toMatchObject({ code: 0, signal: null, stdout: 'ready closed offline' });
      // close() flushes the ack before it disconnects; on a loaded machine this process may read it
      // after the child has already exited.
      await expect.poll(() => harness.acks, { timeout: 5_000 }).toEqual([1]);
    } finally {
      await harness.close();
    }
  }, 40_000);

  it('with a polling client whose request the server never answers', async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const run = await runChild({ url, sdkKey: 'key', transport: 'poll', pollIntervalMs: 60_000 });
      expect(run).toMatchObject({ code: 0, signal: null, stdout: 'closed offline' });
    } finally {
      server.closeAllConnections();
      await new Promise((closed) => server.close(closed));
    }
  });

  it('with a cache write pending, which close flushes', async () => {
    const cacheFile = join(dir, 'flags.json');
    const config = anEnvironment([aFlag('a').build()]);
    const harness = await ProtocolHarness.start(config);
    try {
      const run = await runChild({ url: harness.url, sdkKey: 'good-key', cacheFile, cacheWriteDelayMs: 60_000 }, 3_000);
      expect(run).toMatchObject({ code: 0, signal: null, stdout: 'closed offline' });
      expect(readCacheFile(cacheFile, 'good-key')).toMatchObject({ status: 'loaded', config });
    } finally {
      await harness.close();
    }
  });
});
