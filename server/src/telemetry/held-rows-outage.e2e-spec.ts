import { createFlags } from '@signalbox/sdk';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBinaries, type PrivatePostgres, startPrivatePostgres } from '../../test/private-postgres.js';
import { startServerProcess, type ServerProcess } from '../../test/server-process.js';
import { ADMIN_TOKEN, bearer, TEST_SECRET_KEY } from '../../test/test-app.js';
import { evaluationsPayload, postEvents, seriesOf } from '../../test/telemetry-records.js';

const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined };
const admin = { ...bearer(ADMIN_TOKEN), 'content-type': 'application/json' };
const hasBinaries = Boolean(await postgresBinaries());
const MAX_HELD_ROWS = 1_000;
const SERIES_PER_BATCH = 300;
const FLAG = 'held.flag';

/**
 * Telemetry while PostgreSQL is stopped or frozen, on a cluster of the test's own and the built server as a
 * process: batches are taken (202) and held until the held rows pass
 * SIGNALBOX_TELEMETRY_MAX_HELD_ROWS, then refused with 503 and Retry-After, never a 500; a real
 * SDK keeps the window it could not send; once PostgreSQL is back, every acknowledged evaluation
 * and every held row is stored exactly once. While it is frozen, answers do not wait on it after
 * the merge, and a request whose sender gave up before its merge is never merged.
 */
