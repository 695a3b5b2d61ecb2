import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject } from '../../test/builders.js';
import { connectSdk } from '../../test/sdk-socket.js';
import { startServerProcess, type ServerProcess } from '../../test/server-process.js';
import { ADMIN_TOKEN, startTestApp, TEST_SECRET_KEY, type TestApp } from '../../test/test-app.js';
import { testDatabaseUrl } from '../../test/test-database.js';
import { POLL_INTERVAL_MS, ScheduledChangeScheduler } from './scheduled-change-scheduler.service.js';

const FLAGS = Array.from({ length: 6 }, (_, i) => `race.flag-${i}`);

// Two server processes with running schedulers share one PostgreSQL server (the embedded database
// is one process's own), so this runs only when TEST_DATABASE_URL names one (CI sets it).
describe.runIf(testDatabaseUrl())('scheduled changes on two server processes sharing one PostgreSQL database', () => {
  let t: TestApp;
  const instances: ServerProcess[] = [];

  beforeAll(async () => {
    // This in-process app only serves the API calls; its scheduler is stopped so that only the two processes race.
    t = await startTestApp({ listen: true });
    t.app.get(ScheduledChangeScheduler).stop();
    for (let i = 0; i < 2; i++)
      instances.push(await startServerProcess({ DATABASE_URL: t.databaseUrl!, SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN, SIGNALBOX_SECRET_KEY: TEST_SECRET_KEY }));
  }, 120_000);
  afterAll(async () => {
    await Promise.all(instances.map((i) => i.stop()));
    await t?.close();
  });

  it('applies each due change exactly once, and SDKs on either instance receive it', async () => {
    const sdkKey = (await aProject(t.http, t.admin, 'race', [{ key: 'production', name: 'Production' }])).sdkKeys.production!;
    for (const key of FLAGS) await aBooleanFlag(t.http, t.admin, 'race', key);
    const sdks = await Promise.all(instances.map((i) => connectSdk(i.url, sdkKey)));
    await Promise.all(sdks.map((sdk) => sdk.waitFor((m) => m.type === 'snapshot')));

    // Far enough ahead that both instances poll, see it and arm their timers for the same instant.
    const runAt = new Date(Date.now() + POLL_INTERVAL_MS + 3000).toISOString();
    const ids: string[] = [];
    for (const [i, key] of FLAGS.entries()) {
      // Half through each instance: who created a change does not matter to who applies it.
      const res = await fetch(`${instances[i % 2]!.url}/api/v1/projects/race/flags/${key}/environments/production/scheduled-changes`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ runAt, version: 0, reason: 'weekend switch', patch: { on: true } }),
      });
      expect(res.status).toBe(201);
      ids.push(((await res.json()) as { id: string }).id);
    }

    for (const sdk of sdks)
      for (const key of FLAGS)
        await sdk.waitFor((m) => m.type === 'change' && m.kind === 'flag' && m.key === key && m.flag?.on === true, POLL_INTERVAL_MS + 15_000);
    expect(Date.now()).toBeGreaterThanOrEqual(new Date(runAt).getTime());

    for (const [i, key] of FLAGS.entries()) {
      const config = (await t.http.get(`/api/v1/projects/race/flags/${key}/environments/production`).set(t.admin).expect(200)).body;
      expect(config).toMatchObject({ on: true, version: 1 });
      const [change] = (await t.http.get(`/api/v1/projects/race/flags/${key}/environments/production/scheduled-changes`).set(t.admin).expect(200)).body;
      expect(change).toMatchObject({ id: ids[i], status: 'applied', appliedVersion: 1 });
      const audit = (await t.http.get(`/api/v1/audit?project=race&flag=${key}&limit=50`).set(t.admin).expect(200)).body.items as Array<{ action: string }>;
      expect(audit.filter((e) => e.action === 'flag.config.updated')).toHaveLength(1);
      expect(audit.filter((e) => e.action === 'scheduled_change.applied')).toHaveLength(1);
    }
    // Both processes keep racing after the fact: nothing is applied a second time.
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS + 500));
    for (const key of FLAGS) expect((await t.http.get(`/api/v1/projects/race/flags/${key}/environments/production`).set(t.admin)).body.version).toBe(1);
    sdks.forEach((sdk) => sdk.close());
  }, 90_000);
});
