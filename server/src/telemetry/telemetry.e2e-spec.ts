import { createFlags, type EventsPayload } from '@signalbox/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject, aStringFlag, aUser } from '../../test/builders.js';
import { seriesOf } from '../../test/telemetry-records.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';

const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined };

const minuteAgo = (minutes: number) => {
  const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 - minutes * 60_000);
  return { windowStart: new Date(at.getTime() + 5_000).toISOString(), windowEnd: new Date(at.getTime() + 10_000).toISOString(), minute: at.toISOString() };
};

describe('telemetry ingestion and rollups', () => {
  let t: TestApp;
  let sdkKey: string;
  let otherKey: string;
  const base = '/api/v1/projects/metrics/environments/development/telemetry';

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    const project = await aProject(t.http, t.admin, 'metrics', [
      { key: 'development', name: 'Development' },
      { key: 'production', name: 'Production' },
    ]);
    sdkKey = project.sdkKeys.development!;
    otherKey = project.sdkKeys.production!;
  });
  afterAll(() => t.close());

  const send = (payload: unknown, key = sdkKey) =>
    t.http
      .post('/api/v1/sdk/events')
      .set(bearer(key))
      .send(payload as object);

  it('merges batches into per-minute rollups and answers count, rate, mean, percentiles and error rate', async () => {
    const window = minuteAgo(3);
    const fast = Array.from({ length: 90 }, (_, i) => 10 + (i % 10));
    const slow = Array.from({ length: 10 }, () => 200);
    const first: EventsPayload = {
      sdk: 'test/1',
      batches: [
        {
          windowStart: window.windowStart,
          windowEnd: window.windowEnd,
          series: [seriesOf('etl.validate', 'on', 'step.duration_ms', fast, 3)],
          evaluations: [],
        },
      ],
      dropped: 0,
    };
    const second: EventsPayload = {
      sdk: 'test/1',
      batches: [
        { windowStart: window.windowEnd, windowEnd: window.windowEnd, series: [seriesOf('etl.validate', 'on', 'step.duration_ms', slow, 1)], evaluations: [] },
      ],
      dropped: 2,
    };
    expect((await send(first)).status).toBe(202);
    const accepted = await send(second);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ batches: 1, series: 1, evaluations: 0, samples: 0 });

    const res = await t.http
      .get(`${base}/series`)
      .query({ flag: 'etl.validate', metric: 'step.duration_ms', from: new Date(Date.now() - 3_600_000).toISOString() })
      .set(t.admin)
      .expect(200);
    expect(res.body.series).toHaveLength(1);
    const [series] = res.body.series;
    expect(series).toMatchObject({ flag: 'etl.validate', variant: 'on', metric: 'step.duration_ms' });
    expect(series.points).toHaveLength(1);
    const point = series.points[0];
    const all = [...fast, ...slow].sort((a, b) => a - b);
    expect(point.start).toBe(window.minute);
    expect(point.count).toBe(100);
    expect(point.sum).toBe(all.reduce((a, b) => a + b, 0));
    expect(point.mean).toBeCloseTo(all.reduce((a, b) => a + b, 0) / 100, 10);
    expect(point.rate).toBeCloseTo(100 / 60, 10);
    expect(point.errors).toBe(4);
    expect(point.errorRate).toBeCloseTo(0.04, 10);
    for (const [q, name] of [
      [0.5, 'p50'],
      [0.95, 'p95'],
      [0.99, 'p99'],
    ] as const) {
      const exact = all[Math.ceil(q * 100) - 1]!;
      expect(Math.abs(point[name] - exact) / exact).toBeLessThanOrEqual(1 / 32);
    }
    expect(series.total.count).toBe(100);
  });

  it('records evaluation counts per flag, variant and reason, and the last evaluation per environment', async () => {
    const window = minuteAgo(2);
    const payload: EventsPayload = {
      sdk: 'test/1',
      batches: [
        {
          windowStart: window.windowStart,
          windowEnd: window.windowEnd,
          series: [],
          evaluations: [
            { flag: 'model.router', variant: 'v1', reason: 'SPLIT', count: 70 },
            { flag: 'model.router', variant: 'v2', reason: 'SPLIT', count: 30 },
            { flag: 'missing', variant: null, reason: 'ERROR', count: 1 },
          ],
        },
      ],
      dropped: 0,
    };
    await send(payload).expect(202);
    await send(payload).expect(202);
    await send(
      { ...payload, batches: [{ ...payload.batches[0]!, evaluations: [{ flag: 'model.router', variant: 'v1', reason: 'SPLIT', count: 5 }] }] },
      otherKey,
    ).expect(202);

    const counts = await t.http.get(`${base}/evaluations`).query({ flag: 'model.router' }).set(t.admin).expect(200);
    expect(counts.body.evaluations).toEqual([
      { flag: 'model.router', variant: 'v1', reason: 'SPLIT', count: 140 },
      { flag: 'model.router', variant: 'v2', reason: 'SPLIT', count: 60 },
    ]);
    // Per step, for a chart in one request: every step is present, counts land in the step of their minute.
    const from = new Date(Date.parse(window.minute) - 10 * 60_000);
    const to = new Date(Date.parse(window.minute) + 5 * 60_000);
    const stepped = await t.http.get(`${base}/evaluations`).query({ from: from.toISOString(), to: to.toISOString(), stepMinutes: 5 }).set(t.admin).expect(200);
    expect(stepped.body.steps.map((s: { start: string; end: string }) => [s.start, s.end])).toEqual(
      [0, 1, 2].map((i) => [new Date(from.getTime() + i * 300_000).toISOString(), new Date(from.getTime() + (i + 1) * 300_000).toISOString()]),
    );
    expect(stepped.body.steps[0].counts).toEqual([]);
    expect(stepped.body.steps[1].counts).toEqual([]);
    expect(stepped.body.steps[2].counts).toEqual([
      { flag: 'missing', variant: null, reason: 'ERROR', count: 2 },
      { flag: 'model.router', variant: 'v1', reason: 'SPLIT', count: 140 },
      { flag: 'model.router', variant: 'v2', reason: 'SPLIT', count: 60 },
    ]);
    expect(stepped.body.evaluations).toEqual(stepped.body.steps[2].counts);
    expect((await t.http.get(`${base}/evaluations`).query({ stepMinutes: 0 }).set(t.admin)).body.details).toEqual([
      expect.objectContaining({ field: 'stepMinutes' }),
    ]);

    const last = await t.http.get('/api/v1/projects/metrics/telemetry/last-evaluated').set(t.admin).expect(200);
    const router = last.body.flags.find((f: { flag: string }) => f.flag === 'model.router');
    expect(router.environments).toEqual({ development: window.windowEnd, production: window.windowEnd });
  });

  it('keeps shadow samples and serves the newest first', async () => {
    const window = minuteAgo(1);
    await send({
      sdk: 'test/1',
      batches: [
        {
          windowStart: window.windowStart,
          windowEnd: window.windowEnd,
          series: [],
          evaluations: [],
          samples: [
            {
              kind: 'shadow.disagreement',
              flag: 'model.shadow',
              variant: 'on',
              at: window.windowEnd,
              input: { text: 'meh' },
              primary: 'neutral',
              candidate: 'negative',
            },
          ],
        },
      ],
      dropped: 0,
    }).expect(202);
    const res = await t.http.get(`${base}/samples`).query({ flag: 'model.shadow' }).set(t.admin).expect(200);
    expect(res.body.samples).toEqual([
      {
        flag: 'model.shadow',
        variant: 'on',
        kind: 'shadow.disagreement',
        at: window.windowEnd,
        input: { text: 'meh' },
        primary: 'neutral',
        candidate: 'negative',
        sdk: 'test/1',
      },
    ]);
  });

  it('refuses malformed batches with 400 naming the fields', async () => {
    const window = minuteAgo(0);
    const bad = {
      sdk: 'test/1',
      batches: [
        {
          windowStart: window.windowStart,
          windowEnd: 'yesterday',
          series: [{ flag: null, variant: null, count: 1.5, sum: 1, sumSquares: 1, errors: 0, histogram: { scheme: 'log2-16', buckets: { '5000': 1 } } }],
          evaluations: [{ flag: 'f', variant: null, reason: 'STATIC' }],
        },
      ],
      dropped: -1,
    };
    const res = await send(bad).expect(400);
    const fields = (res.body.details as Array<{ field: string }>).map((d) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'dropped',
        'batches[0].windowEnd',
        'batches[0].series[0].metric',
        'batches[0].series[0].count',
        'batches[0].series[0].histogram.buckets',
        'batches[0].evaluations[0].count',
      ]),
    );

    const inconsistent = await send({
      sdk: 'test/1',
      batches: [
        {
          windowStart: window.windowEnd,
          windowEnd: window.windowStart,
          series: [
            { ...seriesOf(null, null, 'm', [1, 2]), errors: 3 },
            { ...seriesOf(null, null, 'n', [1, 2]), count: 3 },
          ],
          evaluations: [],
        },
      ],
      dropped: 0,
    }).expect(400);
    expect(inconsistent.body.details).toEqual([
      { field: 'batches[0].windowEnd', reason: 'must not be before windowStart' },
      { field: 'batches[0].series[0].errors', reason: 'must not exceed count' },
      { field: 'batches[0].series[1].histogram.buckets', reason: 'bucket counts add up to 2, not count (3)' },
    ]);
  });

  it('takes only SDK keys, and at most 1 MB', async () => {
    const payload = { sdk: 'test/1', batches: [], dropped: 0 };
    await t.http.post('/api/v1/sdk/events').send(payload).expect(401);
    await t.http.post('/api/v1/sdk/events').set(bearer('sdk-not-a-real-key')).send(payload).expect(401);
    await t.http.post('/api/v1/sdk/events').set(t.admin).send(payload).expect(403);
    const viewer = await aUser(t.http, t.admin, 'viewer');
    await t.http.post('/api/v1/sdk/events').set(bearer(viewer.token)).send(payload).expect(403);
    await t.http.get(`${base}/series`).set(bearer(sdkKey)).expect(403);
    const huge = { sdk: 'x'.repeat(1_100_000), batches: [], dropped: 0 };
    const res = await send(huge);
    expect(res.status).toBe(413);
  });

  it('receives what a real SDK aggregates and flushes: step durations per variant, route metrics, evaluations', async () => {
    await aBooleanFlag(t.http, t.admin, 'metrics', 'etl.transform');
    await t.http.patch('/api/v1/projects/metrics/flags/etl.transform/environments/development').set(t.admin).send({ version: 0, on: true }).expect(200);
    await aStringFlag(t.http, t.admin, 'metrics', 'model.sentiment', ['v1', 'v2']);
    await t.http
      .patch('/api/v1/projects/metrics/flags/model.sentiment/environments/development')
      .set(t.admin)
      .send({
        version: 0,
        on: true,
        defaultRule: {
          rollout: {
            bucketBy: 'runId',
            variants: [
              { variant: 'v1', weight: 50_000 },
              { variant: 'v2', weight: 50_000 },
            ],
          },
        },
      })
      .expect(200);

    const flags = createFlags({ url: t.url, sdkKey, logger: quiet, telemetry: { flushIntervalMs: 60_000 } });
    try {
      expect(await flags.waitForReady({ timeoutMs: 5000 })).toBe('ready');
      for (let i = 0; i < 40; i++) {
        const run = flags.pinRun(`run-${i}`);
        await run.step('etl.transform', {}, () => i);
        const model = run.route('model.sentiment', {}, { v1: () => 'pos', v2: () => 'neg' });
        await model.run();
        model.track('accuracy', model.variant === 'v1' ? 0.8 : 0.9);
      }
      await expect(flags.step('etl.transform', {}, () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
      await flags.flush();
      expect(flags.telemetry.stats).toMatchObject({ queuedBatches: 0, sentBatches: 1, droppedBatches: 0 });
    } finally {
      await flags.close();
    }

    const steps = await t.http
      .get(`${base}/series`)
      .query({ flag: 'etl.transform', metric: 'step.duration_ms', from: new Date(Date.now() - 600_000).toISOString() })
      .set(t.admin)
      .expect(200);
    expect(steps.body.series).toHaveLength(1);
    expect(steps.body.series[0]).toMatchObject({ variant: 'on', total: { count: 41, errors: 1 } });

    const accuracy = await t.http
      .get(`${base}/series`)
      .query({ flag: 'model.sentiment', metric: 'accuracy', from: new Date(Date.now() - 600_000).toISOString() })
      .set(t.admin)
      .expect(200);
    const byVariant = Object.fromEntries(accuracy.body.series.map((s: { variant: string; total: { count: number; mean: number } }) => [s.variant, s.total]));
    expect(byVariant.v1.count + byVariant.v2.count).toBe(40);
    expect(byVariant.v1.count).toBeGreaterThan(5);
    expect(byVariant.v1.mean).toBeCloseTo(0.8, 10);
    expect(byVariant.v2.mean).toBeCloseTo(0.9, 10);

    const evaluations = await t.http
      .get(`${base}/evaluations`)
      .query({ flag: 'model.sentiment', from: new Date(Date.now() - 600_000).toISOString() })
      .set(t.admin)
      .expect(200);
    expect(evaluations.body.evaluations.reduce((n: number, e: { count: number }) => n + e.count, 0)).toBe(40);
  });

  it('answers a 202 with its headers in one piece, and refuses a key rotated away at once (401), the admin token with 403', async () => {
    const project = await aProject(t.http, t.admin, 'ingest-rotation');
    const old = project.sdkKeys.development!;
    const window = minuteAgo(1);
    const payload: EventsPayload = {
      sdk: 'test/1',
      batches: [{ windowStart: window.windowStart, windowEnd: window.windowEnd, series: [seriesOf(null, null, 'page.load_ms', [12, 30], 0)], evaluations: [] }],
      dropped: 0,
    };
    // Used first, so anything that remembers recognised keys holds it.
    const accepted = await send(payload, old).set('X-Request-Id', 'ingest-rotation-1');
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ batches: 1, series: 1, evaluations: 0, samples: 0 });
    expect(accepted.headers).toMatchObject({
      'x-request-id': 'ingest-rotation-1',
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(accepted.text)),
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    });

    const rotated = await t.http.post('/api/v1/projects/ingest-rotation/environments/development/sdk-key').set(t.admin);
    expect(rotated.status).toBe(201);
    const refused = await send(payload, old);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ error: expect.any(String), message: expect.any(String), requestId: refused.headers['x-request-id'] });
    expect(refused.headers['x-content-type-options']).toBe('nosniff');
    expect((await send(payload, rotated.body.sdkKey as string)).status).toBe(202);

    const admin = await t.http.post('/api/v1/sdk/events').set(t.admin).send(payload);
    expect(admin.status).toBe(403);
    expect((await send(payload, 'sbk_not-a-key')).status).toBe(401);
  });
});
