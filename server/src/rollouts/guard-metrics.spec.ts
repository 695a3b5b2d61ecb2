import { describe, expect, it } from 'vitest';
import type { ReportedMetric } from '../telemetry/telemetry.service.js';
import { chooseGuardMetrics, fallbackFor, guardMetricNotes } from './guard-metrics.js';

const reported = (metric: string, samples: number, carriesValues = true, minutesAgo = 1): ReportedMetric => ({
  metric,
  samples,
  errors: 0,
  carriesValues,
  lastSeen: new Date(Date.UTC(2026, 11, 4, 12, 0) - minutesAgo * 60_000),
});

describe('guard metrics chosen for a flag', () => {
  it("watch a pipeline step's duration when the flag reports only step metrics", () => {
    expect(chooseGuardMetrics({}, [reported('step.duration_ms', 40)], fallbackFor('boolean'))).toEqual({
      errorMetric: 'step.duration_ms',
      latencyMetric: 'step.duration_ms',
      metricSource: { errorMetric: 'reported', latencyMetric: 'reported' },
    });
  });

  it("prefer the helpers' per-call metric over tracked metrics with more observations", () => {
    const choice = chooseGuardMetrics(
      {},
      [reported('accuracy', 900), reported('model.latency_ms', 300), reported('converted', 1000, false)],
      fallbackFor('string'),
    );
    expect(choice).toMatchObject({ errorMetric: 'model.latency_ms', latencyMetric: 'model.latency_ms' });
  });

  it('rank other metrics by observations, then by how recently they were seen, then by name', () => {
    expect(chooseGuardMetrics({}, [reported('b.ms', 10), reported('a.ms', 20)], fallbackFor('string')).errorMetric).toBe('a.ms');
    expect(chooseGuardMetrics({}, [reported('b.ms', 0, true, 5), reported('a.ms', 0, true, 50)], fallbackFor('string')).errorMetric).toBe('b.ms');
    expect(chooseGuardMetrics({}, [reported('b.ms', 5), reported('a.ms', 5)], fallbackFor('string')).errorMetric).toBe('a.ms');
  });

  it('never guard latency on a 0/1 metric: fall back to the default duration name instead', () => {
    expect(chooseGuardMetrics({}, [reported('converted', 500, false)], fallbackFor('string'))).toEqual({
      errorMetric: 'converted',
      latencyMetric: 'model.latency_ms',
      metricSource: { errorMetric: 'reported', latencyMetric: 'fallback' },
    });
  });

  it('fall back by flag kind when the flag reported nothing', () => {
    expect(chooseGuardMetrics({}, [], fallbackFor('boolean'))).toMatchObject({
      errorMetric: 'step.duration_ms',
      metricSource: { errorMetric: 'fallback', latencyMetric: 'fallback' },
    });
    expect(chooseGuardMetrics({}, [], fallbackFor('string'))).toMatchObject({ errorMetric: 'model.latency_ms', latencyMetric: 'model.latency_ms' });
  });

  it('keep the metrics a request names, and choose latency with the named error metric first', () => {
    const named = chooseGuardMetrics({ errorMetric: 'rows.ms', latencyMetric: 'inference_ms' }, [reported('step.duration_ms', 900)], fallbackFor('boolean'));
    expect(named).toEqual({ errorMetric: 'rows.ms', latencyMetric: 'inference_ms', metricSource: { errorMetric: 'request', latencyMetric: 'request' } });
    const half = chooseGuardMetrics({ errorMetric: 'rows.ms' }, [reported('step.duration_ms', 900), reported('rows.ms', 10)], fallbackFor('boolean'));
    expect(half).toMatchObject({ latencyMetric: 'rows.ms', metricSource: { errorMetric: 'request', latencyMetric: 'reported' } });
  });
});

describe('guard metric notes', () => {
  const guards = { errorMetric: 'step.duration_ms', latencyMetric: 'step.duration_ms', minSamples: 50, baselineMinutes: 60 };

  it('say plainly what a plan waits for when its metric has no data', () => {
    const [error, latency] = guardMetricNotes({ ...guards, metricSource: { errorMetric: 'fallback', latencyMetric: 'fallback' } }, [], 'off');
    expect(error).toMatchObject({ guard: 'errorMetric', chosenBy: 'fallback', samples: 0, lastSeen: null });
    expect(error!.why).toContain('step() records it');
    expect(error!.warning).toBe(
      "No data reported for step.duration_ms under this flag yet: the plan waits for 50 observations of it from control 'off' in 60 minutes before its first stage.",
    );
    expect(latency!.warning).toContain('the latency guard cannot judge until both variants report it');
  });

  it('warn about a metric seen before but silent in the baseline window, and not about one with data', () => {
    const [stale] = guardMetricNotes(guards, [reported('step.duration_ms', 0, true, 300)]);
    expect(stale!.warning).toMatch(/^No data for step\.duration_ms in the last 60 minutes \(last seen 2026-12-04T07:00:00\.000Z\)/);
    expect(stale!.chosenBy).toBe('request');
    const [fresh] = guardMetricNotes(guards, [reported('step.duration_ms', 80)]);
    expect(fresh).toMatchObject({ samples: 80, warning: null });
  });
});
