import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBinaries, type PrivatePostgres, startPrivatePostgres } from '../../test/private-postgres.js';
import { startServerProcess, type ServerProcess } from '../../test/server-process.js';
import { ADMIN_TOKEN, bearer, TEST_SECRET_KEY } from '../../test/test-app.js';
import { evaluationsPayload, postEvents } from '../../test/telemetry-records.js';

const admin = { ...bearer(ADMIN_TOKEN), 'content-type': 'application/json' };
const hasBinaries = Boolean(await postgresBinaries());
const SENDERS_PER_INSTANCE = 4;

/**
 * Two instances take telemetry from senders without pause while their PostgreSQL restarts
 * (`pg_ctl restart -m fast`) twice: none is refused, and every evaluation acknowledged with 202 is
 * stored exactly once, none lost and none twice, whatever each write was doing when its connections were cut.
 */
describe.runIf(hasBinaries)('telemetry while PostgreSQL restarts under live traffic', () => {
  let cluster: PrivatePostgres;
  const servers: ServerProcess[] = [];
  let sdkKey: string;

  beforeAll(async () => {
    cluster = await startPrivatePostgres();
    const env = { DATABASE_URL: cluster.url, SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN, SIGNALBOX_SECRET_KEY: TEST_SECRET_KEY };
    servers.push(await startServerProcess(env), await startServerProcess(env));
    const created = await fetch(`${servers[0]!.url}/api/v1/projects`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ key: 'restart', name: 'Restart', environments: [{ key: 'production', name: 'Production' }] }),
    });
    sdkKey = ((await created.json()) as { sdkKeys: Record<string, string> }).sdkKeys.production!;
    for (let f = 0; f < 4; f++)
      await fetch(`${servers[0]!.url}/api/v1/projects/restart/flags`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ key: `restart.flag-${f}`, name: 'R', kind: 'boolean' }),
      });
  }, 180_000);
  afterAll(async () => {
    for (const server of servers) await server.stop('SIGKILL');
    await cluster?.destroy();
  });

  it('stores every acknowledged evaluation exactly once through two restarts', async () => {
    let acknowledged = 0;
    let refused = 0;
    let running = true;
    const sender = async (url: string, n: number) => {
      for (let i = 0; running; i++) {
        const count = 1 + ((n * 5 + i) % 7);
        const flag = `restart.flag-${(n + i) % 5}`; // restart.flag-4 names no flag
        try {
          const res = await postEvents(url, sdkKey, evaluationsPayload(flag, count, 'SPLIT', 1_000));
          await res.arrayBuffer();
          if (res.status === 202) acknowledged += count;
          else {
            expect(res.status).toBe(503);
            refused += 1;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        } catch {
          // Not acknowledged: an SDK would send it again.
          refused += 1;
        }
      }
    };
    const senders = servers.flatMap((server) => Array.from({ length: SENDERS_PER_INSTANCE }, (_, n) => sender(server.url, n)));
    for (let round = 0; round < 2; round++) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await cluster.restart();
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    running = false;
    await Promise.all(senders);
    expect(acknowledged).toBeGreaterThan(0);
    // A key and flags the instances have seen: nothing is refused while the database restarts.
    expect(refused).toBe(0);

    const stored = async (): Promise<number> => {
      const client = new pg.Client({ connectionString: cluster.url });
      await client.connect();
      try {
        return Number((await client.query(`SELECT coalesce(sum(count), 0) AS n FROM evaluation_rollups WHERE flag_key LIKE 'restart.flag-%'`)).rows[0].n);
      } finally {
        await client.end();
      }
    };
    await expect.poll(stored, { timeout: 20_000, interval: 250 }).toBe(acknowledged);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await stored()).toBe(acknowledged);
    for (const server of servers) expect(server.output()).not.toMatch(/"level":(50|60)/);
  }, 120_000);
});
