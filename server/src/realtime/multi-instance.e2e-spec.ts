import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject } from '../../test/builders.js';
import { connectSdk } from '../../test/sdk-socket.js';
import { startServerProcess, type ServerProcess } from '../../test/server-process.js';
import { ADMIN_TOKEN, startTestApp, TEST_SECRET_KEY, type TestApp } from '../../test/test-app.js';
import { cloneTemplate, testDatabaseUrl } from '../../test/test-database.js';

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
    await expect
      .poll(async () => (await t.http.get('/api/v1/projects/multi/environments/development/delivery').set(t.admin)).body, { timeout: 5000 })
      .toMatchObject({ connected: 2, confirmed: 2 });
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

  it('keeps exactly one LISTEN session per instance however often it is cut, and hears other instances after each cut', async () => {
    const database = new URL(t.databaseUrl!).pathname.slice(1);
    const admin = new pg.Client({ connectionString: t.databaseUrl });
    await admin.connect();
    const listening = async (): Promise<number[]> =>
      (
        await admin.query(`SELECT pid FROM pg_stat_activity WHERE (application_name = 'signalbox-listen' OR query LIKE 'LISTEN %') AND datname = $1`, [
          database,
        ])
      ).rows.map((row: { pid: number }) => row.pid);
    const sessions = async () => (await listening()).length;
    try {
      await expect.poll(sessions, { timeout: 10_000 }).toBe(2);
      for (let cut = 0; cut < 5; cut++) {
        const before = await listening();
        await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [before]);
        // A terminated backend lingers in pg_stat_activity for a moment: wait for two new sessions.
        await expect.poll(async () => (await listening()).filter((pid) => !before.includes(pid)).length, { timeout: 15_000, interval: 100 }).toBe(2);
        await expect.poll(sessions, { timeout: 15_000, interval: 100 }).toBe(2);
      }
      // Reconnects are done: no extra sessions appear later either.
      await new Promise((r) => setTimeout(r, 1500));
      expect(await sessions()).toBe(2);
      const metrics = await (await fetch(`${second.url}/metrics`)).text();
      expect(metrics).toMatch(/^signalbox_listen_up 1$/m);
      expect(Number(/^signalbox_listen_reconnects_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(5);
      await fetch(`${second.url}/readyz`).then((r) => expect(r.status).toBe(200));

      const cutsKey = (await aProject(t.http, t.admin, 'cuts', [{ key: 'development', name: 'Development' }])).sdkKeys.development!;
      const sdk = await connectSdk(second.url, cutsKey);
      await sdk.waitFor((m) => m.type === 'snapshot');
      await aBooleanFlag(t.http, t.admin, 'cuts', 'cuts.after');
      await sdk.waitFor((m) => m.type === 'change' && m.key === 'cuts.after', 3000);
      sdk.close();
    } finally {
      await admin.end();
    }
  });

  it('stops counting the SDKs of a SIGKILLed instance within seconds', async () => {
    const project = await aProject(t.http, t.admin, 'presence', [{ key: 'development', name: 'Development' }]);
    const doomed = await startServerProcess({ DATABASE_URL: t.databaseUrl!, SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN, SIGNALBOX_SECRET_KEY: TEST_SECRET_KEY });
    const delivery = async () =>
      (await t.http.get('/api/v1/projects/presence/environments/development/delivery').set(t.admin)).body as { connected: number; confirmed: number };
    const onDoomed = await Promise.all([1, 2].map(() => connectSdk(doomed.url, project.sdkKeys.development!)));
    const onFirst = await connectSdk(t.url, project.sdkKeys.development!);
    await expect.poll(delivery, { timeout: 5000 }).toMatchObject({ connected: 3, confirmed: 3 });
    await doomed.stop('SIGKILL');
    onDoomed.forEach((s) => s.close());
    await expect.poll(delivery, { timeout: 15_000, interval: 250 }).toMatchObject({ connected: 1, confirmed: 1 });
    onFirst.close();
  });

  it('enforces one trigger rate limit across instances, not one per instance', async () => {
    await aBooleanFlag(t.http, t.admin, 'multi', 'multi.alerted');
    const created = await t.http
      .post('/api/v1/projects/multi/flags/multi.alerted/environments/development/triggers')
      .set(t.admin)
      .send({ name: 'pager' })
      .expect(201);
    const path = new URL(created.body.url as string).pathname;
    const statuses: number[] = [];
    // Alternate instances: 10 calls are allowed per minute in all.
    for (let i = 0; i < 12; i++) statuses.push((await fetch(`${i % 2 === 0 ? t.url : second.url}${path}`, { method: 'POST' })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});

describe.runIf(testDatabaseUrl())('instances starting together on a new PostgreSQL database', () => {
  it('create one first admin and one demo project between them', { timeout: 120_000 }, async () => {
    const database = await cloneTemplate();
    const env = { DATABASE_URL: database.databaseUrl!, SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN, SIGNALBOX_SECRET_KEY: TEST_SECRET_KEY, SIGNALBOX_DEMO: 'true' };
    const servers = await Promise.all([1, 2, 3].map(() => startServerProcess(env)));
    try {
      const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
      const users = (await (await fetch(`${servers[0]!.url}/api/v1/users`, { headers: admin })).json()) as unknown[];
      const projects = (await (await fetch(`${servers[1]!.url}/api/v1/projects`, { headers: admin })).json()) as Array<{ key: string }>;
      expect(users).toHaveLength(1);
      expect(projects.map((p) => p.key)).toEqual(['demo']);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      await database.drop();
    }
  });
});
