import { describe, expect, it } from 'vitest';
import { judgeShadow, type ShadowFigures } from './shadow-report.js';

const healthy: ShadowFigures = {
  samples: 1_000,
  comparisons: 990,
  agreementRate: 0.85,
  primaryErrorRate: 0.01,
  candidateErrorRate: 0.015,
  primaryP95: 100,
  candidateP95: 150,
};

describe('shadow report verdict', () => {
  it('promotes to canary at exactly the thresholds: 1,000 samples, 85% agreement, 1.5× p95', () => {
    expect(judgeShadow(healthy).recommendation).toBe('promote-to-canary');
  });

  it.each([
    [{ samples: 999 }, 'collect-more-samples'],
    [{ candidateErrorRate: 0.05 }, 'fix-errors'],
    [{ agreementRate: 0.849 }, 'investigate-disagreements'],
    [{ agreementRate: null, comparisons: 0 }, 'investigate-disagreements'],
    [{ candidateP95: 151 }, 'optimise-latency'],
    [{ samples: 10, agreementRate: 0.2, candidateP95: 900 }, 'collect-more-samples'],
    [{ candidateErrorRate: 0.5, agreementRate: 0.2 }, 'fix-errors'],
  ] as const)('with %j says %s', (change, expected) => {
    const result = judgeShadow({ ...healthy, ...change });
    expect(result.recommendation).toBe(expected);
    expect(result.checks.filter((c) => !c.passed).length).toBeGreaterThan(0);
  });

  it('holds a candidate to at most twice the primary error rate when the primary rarely fails', () => {
    expect(judgeShadow({ ...healthy, primaryErrorRate: 0, candidateErrorRate: 0.01 }).recommendation).toBe('promote-to-canary');
    expect(judgeShadow({ ...healthy, primaryErrorRate: 0, candidateErrorRate: 0.011 }).recommendation).toBe('fix-errors');
    expect(judgeShadow({ ...healthy, primaryErrorRate: 0.02, candidateErrorRate: 0.031 }).recommendation).toBe('fix-errors');
  });
});
