import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../src/client/logger.js';
import { createFlags, SignalboxStaleConfigError, type SignalboxFlags } from '../src/pipeline/index.js';
import type { SeriesRecord } from '../src/telemetry/wire.js';
import { aFlag, anEnvironment, split } from './builders.js';
import { eventually, ProtocolHarness } from './protocol-harness.js';

const silent: Logger = { warn: () => undefined, error: () => undefined, debug: () => undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const environment = () =>
  anEnvironment([
    aFlag('etl.validate').build(),
    aFlag('etl.notify').with({ on: false }).build(),
    aFlag('model.sentiment')
      .withKind('string', { v1: 'model-v1', v2: 'model-v2' })
      .with({ offVariant: 'v1', defaultRule: split({ v1: 50_000, v2: 50_000 }, 'runId') })
      .build(),
    aFlag('model.shadow').build(),
    aFlag('etl.transform-v2').build(),
  ]);

describe('pipeline helpers', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((o) => o.close()));
  });

  /** Flags over a bootstrap config, no server: aggregates stay readable with `telemetry.drain()`. */
  const offline = (): SignalboxFlags => {
    const flags = createFlags({ url: 'http://127.0.0.1:9', sdkKey: 'key', transport: 'none', bootstrap: environment(), logger: silent });
    open.push(flags);
    return flags;
  };
  const online = async (): Promise<{ flags: SignalboxFlags; harness: ProtocolHarness }> => {
    const harness = await ProtocolHarness.start(environment());
    const flags = createFlags({ url: harness.url, sdkKey: 'good-key', logger: silent, telemetry: { send: false } });
    open.push(harness, flags);
    await flags.waitForReady({ timeoutMs: 5_000 });
    return { flags, harness };
  };
  const seriesOf = (flags: SignalboxFlags): SeriesRecord[] => flags.telemetry.drain().flatMap((b) => b.series);

  describe('step', () => {
    it('runs the step when the flag is on and records its duration for the served variant', async () => {
      const flags = offline();
      expect(await flags.step('etl.validate', { runId: 'r1' }, async () => (await sleep(20), 'validated'))).toBe('validated');
      const [series] = seriesOf(flags);
      expect(series).toMatchObject({ flag: 'etl.validate', variant: 'on', metric: 'step.duration_ms', count: 1, errors: 0 });
      expect(series!.sum).toBeGreaterThanOrEqual(15);
    });

    it('runs the fallback when the flag is off, recorded under the off variant, and skips without one', async () => {
      const flags = offline();
      expect(await flags.step('etl.notify', {}, () => 'sent', { fallback: () => 'logged' })).toBe('logged');
      expect(await flags.step('etl.notify', {}, () => 'sent')).toBeUndefined();
      expect(seriesOf(flags)).toEqual([expect.objectContaining({ flag: 'etl.notify', variant: 'off', count: 1 })]);
      expect(flags.telemetry.drain()).toEqual([]);
    });

    it('records a failure and rethrows the step error', async () => {
      const flags = offline();
      await expect(flags.step('etl.validate', {}, () => Promise.reject(new Error('bad rows')))).rejects.toThrow('bad rows');
      await expect(
        flags.step('etl.validate', {}, () => {
          throw new Error('sync failure');
        }),
      ).rejects.toThrow('sync failure');
      expect(seriesOf(flags)[0]).toMatchObject({ count: 2, errors: 2 });
    });

    it('counts every evaluation per flag, variant and reason, through the helpers and the client alike', () => {
      const flags = offline();
      flags.boolean('etl.validate', {}, false);
      flags.client.boolean('etl.validate', {}, false);
      flags.boolean('nope', {}, false);
      expect(flags.telemetry.drain()[0]!.evaluations).toEqual([
        { flag: 'etl.validate', variant: 'on', reason: 'STATIC', count: 2 },
        { flag: 'nope', variant: null, reason: 'ERROR', count: 1 },
      ]);
    });
  });

  describe('route', () => {
    it('runs the served model and attributes latency and outcome metrics to its variant', async () => {
      const flags = offline();
      const served = new Map<string, number>();
      for (let i = 0; i < 200; i++) {
        const model = flags.route('model.sentiment', { runId: `run-${i}` }, { v1: (text: string) => `v1:${text}`, v2: (text: string) => `v2:${text}` });
        expect(await model.run('hi')).toBe(`${model.variant}:hi`);
        model.track('accuracy', model.variant === 'v1' ? 1 : 0);
        served.set(model.variant, (served.get(model.variant) ?? 0) + 1);
      }
      expect(served.get('v1')! + served.get('v2')!).toBe(200);
      const series = seriesOf(flags);
      const accuracy = (variant: string) => series.find((s) => s.metric === 'accuracy' && s.variant === variant)!;
      expect(accuracy('v1')).toMatchObject({ count: served.get('v1'), sum: served.get('v1') });
      expect(accuracy('v2')).toMatchObject({ count: served.get('v2'), sum: 0 });
      expect(series.filter((s) => s.metric === 'model.latency_ms').reduce((n, s) => n + s.count, 0)).toBe(200);
    });

    it('falls back to the given route when the served variant has none', () => {
      const flags = offline();
      const model = flags.route('missing.flag', {}, { v1: () => 1, v2: () => 2 }, { fallback: 'v2' });
      expect(model).toMatchObject({ variant: 'v2', servedVariant: undefined, reason: 'ERROR' });
    });

    it('attributes tracked values to the variant a flag serves a context', () => {
      const flags = offline();
      const variant = flags.details('model.sentiment', { runId: 'run-7' }, 'none').variant;
      flags.track('conversion', 1, { runId: 'run-7' }, { flag: 'model.sentiment' });
      flags.track('rows', 10);
      const series = seriesOf(flags);
      expect(series).toContainEqual(expect.objectContaining({ flag: 'model.sentiment', variant, metric: 'conversion', count: 1 }));
      expect(series).toContainEqual(expect.objectContaining({ flag: null, variant: null, metric: 'rows', sum: 10 }));
    });
  });

  describe('shadow', () => {
    it('serves the primary, and records agreement and both latencies', async () => {
      const flags = offline();
      for (let i = 0; i < 10; i++) {
        const label = await flags.shadow('model.shadow', {}, { primary: (n: number) => n % 3, candidate: (n: number) => (n < 8 ? n % 3 : -1) }, i);
        expect(label).toBe(i % 3);
      }
      await flags.close();
      const [batch] = flags.telemetry.drain();
      const metric = (name: string) => batch!.series.find((s) => s.metric === name)!;
      expect(metric('shadow.agreement')).toMatchObject({ count: 10, sum: 8 });
      expect(metric('shadow.primary_ms')).toMatchObject({ count: 10, errors: 0 });
      expect(metric('shadow.candidate_ms')).toMatchObject({ count: 10, errors: 0 });
      expect(batch!.samples).toHaveLength(2);
      expect(batch!.samples![0]).toMatchObject({ kind: 'shadow.disagreement', flag: 'model.shadow', variant: 'on', candidate: -1 });
    });

    it('never delays the primary beyond itself, and gives up on a slow candidate after its budget', async () => {
      const flags = offline();
      const started = performance.now();
      const label = await flags.shadow('model.shadow', {}, { primary: () => 'fast', candidate: () => sleep(2_000).then(() => 'slow'), budgetMs: 100 });
      expect(label).toBe('fast');
      expect(performance.now() - started).toBeLessThan(50);
      const busy = await flags.shadow(
        'model.shadow',
        {},
        {
          primary: () => 'also fast',
          candidate: () => {
            const until = Date.now() + 150;
            while (Date.now() < until);
            return 'blocking';
          },
        },
      );
      expect(busy).toBe('also fast');
      await flags.close();
      const series = seriesOf(flags);
      expect(series.find((s) => s.metric === 'shadow.candidate_errors')).toMatchObject({ count: 1 });
      expect(series.find((s) => s.metric === 'shadow.candidate_ms')).toMatchObject({ count: 2, errors: 1 });
    });

    it('never throws the candidate error or a failing compare into the caller', async () => {
      const flags = offline();
      await expect(flags.shadow('model.shadow', {}, { primary: () => 1, candidate: () => Promise.reject(new Error('candidate broke')) })).resolves.toBe(1);
      await expect(
        flags.shadow(
          'model.shadow',
          {},
          {
            primary: () => 1,
            candidate: () => 1,
            compare: () => {
              throw new Error('compare broke');
            },
          },
        ),
      ).resolves.toBe(1);
      await flags.close();
      const [batch] = flags.telemetry.drain();
      expect(batch!.series.find((s) => s.metric === 'shadow.candidate_errors')).toMatchObject({ count: 2 });
      expect(batch!.samples!.map((s) => s.error)).toEqual(expect.arrayContaining(['candidate broke', 'compare threw: compare broke']));
    });

    it('runs only the primary when the flag is off or the call is not sampled', async () => {
      const flags = offline();
      let candidates = 0;
      await flags.shadow('etl.notify', {}, { primary: () => 1, candidate: () => candidates++ });
      await flags.shadow('model.shadow', {}, { primary: () => 1, candidate: () => candidates++, sampleRate: 0 });
      await flags.close();
      expect(candidates).toBe(0);
    });
  });

  describe('pinned runs', () => {
    it('keeps serving the pinned config after a change, while a new run sees the change', async () => {
      const { flags, harness } = await online();
      const run = flags.pinRun('run-1');
      expect(run.boolean('etl.transform-v2', {}, false)).toBe(true);
      harness.publishFlag('etl.transform-v2', aFlag('etl.transform-v2').with({ on: false, version: 2 }).build());
      await eventually(() => flags.boolean('etl.transform-v2', {}, true) === false);
      expect(run.boolean('etl.transform-v2', {}, false)).toBe(true);
      expect(await run.step('etl.transform-v2', {}, () => 'v2', { fallback: () => 'v1' })).toBe('v2');
      expect(flags.pinRun('run-2').boolean('etl.transform-v2', {}, true)).toBe(false);
    });

    it('lets a kill pierce the snapshot, also through a prerequisite', async () => {
      const { flags, harness } = await online();
      harness.publishFlag('etl.load', aFlag('etl.load').withPrerequisite('etl.validate', 'on').build());
      await eventually(() => flags.boolean('etl.load', {}, false));
      const run = flags.pinRun('run-1');
      harness.publishFlag('etl.validate', aFlag('etl.validate').with({ killed: true, version: 2 }).build());
      await eventually(() => flags.details('etl.validate', {}, false).reason === 'KILLED');
      expect(run.details('etl.validate', {}, true)).toMatchObject({ value: false, reason: 'KILLED' });
      expect(run.details('etl.load', {}, true)).toMatchObject({ value: false, reason: 'PREREQUISITE_FAILED' });
      expect(await run.step('etl.validate', {}, () => 'ran')).toBeUndefined();
    });

    it('adds the run id to contexts, so rollouts by runId split runs, not steps', () => {
      const flags = offline();
      const run = flags.pinRun('run-42');
      const variant = flags.details('model.sentiment', { runId: 'run-42' }, 'x').variant;
      for (let i = 0; i < 5; i++) expect(run.details('model.sentiment', { step: i }, 'x').variant).toBe(variant);
    });
  });

  describe('fail closed', () => {
    it('throws a SignalboxStaleConfigError after waiting when the config was never confirmed', async () => {
      const flags = offline();
      let ran = false;
      const started = Date.now();
      const error = await flags.step('etl.validate', {}, () => (ran = true), { requireFresh: { maxAgeMs: 10_000, waitMs: 150 } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SignalboxStaleConfigError);
      expect((error as SignalboxStaleConfigError).message).toMatch(/not confirmed by the server .* refusing to run "etl.validate"/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      expect(ran).toBe(false);
    });

    it('waits for a fresh config and then runs', async () => {
      const harness = await ProtocolHarness.start(environment());
      const flags = createFlags({ url: harness.url, sdkKey: 'good-key', logger: silent, telemetry: { send: false } });
      open.push(harness, flags);
      expect(flags.configAgeMs).toBe(Infinity);
      expect(await flags.step('etl.validate', {}, () => 'ran', { requireFresh: { maxAgeMs: 1_000, waitMs: 5_000 } })).toBe('ran');
      await expect(flags.requireFresh({ maxAgeMs: 0 })).resolves.toBeUndefined();
    });

    it('fails once the connection is gone for longer than allowed', async () => {
      const { flags, harness } = await online();
      await harness.close();
      await eventually(() => flags.status === 'offline');
      await sleep(60);
      await expect(flags.requireFresh({ maxAgeMs: 50, waitMs: 50 })).rejects.toBeInstanceOf(SignalboxStaleConfigError);
    });
  });
});
