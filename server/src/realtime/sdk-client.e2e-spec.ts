import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, type SignalboxClient } from '@signalbox/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject, aStringFlag, aToken } from '../../test/builders.js';
import { startServerProcess } from '../../test/server-process.js';
import { ADMIN_TOKEN, bearer, startTestApp, TEST_SECRET_KEY, type TestApp } from '../../test/test-app.js';
import { cloneTemplate } from '../../test/test-database.js';

const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined };

describe('the TypeScript SDK client against the real server', () => {
  let t: TestApp;
  let sdkKey: string;
  const clients: SignalboxClient[] = [];
  const client = (options: Partial<Parameters<typeof createClient>[0]> = {}) => {
    const c = createClient({ url: t.url, sdkKey, logger: quiet, ...options });
    clients.push(c);
    return c;
  };
  const base = '/api/v1/projects/client/flags';

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    sdkKey = (await aProject(t.http, t.admin, 'client', [{ key: 'development', name: 'Development' }])).sdkKeys.development!;
    await aStringFlag(t.http, t.admin, 'client', 'model.router');
    await t.http
      .patch(`${base}/model.router/environments/development`)
      .set(t.admin)
      .send({
        version: 0,
        on: true,
        defaultRule: {
          rollout: {
            bucketBy: 'runId',
            variants: [
              { variant: 'v1', weight: 95_000 },
              { variant: 'v2', weight: 5_000 },
            ],
          },
        },
      })
      .expect(200);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => t.close());

  it('becomes ready and evaluates locally with the same result as the server', async () => {
    const sdk = client();
    expect(await sdk.waitForReady({ timeoutMs: 5000 })).toBe('ready');
    for (const runId of ['run-1', 'run-2', 'run-3', 'run-77']) {
      const local = sdk.details('model.router', { runId }, 'none');
      const remote = await t.http.post('/api/v1/sdk/evaluate/model.router').set(bearer(sdkKey)).send({ context: { runId }, defaultValue: 'none' });
      expect({ value: local.value, variant: local.variant, reason: local.reason }).toEqual({
        value: remote.body.value,
        variant: remote.body.variant,
        reason: remote.body.reason,
      });
    }
  });

  it('reports a kill made with a scoped kill-switch token as KILLED, and a restore, through change events', async () => {
    await aBooleanFlag(t.http, t.admin, 'client', 'gpu.step');
    await t.http.patch(`${base}/gpu.step/environments/development`).set(t.admin).send({ version: 0, on: true }).expect(200);
    const token = await aToken(t.http, t.admin, 'kill-switch', { projects: ['client'], environments: ['development'] });
    const sdk = client();
    await sdk.waitForReady({ timeoutMs: 5000 });
    expect(sdk.booleanDetails('gpu.step', {}, false)).toMatchObject({ value: true, reason: 'STATIC' });
    const changed = new Promise<string>((resolve) => sdk.on('change:gpu.step', resolve));
    await t.http.post(`${base}/gpu.step/environments/development/kill`).set(bearer(token.secret)).send({ reason: 'OOM on large batches' }).expect(200);
    await changed;
    expect(sdk.booleanDetails('gpu.step', {}, true)).toMatchObject({ value: false, variant: 'off', reason: 'KILLED' });
    const restored = new Promise<string>((resolve) => sdk.on('change:gpu.step', resolve));
    await t.http.post(`${base}/gpu.step/environments/development/restore`).set(bearer(token.secret)).send({}).expect(200);
    await restored;
    expect(sdk.booleanDetails('gpu.step', {}, false)).toMatchObject({ value: true, reason: 'STATIC' });
  });

  // Two server starts on the embedded database: about 25 s on a busy 2-core machine.
  it('starts from its cache file while the server is down, and catches up when it comes back', { timeout: 90_000 }, async () => {
    // A server process of its own, so it can be stopped and started again on the same database.
    const db = await cloneTemplate();
    const env = {
      SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN,
      ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl, SIGNALBOX_SECRET_KEY: TEST_SECRET_KEY } : { SIGNALBOX_DATA_DIR: db.dataDir! }),
    };
    const cacheFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-cache-')), 'flags.json');
    let server = await startServerProcess(env);
    const admin = (p: string, init: RequestInit = {}) =>
      fetch(`${server.url}/api/v1${p}`, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' } });
    const project = (await (
      await admin('/projects', {
        method: 'POST',
        body: JSON.stringify({ key: 'offline', name: 'Offline', environments: [{ key: 'development', name: 'Development' }] }),
      })
    ).json()) as { sdkKeys: Record<string, string> };
    const key = project.sdkKeys.development!;
    await admin('/projects/offline/flags', { method: 'POST', body: JSON.stringify({ key: 'etl.validate', name: 'Validate', kind: 'boolean' }) });
    await admin('/projects/offline/flags/etl.validate/environments/development', { method: 'PATCH', body: JSON.stringify({ version: 0, on: true }) });

    const first = createClient({ url: server.url, sdkKey: key, cacheFile, logger: quiet });
    expect(await first.waitForReady({ timeoutMs: 5000 })).toBe('ready');
    expect(first.boolean('etl.validate', {}, false)).toBe(true);
    await first.close();
    expect(fs.existsSync(cacheFile)).toBe(true);
    const port = new URL(server.url).port;
    await server.stop();

    const second = createClient({ url: server.url, sdkKey: key, cacheFile, logger: quiet, reconnectionDelayMs: 100, reconnectionDelayMaxMs: 300 });
    clients.push(second);
    expect(await second.waitForReady({ timeoutMs: 2000 })).toBe('stale');
    expect(second.booleanDetails('etl.validate', {}, false)).toMatchObject({ value: true, reason: 'STATIC' });

    server = await startServerProcess({ ...env, PORT: port });
    try {
      await admin('/projects/offline/flags/etl.validate/environments/development', { method: 'PATCH', body: JSON.stringify({ version: 1, on: false }) });
      await expect.poll(() => second.booleanDetails('etl.validate', {}, true).reason, { timeout: 10_000 }).toBe('DISABLED');
      expect(second.status).toBe('ready');
    } finally {
      await server.stop();
      await db.drop();
    }
  });

  it('refuses a bad key clearly and keeps serving defaults without throwing', async () => {
    const sdk = client({ sdkKey: 'sbk_wrong' });
    const status = await sdk.waitForReady({ timeoutMs: 3000 });
    expect(status).toBe('error');
    expect(sdk.booleanDetails('anything', {}, true)).toMatchObject({ value: true, reason: 'ERROR', errorCode: 'GENERAL' });
  });

  it('polls the snapshot with ETags when asked to', async () => {
    await aBooleanFlag(t.http, t.admin, 'client', 'poll.flag');
    const sdk = client({ transport: 'poll', pollIntervalMs: 100 });
    expect(await sdk.waitForReady({ timeoutMs: 5000 })).toBe('ready');
    expect(sdk.booleanDetails('poll.flag', {}, true).reason).toBe('DISABLED');
    await t.http.patch(`${base}/poll.flag/environments/development`).set(t.admin).send({ version: 0, on: true }).expect(200);
    await expect.poll(() => sdk.booleanDetails('poll.flag', {}, false).reason, { timeout: 5000 }).toBe('STATIC');
  });
});
