import type { EventsPayload } from '@signalbox/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject } from '../../test/builders.js';
import { seriesOf } from '../../test/telemetry-records.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';
import { Database } from '../database/database.service.js';
import { TelemetryService } from './telemetry.service.js';

const P = '/api/v1/projects/reborn';

/** One batch `minutesAgo` before this minute: a metric, evaluations and a shadow sample of `flag`. */
const oldBatch = (flag: string, minutesAgo: number): EventsPayload => {
  const at = Math.floor(Date.now() / 60_000) * 60_000 - minutesAgo * 60_000;
  const windowEnd = new Date(at + 2_000).toISOString();
  return {
    sdk: 'test/1',
    batches: [
      {
        windowStart: new Date(at + 1_000).toISOString(),
        windowEnd,
        series: [seriesOf(flag, 'on', 'pipeline.rows_ms', [120, 80, 95], 1)],
        evaluations: [{ flag, variant: 'on', reason: 'STATIC', count: 3 }],
        samples: [{ kind: 'shadow.disagreement', flag, variant: 'on', at: windowEnd, input: { row: 1 }, primary: 'a', candidate: 'b' }],
      },
    ],
    dropped: 0,
  };
};

describe('a flag deleted and created again under its key', () => {
  let t: TestApp;
  let sdkKey: string;

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    sdkKey = (await aProject(t.http, t.admin, 'reborn', [{ key: 'production', name: 'Production' }])).sdkKeys.production!;
  });
  afterAll(() => t.close());

  const catalogue = async () => (await t.http.get(`${P}/environments/production/metrics`).query({ flag: 'etl.reborn' }).set(t.admin).expect(200)).body.metrics;
  const lastEvaluated = async () =>
    (await t.http.get(`${P}/telemetry/last-evaluated`).set(t.admin).expect(200)).body.flags.find((f: { flag: string }) => f.flag === 'etl.reborn');
  const samples = async () =>
    (await t.http.get(`${P}/environments/production/telemetry/samples`).query({ flag: 'etl.reborn' }).set(t.admin).expect(200)).body.samples;
  const defaults = async () => (await t.http.get(`${P}/flags/etl.reborn/environments/production/rollout-plans/defaults`).set(t.admin).expect(200)).body;

  it("lists none of its namesake's metrics, last evaluation or shadow samples, and chooses no guard metric from them", async () => {
    // The old flag, created ten minutes ago (the database sets the time: it is moved back by hand), reported five minutes ago.
    await aBooleanFlag(t.http, t.admin, 'reborn', 'etl.reborn');
    await t.app
      .get(Database)
      .manager()
      .query(
        `UPDATE flags SET created_at = created_at - interval '10 minutes' WHERE key = 'etl.reborn' AND project_id = (SELECT id FROM projects WHERE key = 'reborn')`,
      );
    await t.http.post('/api/v1/sdk/events').set(bearer(sdkKey)).send(oldBatch('etl.reborn', 5)).expect(202);
    // The old flag's telemetry, as it reads before the delete.
    expect((await catalogue()).map((m: { metric: string }) => m.metric)).toEqual(['pipeline.rows_ms']);
    expect(await lastEvaluated()).toBeDefined();
    expect(await samples()).toHaveLength(1);
    expect((await defaults()).guards).toMatchObject({ errorMetric: 'pipeline.rows_ms', metricSource: { errorMetric: 'reported' } });

    await t.http.post(`${P}/flags/etl.reborn/archive`).set(t.admin).send({}).expect(200);
    await t.http.delete(`${P}/flags/etl.reborn`).set(t.admin).expect(204);
    // Gone with the flag: nothing to read even before a new flag takes the key.
    expect(await lastEvaluated()).toBeUndefined();
    expect(await samples()).toEqual([]);
    await aBooleanFlag(t.http, t.admin, 'reborn', 'etl.reborn');

    expect(await catalogue()).toEqual([]);
    expect(await lastEvaluated()).toBeUndefined();
    expect(await samples()).toEqual([]);
    const fresh = await defaults();
    expect(fresh.guards).toMatchObject({ errorMetric: 'step.duration_ms', metricSource: { errorMetric: 'fallback', latencyMetric: 'fallback' } });
    expect(JSON.stringify(fresh.guardMetrics)).not.toContain('pipeline.rows_ms');

    // A late batch of the old flag's (sent before the delete, arriving after) stays out too.
    await t.http.post('/api/v1/sdk/events').set(bearer(sdkKey)).send(oldBatch('etl.reborn', 4)).expect(202);
    expect(await catalogue()).toEqual([]);
    expect(await lastEvaluated()).toBeUndefined();
    expect(await samples()).toEqual([]);
  });

  it('shows none of it either when the flag is deleted and created again within the minute its namesake reported in', async () => {
    const flag = 'etl.same-minute';
    const telemetry = `${P}/environments/production/telemetry`;
    await aBooleanFlag(t.http, t.admin, 'reborn', flag);
    // Reported a moment ago, in this minute (the batch starts after the flag was created).
    const now = Date.now();
    const batch = oldBatch(flag, 0);
    batch.batches[0]!.windowStart = new Date(now).toISOString();
    batch.batches[0]!.windowEnd = new Date(now + 500).toISOString();
    batch.batches[0]!.samples![0]!.at = batch.batches[0]!.windowEnd;
    await t.http.post('/api/v1/sdk/events').set(bearer(sdkKey)).send(batch).expect(202);
    await t.app.get(TelemetryService).settle();
    const names = async () =>
      (await t.http.get(`${P}/environments/production/metrics`).query({ flag }).set(t.admin).expect(200)).body.metrics.map((m: { metric: string }) => m.metric);
    const window = { flag, from: new Date(now - 10 * 60_000).toISOString(), to: new Date(now + 60_000).toISOString() };
    const evaluations = async () => (await t.http.get(`${telemetry}/evaluations`).query(window).set(t.admin).expect(200)).body.evaluations;
    expect(await names()).toEqual(['pipeline.rows_ms']);
    expect(await evaluations()).toEqual([{ flag, variant: 'on', reason: 'STATIC', count: 3 }]);

    await t.http.post(`${P}/flags/${flag}/archive`).set(t.admin).send({}).expect(200);
    await t.http.delete(`${P}/flags/${flag}`).set(t.admin).expect(204);
    await aBooleanFlag(t.http, t.admin, 'reborn', flag);
    expect(await names()).toEqual([]);
    expect(await evaluations()).toEqual([]);
    expect((await t.http.get(`${telemetry}/samples`).query({ flag }).set(t.admin).expect(200)).body.samples).toEqual([]);
  });
});
