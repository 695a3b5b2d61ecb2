import type { EventsPayload } from '@signalbox/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { aBooleanFlag, aProject } from '../../test/builders.js';
import { seriesOf } from '../../test/telemetry-records.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';
import { AuditService } from '../audit/audit.service.js';
import { DomainEvents } from '../common/events/domain-events.js';
import { Database } from '../database/database.service.js';
import { TelemetryRepository } from './telemetry.repository.js';
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
  afterEach(() => vi.restoreAllMocks());

  /** A batch of `flag` that starts now (after the flag was created), in this minute. */
  const batchNow = (flag: string): EventsPayload => {
    const now = Date.now();
    const batch = oldBatch(flag, 0);
    batch.batches[0]!.windowStart = new Date(now).toISOString();
    batch.batches[0]!.windowEnd = new Date(now + 500).toISOString();
    batch.batches[0]!.samples![0]!.at = batch.batches[0]!.windowEnd;
    return batch;
  };

  /** Everything the console and the API show of `flag`'s telemetry over the last ten minutes. */
  const shown = async (flag: string) => {
    const telemetry = `${P}/environments/production/telemetry`;
    const window = { flag, from: new Date(Date.now() - 10 * 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    return {
      metrics: (await t.http.get(`${P}/environments/production/metrics`).query({ flag }).set(t.admin).expect(200)).body.metrics.map(
        (m: { metric: string }) => m.metric,
      ),
      series: (await t.http.get(`${telemetry}/series`).query(window).set(t.admin).expect(200)).body.series.length,
      evaluations: (await t.http.get(`${telemetry}/evaluations`).query(window).set(t.admin).expect(200)).body.evaluations,
      samples: (await t.http.get(`${telemetry}/samples`).query({ flag }).set(t.admin).expect(200)).body.samples.length,
      lastEvaluated: (await t.http.get(`${P}/telemetry/last-evaluated`).set(t.admin).expect(200)).body.flags.some((f: { flag: string }) => f.flag === flag),
    };
  };
  const nothing = { metrics: [], series: 0, evaluations: [], samples: 0, lastEvaluated: false };
  const everything = (flag: string) => ({
    metrics: ['pipeline.rows_ms'],
    series: 1,
    evaluations: [{ flag, variant: 'on', reason: 'STATIC', count: 3 }],
    samples: 1,
    lastEvaluated: true,
  });

  const send = (payload: EventsPayload) => t.http.post('/api/v1/sdk/events').set(bearer(sdkKey)).send(payload).expect(202);
  const remove = async (flag: string) => {
    await t.http.post(`${P}/flags/${flag}/archive`).set(t.admin).send({}).expect(200);
    await t.http.delete(`${P}/flags/${flag}`).set(t.admin).expect(204);
  };

  /** Stops the once-a-second flush (so a batch stays in memory until `settle`), for one test. */
  const holdFlushes = () => {
    const telemetry = t.app.get(TelemetryService);
    clearInterval((telemetry as unknown as { timer: NodeJS.Timeout }).timer);
    return () => telemetry.onModuleInit();
  };

  /** A gate: `entered` resolves when something reaches it, which then waits until `open()`. */
  const gate = () => {
    let open!: () => void;
    let entered!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const reached = new Promise<void>((resolve) => (entered = resolve));
    return { open, reached, pass: () => (entered(), opened) };
  };

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
    await aBooleanFlag(t.http, t.admin, 'reborn', flag);
    await send(batchNow(flag));
    await t.app.get(TelemetryService).settle();
    expect(await shown(flag)).toEqual(everything(flag));

    await remove(flag);
    await aBooleanFlag(t.http, t.admin, 'reborn', flag);
    expect(await shown(flag)).toEqual(nothing);
  });

  it('shows none of a batch accepted before the delete and written after the flag was created again', async () => {
    const flag = 'etl.unwritten';
    await aBooleanFlag(t.http, t.admin, 'reborn', flag);
    const resume = holdFlushes();
    try {
      await send(batchNow(flag));
      await send(oldBatch(flag, 5));
      // Still in memory: the old flag goes before the write.
      await remove(flag);
      await t.app.get(TelemetryService).settle();
      // Written as if before the delete: the minute of five minutes ago is there to read while no flag holds the key; the deletion minute is not.
      const window = { flag, from: new Date(Date.now() - 10 * 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
      const minutes = async () =>
        (await t.http.get(`${P}/environments/production/telemetry/series`).query(window).set(t.admin).expect(200)).body.series.flatMap(
          (s: { points: unknown[] }) => s.points,
        ).length;
      expect(await minutes()).toBe(1);
      // A new flag takes the key.
      await aBooleanFlag(t.http, t.admin, 'reborn', flag);
    } finally {
      resume();
    }
    expect(await shown(flag)).toEqual(nothing);

    // The new flag's own telemetry is kept.
    await send(batchNow(flag));
    expect(await shown(flag)).toEqual(everything(flag));
  });

  it('reads flag ids again once per change, however many times the change is heard', async () => {
    const flag = 'etl.ids-once';
    await aBooleanFlag(t.http, t.admin, 'reborn', flag);
    const repository = t.app.get(TelemetryRepository, { strict: false });
    const events = t.app.get(DomainEvents, { strict: false });
    const reads: string[] = [];
    const read = repository.flagIds.bind(repository);
    vi.spyOn(repository, 'flagIds').mockImplementation((environmentId) => {
      reads.push(environmentId);
      return read(environmentId);
    });
    const readsAfterABatch = async (): Promise<number> => {
      await send(batchNow(flag));
      return reads.length;
    };
    await readsAfterABatch();
    const environmentId = reads.at(-1)!;
    // A change: the next batch reads the ids again (a flag may have been created or deleted).
    const changed = await t.http.patch(`${P}/flags/${flag}/environments/production`).set(t.admin).send({ version: 0, on: true }).expect(200);
    const sequence = Number(changed.headers['signalbox-sequence']);
    expect(Number.isSafeInteger(sequence)).toBe(true);
    // Heard here at commit, then through its notification and the change log's check (within a second).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const before = reads.length;
    expect(await readsAfterABatch()).toBe(before + 1);
    // The same change, or an older one, heard again: the ids just read stay. A database that froze
    // meanwhile would otherwise hold the next batch until it answered.
    events.emit('change.appended', { environmentId, sequence });
    events.emit('change.appended', { environmentId, sequence: sequence - 1 });
    expect(await readsAfterABatch()).toBe(before + 1);
    expect(reads.slice(before)).toEqual([environmentId]);
  });

  it('shows none of it when the delete waits for a write that holds the flag', async () => {
    const flag = 'etl.write-first';
    await aBooleanFlag(t.http, t.admin, 'reborn', flag);
    const repository = t.app.get(TelemetryRepository, { strict: false });
    const writing = gate();
    const merge = repository.mergeMetricRollups.bind(repository);
    vi.spyOn(repository, 'mergeMetricRollups').mockImplementation(async (rows) => {
      if (rows.some((r) => r.flagKey === flag)) await writing.pass();
      return merge(rows);
    });
    // Archived first: on the embedded database (one session) nothing else runs while the write holds it.
    await t.http.post(`${P}/flags/${flag}/archive`).set(t.admin).send({}).expect(200);
    await send(batchNow(flag));
    const written = t.app.get(TelemetryService).settle();
    await writing.reached;
    // The write has locked the flag and waits; the delete comes now and has to wait for it.
    const deleted = t.http
      .delete(`${P}/flags/${flag}`)
      .set(t.admin)
      .expect(204)
      .then(() => 'deleted');
    expect(await Promise.race([deleted, new Promise((resolve) => setTimeout(() => resolve('waiting'), 300))])).toBe('waiting');
    writing.open();
    await written;
    await deleted;
    await aBooleanFlag(t.http, t.admin, 'reborn', flag);
    expect(await shown(flag)).toEqual(nothing);
  });

  it('shows none of it when the write waits for a delete in progress', async () => {
    const flag = 'etl.delete-first';
    await aBooleanFlag(t.http, t.admin, 'reborn', flag);
    const resume = holdFlushes();
    const audit = t.app.get(AuditService, { strict: false });
    const deleting = gate();
    const record = audit.record.bind(audit);
    vi.spyOn(audit, 'record').mockImplementation(async (entry) => {
      if (entry.action === 'flag.deleted' && entry.resourceKey === flag) await deleting.pass();
      return record(entry);
    });
    try {
      await send(batchNow(flag));
      await t.http.post(`${P}/flags/${flag}/archive`).set(t.admin).send({}).expect(200);
      // Sent now (a supertest request starts when it is awaited or `then`'d).
      const deleted = t.http
        .delete(`${P}/flags/${flag}`)
        .set(t.admin)
        .expect(204)
        .then(() => undefined);
      // The delete has removed the flag and purged its minute, and has not committed yet: the write comes now.
      await deleting.reached;
      const written = t.app.get(TelemetryService).flush();
      await new Promise((resolve) => setTimeout(resolve, 300));
      deleting.open();
      await deleted;
      await written;
    } finally {
      resume();
    }
    await aBooleanFlag(t.http, t.admin, 'reborn', flag);
    expect(await shown(flag)).toEqual(nothing);
  });
});