describe.runIf(hasBinaries)('telemetry held through a PostgreSQL outage', () => {
  let cluster: PrivatePostgres;
  let server: ServerProcess;
  let sdkKey: string;
  let stagingKey: string;
  let environmentId: string;

  const post = (body: unknown, key = sdkKey, signal?: AbortSignal) => postEvents(server.url, key, body, signal);
  /** A batch of `SERIES_PER_BATCH` new rollup rows (one metric each) and `evaluations` evaluations of the flag. */
  const batchOf = (n: number, evaluations: number) => {
    const at = new Date(Date.now() - 2_000).toISOString();
    return {
      sdk: 'test/1',
      batches: [
        {
          windowStart: at,
          windowEnd: at,
          series: Array.from({ length: SERIES_PER_BATCH }, (_, i) => seriesOf(FLAG, 'on', `held.metric-${n}-${i}`, [i, i + 1])),
          evaluations: [{ flag: FLAG, variant: 'on', reason: 'DEFAULT', count: evaluations }],
        },
      ],
      dropped: 0,
    };
  };
  /** Evaluations of `flag` stored in the rollups of an environment (by key). */
  const storedEvaluations = async (environment: string, flag: string): Promise<number> => {
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT coalesce(sum(r.count), 0)::int AS n FROM evaluation_rollups r JOIN environments e ON e.id = r.environment_id
          JOIN projects p ON p.id = e.project_id WHERE p.key = 'held' AND e.key = $1 AND r.flag_key = $2`,
        [environment, flag],
      );
      return rows[0].n as number;
    } finally {
      await client.end();
    }
  };
  const stored = async (): Promise<{ evaluations: number; metrics: number }> => {
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    try {
      const evaluations = await client.query(`SELECT coalesce(sum(count), 0)::int AS n FROM evaluation_rollups WHERE environment_id = $1 AND flag_key = $2`, [
        environmentId,
        FLAG,
      ]);
      const metrics = await client.query(
        `SELECT count(DISTINCT metric)::int AS n FROM metric_rollups WHERE environment_id = $1 AND metric LIKE 'held.metric-%'`,
        [environmentId],
      );
      return { evaluations: evaluations.rows[0].n as number, metrics: metrics.rows[0].n as number };
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    cluster = await startPrivatePostgres();
    server = await startServerProcess({
      DATABASE_URL: cluster.url,
      SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN,
      SIGNALBOX_SECRET_KEY: TEST_SECRET_KEY,
      SIGNALBOX_TELEMETRY_MAX_HELD_ROWS: String(MAX_HELD_ROWS),
    });
    const created = await fetch(`${server.url}/api/v1/projects`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({
        key: 'held',
        name: 'Held',
        environments: [
          { key: 'production', name: 'Production' },
          { key: 'staging', name: 'Staging' },
        ],
      }),
    });
    const keys = ((await created.json()) as { sdkKeys: Record<string, string> }).sdkKeys;
    sdkKey = keys.production!;
    stagingKey = keys.staging!;
    const flag = await fetch(`${server.url}/api/v1/projects/held/flags`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ key: FLAG, name: 'Held', kind: 'boolean' }),
    });
    expect(flag.status).toBe(201);
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    environmentId = (await client.query(`SELECT e.id FROM environments e JOIN projects p ON p.id = e.project_id WHERE p.key = 'held'`)).rows[0].id as string;
    await client.end();
  }, 180_000);
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await cluster?.destroy();
  });

  it('takes batches up to the limit, then answers 503 with Retry-After; a real SDK keeps its window and everything acknowledged is stored once PostgreSQL is back', async () => {
    // The instance has seen the key and the flag before the outage (as a running fleet's instance has).
    expect((await post({ sdk: 'test/1', batches: [], dropped: 0 })).status).toBe(202);
    const flags = createFlags({ url: server.url, sdkKey, logger: quiet, telemetry: { flushIntervalMs: 300 } });
    try {
      expect(await flags.waitForReady({ timeoutMs: 10_000 })).toBe('ready');
      await cluster.stop();

      let acknowledged = 0;
      let accepted = 0;
      const refusals: Response[] = [];
      for (let n = 0; refusals.length < 3; n++) {
        const count = 10 + n;
        const res = await post(batchOf(n, count));
        if (res.status === 202) {
          accepted += 1;
          acknowledged += count;
          await res.arrayBuffer();
        } else refusals.push(res);
        expect(n).toBeLessThan(20);
      }
      // Held rows: per accepted batch its metric rows and one evaluation row. Refused from the first
      // batch that finds the limit reached, each time.
      expect(accepted).toBe(Math.ceil(MAX_HELD_ROWS / (SERIES_PER_BATCH + 1)));
      for (const refused of refusals) {
        expect(refused.status).toBe(503);
        expect(refused.headers.get('retry-after')).toBe('1');
        expect(await refused.json()).toMatchObject({ error: 'UNAVAILABLE', message: expect.stringMatching(/telemetry/) });
      }

      // Past the instance's 5 s cache of the key, the key still counts: the refusal is still the
      // held rows', not the key lookup's, and the config is still served.
      await new Promise((resolve) => setTimeout(resolve, 5_500));
      const later = await post(batchOf(99, 1));
      expect(later.status).toBe(503);
      expect(await later.json()).toMatchObject({ message: expect.stringMatching(/telemetry/) });
      expect((await fetch(`${server.url}/api/v1/sdk/config`, { headers: bearer(sdkKey) })).status).toBe(200);

      // The SDK's window is refused the same way: it keeps it, and drops nothing.
      for (let i = 0; i < 25; i++) flags.boolean(FLAG, { targetingKey: `user-${i}` }, false);
      await expect
        .poll(() => flags.telemetry.stats, { timeout: 10_000, interval: 100 })
        .toMatchObject({ queuedBatches: 1, droppedBatches: 0, lastError: expect.stringMatching(/answered 503/) });
      expect(server.output()).not.toMatch(/"level":(50|60)/);

      await cluster.start();
      await expect.poll(() => stored(), { timeout: 30_000, interval: 250 }).toEqual({ evaluations: acknowledged + 25, metrics: accepted * SERIES_PER_BATCH });
      expect(flags.telemetry.stats).toMatchObject({ queuedBatches: 0, droppedBatches: 0 });
      // Nothing is written twice once the SDK's retry and the held rows are in.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await stored()).toEqual({ evaluations: acknowledged + 25, metrics: accepted * SERIES_PER_BATCH });
    } finally {
      await flags.close();
    }
  }, 120_000);

  it('answers within about a second while PostgreSQL is frozen, and never merges a batch whose sender gave up waiting', async () => {
    // A flag this instance has not seen evaluated: its first evaluation is written with the request.
    const created = await fetch(`${server.url}/api/v1/projects/held/flags`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ key: 'frozen.first', name: 'F', kind: 'boolean' }),
    });
    expect(created.status).toBe(201);
    // Fresh flag ids for production (they include the new flag), and the staging key known, but not its flag ids.
    expect((await post({ sdk: 'test/1', batches: [], dropped: 0 })).status).toBe(202);
    expect((await fetch(`${server.url}/api/v1/sdk/config`, { headers: bearer(stagingKey) })).status).toBe(200);

    cluster.freeze();
    let abandoned: unknown;
    try {
      // Merged at once; the first-evaluation write waits on the frozen database, the answer does not.
      const started = Date.now();
      const first = await post(evaluationsPayload('frozen.first', 7), sdkKey, AbortSignal.timeout(5_000));
      expect(first.status).toBe(202);
      expect(Date.now() - started).toBeLessThan(4_000);
      // Staging's flag ids must be read first, and the database does not answer: the sender gives up.
      abandoned = await post(evaluationsPayload(FLAG, 5), stagingKey, AbortSignal.timeout(1_500)).catch((err: unknown) => err);
    } finally {
      cluster.thaw();
    }
    expect(abandoned).toMatchObject({ name: 'TimeoutError' });

    // Once the database answers, the abandoned request resumes on the server: it must not be merged.
    await expect.poll(() => storedEvaluations('production', 'frozen.first'), { timeout: 30_000, interval: 250 }).toBe(7);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await storedEvaluations('staging', FLAG)).toBe(0);
    // What the SDK sends again is counted once.
    expect((await post(evaluationsPayload(FLAG, 5), stagingKey)).status).toBe(202);
    await expect.poll(() => storedEvaluations('staging', FLAG), { timeout: 10_000, interval: 250 }).toBe(5);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await storedEvaluations('staging', FLAG)).toBe(5);
  }, 120_000);

  // Last: the instance stops.
  it('writes what it holds at SIGTERM once PostgreSQL, restarting meanwhile, takes it again', async () => {
    expect((await post(evaluationsPayload('final.flag', 9))).status).toBe(202);
    await cluster.stop();
    const exited = server.stop('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await cluster.start();
    expect(await exited).toBe(0);
    expect(server.output()).not.toMatch(/it is lost/);
    expect(await storedEvaluations('production', 'final.flag')).toBe(9);
  }, 60_000);
});

/**
 * The other side of the SIGTERM retry: a database that stays down past the 4 s given to the last
 * write. What the instance holds is then lost, and it says so (an error naming the batches); the
 * process still exits within the shutdown's bounds instead of hanging on the database.
 */
describe.runIf(hasBinaries)('SIGTERM while PostgreSQL stays down', () => {
  let cluster: PrivatePostgres;
  let server: ServerProcess;

  beforeAll(async () => {
    cluster = await startPrivatePostgres();
    server = await startServerProcess({ DATABASE_URL: cluster.url, SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN, SIGNALBOX_SECRET_KEY: TEST_SECRET_KEY });
  }, 180_000);
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await cluster?.destroy();
  });

  it('gives the last write up after about 4 s, logs what is lost as an error, and exits', async () => {
    const created = await fetch(`${server.url}/api/v1/projects`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ key: 'gone', name: 'Gone', environments: [{ key: 'production', name: 'Production' }] }),
    });
    const sdkKey = ((await created.json()) as { sdkKeys: Record<string, string> }).sdkKeys.production!;
    expect((await postEvents(server.url, sdkKey, evaluationsPayload('lost.flag', 4))).status).toBe(202);
    await cluster.stop();
    const signalled = Date.now();
    const code = await server.stop('SIGTERM');
    const took = Date.now() - signalled;
    expect(code).not.toBeNull();
    expect(took).toBeGreaterThanOrEqual(3_500);
    // The grace for requests (none are running), 4 s of retries and the modules' 5 s close at most.
    expect(took).toBeLessThan(15_000);
    const lost = server
      .output()
      .split('\n')
      .find((line) => line.includes('it is lost'));
    expect(lost).toBeDefined();
    expect(JSON.parse(lost!)).toMatchObject({ level: 50, batches: 1, msg: 'could not write the telemetry held in memory before exiting; it is lost' });
  }, 60_000);
});
