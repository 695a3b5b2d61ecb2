import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject } from '../../test/builders.js';
import { connectSdk } from '../../test/sdk-socket.js';
import { startServerProcess, type ServerProcess } from '../../test/server-process.js';
import { ADMIN_TOKEN, startTestApp, TEST_SECRET_KEY, type TestApp } from '../../test/test-app.js';
import { testDatabaseUrl } from '../../test/test-database.js';

// Several instances share one PostgreSQL server; the embedded database is one process's own,
// so this runs only when TEST_DATABASE_URL names a PostgreSQL server (CI sets it).
describe.runIf(testDatabaseUrl())('two server processes on one PostgreSQL database', () => {
  let t: TestApp;
  let second: ServerProcess;
  let sdkKey: string;

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    sdkKey = (await aProject(t.http, t.admin, 'multi', [{ key: 'development', name: 'Development' }])).sdkKeys.development!;
    second = await startServerProcess({ DATABASE_URL: t.databaseUrl!, SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN, SIGNALBOX_SECRET_KEY: TEST_SECRET_KEY });
  });
  afterAll(async () => {
    await second?.stop();
    await t?.close();
  });

  it('delivers a change made through one instance to an SDK connected to the other', async () => {
    const sdk = await connectSdk(second.url, sdkKey);
    await sdk.waitFor((m) => m.type === 'snapshot');
    await aBooleanFlag(t.http, t.admin, 'multi', 'multi.flag');
    await t.http.patch('/api/v1/projects/multi/flags/multi.flag/environments/development').set(t.admin).send({ version: 0, on: true }).expect(200);
    const change = await sdk.waitFor((m) => m.type === 'change' && m.kind === 'flag' && m.key === 'multi.flag' && m.flag?.on === true);
    expect(change.sequence).toBeGreaterThan(1);
    sdk.close();
  });

  it('counts SDK confirmations across instances', async () => {
    const onSecond = await connectSdk(second.url, sdkKey);
    const onFirst = await connectSdk(t.url, sdkKey);
    await onSecond.waitFor((m) => m.type === 'snapshot');
    await onFirst.waitFor((m) => m.type === 'snapshot');
    await expect.poll(async () => (await t.http.get('/api/v1/projects/multi/environments/development/delivery').set(t.admin)).body, { timeout: 5000 }).toMatchObject({ connected: 2, confirmed: 2 });
    onSecond.close();
    onFirst.close();
  });

  it('drops the SDK connections of a key rotated through the other instance', async () => {
    const sdk = await connectSdk(second.url, sdkKey);
    await sdk.waitFor((m) => m.type === 'snapshot');
    const disconnected = new Promise<string>((resolve) => sdk.socket.on('disconnect', resolve));
    await t.http.post('/api/v1/projects/multi/environments/development/sdk-key').set(t.admin).expect(201);
    expect(await disconnected).toBe('io server disconnect');
  });

  it('enforces one trigger rate limit across instances, not one per instance', async () => {
    await aBooleanFlag(t.http, t.admin, 'multi', 'multi.alerted');
    const created = await t.http.post('/api/v1/projects/multi/flags/multi.alerted/environments/development/triggers').set(t.admin).send({ name: 'pager' }).expect(201);
    const path = new URL(created.body.url as string).pathname;
    const statuses: number[] = [];
    // Alternate instances: 10 calls are allowed per minute in all.
    for (let i = 0; i < 12; i++) statuses.push((await fetch(`${i % 2 === 0 ? t.url : second.url}${path}`, { method: 'POST' })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});
