import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { aProject } from '../../test/builders.js';
import { seriesOf } from '../../test/telemetry-records.js';
import { startServerProcess } from '../../test/server-process.js';
import { ADMIN_TOKEN, bearer, startTestApp, TEST_SECRET_KEY, type TestApp } from '../../test/test-app.js';
import { testDatabaseUrl } from '../../test/test-database.js';
import { DAY_MS, dayOf, partitionName } from './rollup-partitions.js';
import { TelemetryRetentionService } from './telemetry-retention.service.js';
import { TelemetryService } from './telemetry.service.js';

/**
 * The minute rollups live in one partition per UTC day: made a week ahead and on demand, dropped
 * whole once past SIGNALBOX_TELEMETRY_RETENTION_DAYS (2 here), with queries answering as before.
 */
const P = '/api/v1/projects/parts/environments/production';

describe('telemetry partitions and retention', () => {
  let t: TestApp;
  let sdkKey: string;
  let db: DataSource;

  beforeAll(async () => {
    t = await startTestApp({ env: { SIGNALBOX_TELEMETRY_RETENTION_DAYS: '2' } });
    db = t.app.get(DataSource);
    sdkKey = (await aProject(t.http, t.admin, 'parts', [{ key: 'production', name: 'Production' }])).sdkKeys.production!;
  });
  afterAll(() => t.close());

  const partitions = async (): Promise<string[]> =>
    (
      await db.query(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent IN ('metric_rollups'::regclass, 'evaluation_rollups'::regclass) ORDER BY 1`,
      )
    ).map((r: { name: string }) => r.name);
  const send = (at: number, values: number[], evaluations: number) =>
    t.http
      .post('/api/v1/sdk/events')
      .set(bearer(sdkKey))
      .send({
        sdk: 'test/1',
        batches: [
          {
            windowStart: new Date(at).toISOString(),
            windowEnd: new Date(at + 1_000).toISOString(),
            series: [seriesOf('parts.model', 'v1', 'model.latency_ms', values)],
            evaluations: [{ flag: 'parts.model', variant: 'v1', reason: 'SPLIT', count: evaluations }],
          },
        ],
        dropped: 0,
      })
      .expect(202);
  const totals = async (from: number, to: number) => {
    const query = { from: new Date(from).toISOString(), to: new Date(to).toISOString(), flag: 'parts.model' };
    const series = (
      await t.http
        .get(`${P}/telemetry/series`)
        .query({ ...query, metric: 'model.latency_ms' })
        .set(t.admin)
        .expect(200)
    ).body.series;
    const evaluations = (await t.http.get(`${P}/telemetry/evaluations`).query(query).set(t.admin).expect(200)).body.evaluations;
    return { count: series[0]?.total.count ?? 0, evaluations: evaluations[0]?.count ?? 0 };
  };

  // Another instance on the same database: PostgreSQL only (the embedded one is for one process).
  it.runIf(testDatabaseUrl())(
    'makes the partitions an instance needs when it starts, before anything asks for a pass',
    async () => {
      const weekAhead = dayOf(Date.now()) + 7 * DAY_MS;
      for (const table of ['metric_rollups', 'evaluation_rollups'] as const) await db.query(`DROP TABLE IF EXISTS "${partitionName(table, weekAhead)}"`);
      expect(await partitions()).not.toContain(partitionName('metric_rollups', weekAhead));
      const other = await startServerProcess({ DATABASE_URL: t.databaseUrl!, SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN, SIGNALBOX_SECRET_KEY: TEST_SECRET_KEY });
      try {
        await expect
          .poll(partitions, { timeout: 10_000 })
          .toEqual(expect.arrayContaining([partitionName('metric_rollups', weekAhead), partitionName('evaluation_rollups', weekAhead)]));
      } finally {
        await other.stop();
      }
    },
    90_000,
  );

  it('keeps a partition for every day from a week back to a week ahead, for both rollups', async () => {
    await t.app.get(TelemetryRetentionService).maintain();
    const names = await partitions();
    const today = dayOf(Date.now());
    for (let day = today - 2 * DAY_MS; day <= today + 7 * DAY_MS; day += DAY_MS) {
      expect(names).toContain(partitionName('metric_rollups', day));
      expect(names).toContain(partitionName('evaluation_rollups', day));
    }
    expect(await db.query(`SELECT relkind FROM pg_class WHERE relname = 'metric_rollups'`)).toEqual([{ relkind: 'p' }]);
  });

  it('writes into a day whose partition is missing by making it, instead of failing the batch', async () => {
    const yesterday = Date.now() - DAY_MS;
    for (const table of ['metric_rollups', 'evaluation_rollups'] as const) await db.query(`DROP TABLE "${partitionName(table, dayOf(yesterday))}"`);
    await send(yesterday, [10, 20, 30], 3);
    // Read first: a read writes what the instance acknowledged.
    expect(await totals(yesterday - 60_000, yesterday + 60_000)).toEqual({ count: 3, evaluations: 3 });
    expect(await partitions()).toContain(partitionName('metric_rollups', dayOf(yesterday)));
  });

  it('drops whole days past the retention, and answers the days it keeps exactly as before', async () => {
    const now = Date.now();
    await send(now - 1_000, [5, 6], 2);
    const before = await totals(now - 2 * DAY_MS + 60_000, now + 60_000);
    expect(before).toEqual({ count: 5, evaluations: 5 });

    // Two days later, with 2 days kept: every day before today's is past the horizon.
    const { dropped } = await t.app.get(TelemetryRetentionService).maintain(new Date(now + 2 * DAY_MS));
    expect(dropped).toContain(partitionName('metric_rollups', dayOf(now - DAY_MS)));
    expect(dropped).toContain(partitionName('evaluation_rollups', dayOf(now - DAY_MS)));
    expect(dropped).not.toContain(partitionName('metric_rollups', dayOf(now)));
    const names = await partitions();
    expect(names).not.toContain(partitionName('metric_rollups', dayOf(now - DAY_MS)));
    expect(names).toContain(partitionName('metric_rollups', dayOf(now + 9 * DAY_MS)));
    expect(await totals(now - 2 * DAY_MS + 60_000, now + 60_000)).toEqual({ count: 2, evaluations: 2 });
    expect(await totals(now - 60_000, now + 60_000)).toEqual({ count: 2, evaluations: 2 });
  });

  it("forgets telemetry write ids after a day, and keeps flags' last evaluations and experiments' totals when days are dropped", async () => {
    await db.query(
      `INSERT INTO telemetry_flushes (id, written_at) VALUES (gen_random_uuid(), now() - interval '25 hours'), (gen_random_uuid(), now() - interval '23 hours')`,
    );
    const flushIds = async () =>
      ((await db.query(`SELECT count(*)::int AS n FROM telemetry_flushes WHERE written_at < now() - interval '22 hours'`)) as Array<{ n: number }>)[0]!.n;
    expect(await flushIds()).toBe(2);
    await t.app.get(TelemetryRetentionService).maintain();
    expect(await flushIds()).toBe(1);

    const now = Date.now();
    await send(now - 1_000, [1], 1);
    await t.app.get(TelemetryService).flush();
    await db.query(
      `INSERT INTO scoped_metric_totals (scope, metric, variant_key, count, sum, sum_squares, errors, histogram) VALUES ('experiment:kept', 'model.latency_ms', 'v1', 3, 6, 14, 0, '{}')`,
    );
    const kept = async () =>
      (await db.query(
        `SELECT (SELECT count(*)::int FROM flag_last_evaluated WHERE flag_key = 'parts.model') AS evaluated,
                (SELECT count(*)::int FROM scoped_metric_totals WHERE scope = 'experiment:kept') AS totals`,
      )) as Array<{ evaluated: number; totals: number }>;
    expect(await kept()).toEqual([{ evaluated: 1, totals: 1 }]);
    const { dropped } = await t.app.get(TelemetryRetentionService).maintain(new Date(now + 5 * DAY_MS));
    expect(dropped).toContain(partitionName('metric_rollups', dayOf(now)));
    expect(await kept()).toEqual([{ evaluated: 1, totals: 1 }]);
  });

  it('does not write a batch already past the retention, nor make its day again', async () => {
    const old = Date.now() - 3 * DAY_MS;
    const name = partitionName('metric_rollups', dayOf(old));
    if ((await partitions()).includes(name)) await db.query(`DROP TABLE "${name}"`);
    await send(old, [7], 1);
    await t.app.get(TelemetryService).flush();
    expect(await partitions()).not.toContain(name);
  });
});
