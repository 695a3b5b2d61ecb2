import { createFlags, type EventsPayload, type SeriesRecord } from '@signalbox/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject, aToken, aUser } from '../../test/builders.js';
import { seriesOf } from '../../test/telemetry-records.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';

const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined };

/** A batch in the minute `minutesAgo` before this one. */
const batchAt = (minutesAgo: number, series: SeriesRecord[]): EventsPayload => {
  const at = Math.floor(Date.now() / 60_000) * 60_000 - minutesAgo * 60_000;
  return {
    sdk: 'test/1',
    batches: [{ windowStart: new Date(at + 1_000).toISOString(), windowEnd: new Date(at + 2_000).toISOString(), series, evaluations: [] }],
    dropped: 0,
  };
};

describe('metric catalogue', () => {
  let t: TestApp;
  let sdkKey: string;
  const url = '/api/v1/projects/catalogue/environments/production/metrics';

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    const project = await aProject(t.http, t.admin, 'catalogue', [
      { key: 'production', name: 'Production' },
      { key: 'staging', name: 'Staging' },
    ]);
    sdkKey = project.sdkKeys.production!;
    const send = (payload: EventsPayload, key = sdkKey) => t.http.post('/api/v1/sdk/events').set(bearer(key)).send(payload).expect(202);

    // A pipeline step gated by a flag, through the real SDK: step.duration_ms under the served variant.
    await aBooleanFlag(t.http, t.admin, 'catalogue', 'etl.dedupe');
    await t.http.patch('/api/v1/projects/catalogue/flags/etl.dedupe/environments/production').set(t.admin).send({ version: 0, on: true }).expect(200);
    const flags = createFlags({ url: t.url, sdkKey, logger: quiet, telemetry: { flushIntervalMs: 3_600_000 } });
    try {
      expect(await flags.waitForReady({ timeoutMs: 5000 })).toBe('ready');
      for (let i = 0; i < 30; i++) {
        await flags
          .step('etl.dedupe', { runId: `run-${i}` }, () => {
            if (i % 10 === 0) throw new Error('step failed');
            return i;
          })
          .catch(() => undefined);
      }
      await flags.flush();
    } finally {
      await flags.close();
    }
    // A 0/1 metric of another flag, an old observation, a metric of no flag, and one in another environment.
    await send(batchAt(1, [seriesOf('model.ranker', 'v1', 'shadow.agreement', [1, 1, 0, 1]), seriesOf(null, null, 'queue.depth', [12, 40])]));
    await send(batchAt(3 * 60, [seriesOf('model.ranker', 'v1', 'model.latency_ms', [20, 30], 1)]));
    await send(batchAt(1, [seriesOf('etl.dedupe', 'on', 'staging.only_ms', [5])]), project.sdkKeys.staging!);
  });
  afterAll(() => t.close());

  it('lists the metric names reported in the environment, with last seen, recent samples and errors, and whether they carry values', async () => {
    const res = await t.http.get(url).set(t.admin).expect(200);
    expect(res.body.flag).toBeNull();
    expect(res.body.nextAfter).toBeNull();
    expect(res.body.metrics.map((m: { metric: string }) => m.metric)).toEqual(['model.latency_ms', 'queue.depth', 'shadow.agreement', 'step.duration_ms']);
    const byName = Object.fromEntries(res.body.metrics.map((m: { metric: string }) => [m.metric, m]));
    expect(byName['step.duration_ms']).toMatchObject({ samples: 30, errors: 3, carriesValues: true });
    expect(Date.now() - Date.parse(byName['step.duration_ms'].lastSeen)).toBeLessThan(3 * 60_000);
    expect(byName['shadow.agreement']).toMatchObject({ samples: 4, errors: 0, carriesValues: false });
    expect(byName['queue.depth']).toMatchObject({ samples: 2, carriesValues: true });
    // Seen three hours ago: listed, with nothing in the last hour (the default window) …
    expect(byName['model.latency_ms']).toMatchObject({ samples: 0, errors: 0, carriesValues: true });
    expect(Date.now() - Date.parse(byName['model.latency_ms'].lastSeen)).toBeGreaterThan(2 * 3_600_000);
    // … and counted in a window that reaches it.
    const wide = await t.http.get(url).query({ windowMinutes: 240 }).set(t.admin).expect(200);
    expect(wide.body.metrics.find((m: { metric: string }) => m.metric === 'model.latency_ms')).toMatchObject({ samples: 2, errors: 1 });
    expect(Date.parse(res.body.to) - Date.parse(res.body.windowFrom)).toBeGreaterThanOrEqual(3_600_000);
  });

  it('lists only the names reported under a flag when asked', async () => {
    const res = await t.http.get(url).query({ flag: 'etl.dedupe' }).set(t.admin).expect(200);
    expect(res.body).toMatchObject({ flag: 'etl.dedupe', nextAfter: null });
    expect(res.body.metrics.map((m: { metric: string }) => m.metric)).toEqual(['step.duration_ms']);
    const none = await t.http.get(url).query({ flag: 'never.reported' }).set(t.admin).expect(200);
    expect(none.body.metrics).toEqual([]);
  });

  it('answers a page at a time, continuing after the last name of the previous page', async () => {
    const first = await t.http.get(url).query({ limit: 3 }).set(t.admin).expect(200);
    expect(first.body.metrics.map((m: { metric: string }) => m.metric)).toEqual(['model.latency_ms', 'queue.depth', 'shadow.agreement']);
    expect(first.body.nextAfter).toBe('shadow.agreement');
    const second = await t.http.get(url).query({ limit: 3, after: first.body.nextAfter }).set(t.admin).expect(200);
    expect(second.body.metrics.map((m: { metric: string }) => m.metric)).toEqual(['step.duration_ms']);
    expect(second.body.nextAfter).toBeNull();
  });

  it('lets viewers read it with a session or an API token, and refuses anyone without credentials', async () => {
    const viewer = await aUser(t.http, t.admin, 'viewer');
    expect((await t.http.get(url).set(bearer(viewer.token)).expect(200)).body.metrics).toHaveLength(4);
    const token = await aToken(t.http, t.admin, 'viewer');
    expect((await t.http.get(url).set(bearer(token.secret)).expect(200)).body.metrics).toHaveLength(4);
    expect((await t.http.get(url)).status).toBe(401);
    // An SDK key sends events; it does not read the catalogue.
    expect((await t.http.get(url).set(bearer(sdkKey))).status).toBe(403);
  });

  it('answers 400 naming the field for bad query input, and 404 for an unknown project or environment', async () => {
    for (const [query, field] of [
      [{ limit: 0 }, 'limit'],
      [{ limit: 201 }, 'limit'],
      [{ limit: 'ten' }, 'limit'],
      [{ windowMinutes: 10_081 }, 'windowMinutes'],
      [{ windowMinutes: 1.5 }, 'windowMinutes'],
      [{ flag: 'x'.repeat(129) }, 'flag'],
      [{ after: '' }, 'after'],
    ] as const) {
      const res = await t.http.get(url).query(query).set(t.admin);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect([...new Set(res.body.details.map((d: { field: string }) => d.field))]).toEqual([field]);
    }
    const unknown = await t.http.get(url).query({ sort: 'name' }).set(t.admin);
    expect(unknown.status).toBe(400);
    expect(unknown.body.details.map((d: { field: string }) => d.field)).toEqual(['sort']);
    expect((await t.http.get('/api/v1/projects/catalogue/environments/nowhere/metrics').set(t.admin)).status).toBe(404);
    expect((await t.http.get('/api/v1/projects/nothing/environments/production/metrics').set(t.admin)).status).toBe(404);
  });
});
