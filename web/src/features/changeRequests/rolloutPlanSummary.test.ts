import { describe, expect, it } from 'vitest';
import { rolloutPlanSummary } from './rolloutPlanSummary';

describe('rolloutPlanSummary', () => {
  it('states the stages and guards the plan sets', () => {
    const summary = rolloutPlanSummary({
      candidateVariant: 'on',
      controlVariant: 'off',
      bucketBy: 'accountId',
      stages: [
        { percent: 5, minDurationMinutes: 60, minSamples: 100 },
        { percent: 100, minDurationMinutes: 0, minSamples: 0 },
      ],
      guards: {
        errorMetric: 'etl.errors',
        maxErrorRateRatio: 3,
        errorRateAllowance: 0.01,
        latencyMetric: 'model.latency_ms',
        maxLatencyRatio: 1.2,
        minSamples: 200,
        bounds: [{ metric: 'model.latency_ms', stat: 'p99', max: 900 }],
      },
    });
    expect(summary.headline).toBe('Roll out on in place of off, bucketed by accountId.');
    expect(summary.stages).toEqual(['5% for at least 1 h and 100 samples', '100%']);
    expect(summary.guards).toEqual([
      'Error rate of etl.errors at most 3 × control + 0.01',
      'p95 of model.latency_ms at most 1.2 × control',
      'p99 of model.latency_ms at most 900',
      'Judged after 200 samples of candidate and control; a failing guard rolls back to off',
    ]);
  });

  it('says what a plan left to the defaults gets', () => {
    const summary = rolloutPlanSummary({ candidateVariant: 'on', controlVariant: 'off' });
    expect(summary.headline).toContain('bucketed by targetingKey');
    expect(summary.stages).toEqual(['the default stages: 1%, 5%, 10%, 25%, 50%, 100%']);
    expect(summary.guards[0]).toBe('Error rate (metric chosen by the server) at most 2 × control + 0.005');
  });
});
