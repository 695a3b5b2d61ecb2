import { describe, expect, it } from 'vitest';
import type { CatalogueMetric } from '../../api/metrics';
import { metricOptions, metricWarning } from './guardMetricChoices';

const reported = (metric: string, samples: number, carriesValues = true): CatalogueMetric => ({
  metric,
  samples,
  errors: 2,
  carriesValues,
  lastSeen: '2026-12-04T09:00:00.000Z',
});
const CATALOGUE = [reported('converted', 900, false), reported('step.duration_ms', 400), reported('old.ms', 0)];

describe('guard metric choices', () => {
  it('offer latency metrics that carry values before 0/1 ones, then by samples', () => {
    expect(metricOptions(CATALOGUE, 'latencyMetric').map((o) => o.metric)).toEqual(['step.duration_ms', 'old.ms', 'converted']);
    expect(metricOptions(CATALOGUE, 'errorMetric').map((o) => o.metric)).toEqual(['converted', 'step.duration_ms', 'old.ms']);
  });

  it('label each name with what was reported of it', () => {
    const labels = Object.fromEntries(metricOptions(CATALOGUE, 'errorMetric').map((o) => [o.metric, o.label]));
    expect(labels).toEqual({
      converted: '900 samples, 2 errors recently (0/1 values)',
      'step.duration_ms': '400 samples, 2 errors recently',
      'old.ms': 'no samples recently (last seen 2026-12-04T09:00:00.000Z)',
    });
  });

  it('warn about a name nothing reported, or nothing reported lately, and not before the catalogue is known', () => {
    expect(metricWarning('model.latency_ms', CATALOGUE, 60)).toBe('no data reported for this metric yet');
    expect(metricWarning(' old.ms ', CATALOGUE, 60)).toBe('no data reported for this metric in the last 60 minutes');
    expect(metricWarning('step.duration_ms', CATALOGUE, 60)).toBeNull();
    expect(metricWarning('model.latency_ms', undefined, 60)).toBeNull();
    expect(metricWarning('  ', CATALOGUE, 60)).toBeNull();
  });
});
