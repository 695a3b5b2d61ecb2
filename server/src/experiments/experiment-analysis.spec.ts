import { describe, expect, it } from 'vitest';
import { analyse, type AnalysisSettings } from './experiment-analysis.js';

const rate = (successes: number, n: number) => ({ n, sum: successes, sumSquares: successes });
/** n values with this mean and sample sd (sumSquares reconstructed). */
const mean = (n: number, m: number, sd: number) => ({ n, sum: n * m, sumSquares: (n - 1) * sd * sd + n * m * m });

const settings: AnalysisSettings = {
  controlVariant: 'v1',
  treatmentVariants: ['v2'],
  primaryMetric: { name: 'converted', type: 'rate', better: 'increase' },
  guardrailMetrics: [{ name: 'latency', type: 'mean', better: 'decrease' }],
  alpha: 0.05,
  power: 0.8,
  minimumDetectableEffect: 0.05,
  baselineRate: 0.2,
  assumedStdDev: null,
  analysis: 'fixed-horizon',
};
const shares = { v1: 50_000, v2: 50_000 };

describe('experiment recommendation', () => {
  it('keeps collecting below the required sample size, even with a large observed effect', () => {
    const result = analyse(settings, { converted: { v1: rate(20, 100), v2: rate(40, 100) } }, shares);
    expect(result.requiredSampleSize).toBe(1094);
    expect(result.recommendation).toBe('keep-collecting');
  });

  it('promotes a significantly better treatment that harms no guardrail', () => {
    const result = analyse(
      settings,
      { converted: { v1: rate(400, 2000), v2: rate(520, 2000) }, latency: { v1: mean(2000, 100, 20), v2: mean(2000, 100.5, 20) } },
      shares,
    );
    expect(result).toMatchObject({ recommendation: 'promote', winner: 'v2' });
    expect(result.treatments[0]!.guardrails[0]!.harmed).toBe(false);
  });

  it('keeps control when the better treatment significantly harms a guardrail', () => {
    const result = analyse(
      settings,
      { converted: { v1: rate(400, 2000), v2: rate(520, 2000) }, latency: { v1: mean(2000, 100, 20), v2: mean(2000, 110, 20) } },
      shares,
    );
    expect(result.recommendation).toBe('keep-control');
    expect(result.treatments[0]!.explanation).toContain('harms latency');
  });

  it('keeps control when the treatment is significantly worse, and respects "decrease is better"', () => {
    expect(analyse(settings, { converted: { v1: rate(520, 2000), v2: rate(400, 2000) } }, shares).recommendation).toBe('keep-control');
    const latencyFirst: AnalysisSettings = {
      ...settings,
      primaryMetric: { name: 'latency', type: 'mean', better: 'decrease' },
      guardrailMetrics: [],
      minimumDetectableEffect: 2,
    };
    expect(analyse(latencyFirst, { latency: { v1: mean(2000, 100, 20), v2: mean(2000, 95, 20) } }, shares)).toMatchObject({
      recommendation: 'promote',
      winner: 'v2',
    });
  });

  it('keeps control, not "no difference", when the primary metric ties but a guardrail is significantly harmed', () => {
    const result = analyse(
      settings,
      { converted: { v1: rate(400, 2000), v2: rate(410, 2000) }, latency: { v1: mean(2000, 100, 20), v2: mean(2000, 110, 20) } },
      shares,
    );
    expect(result.recommendation).toBe('keep-control');
    expect(result.treatments[0]!.recommendation).toBe('keep-control');
    expect(result.treatments[0]!.explanation).toMatch(/^No significant difference on converted .* and v2 significantly harms latency\.$/);
  });

  it('says a guardrail is already harmed while it keeps collecting', () => {
    const result = analyse(
      settings,
      { converted: { v1: rate(20, 100), v2: rate(21, 100) }, latency: { v1: mean(100, 100, 5), v2: mean(100, 130, 5) } },
      shares,
    );
    expect(result.treatments[0]!.recommendation).toBe('keep-collecting');
    expect(result.treatments[0]!.explanation).toContain('It already significantly harms latency.');
  });

  it('answers no difference at the sample size when not significant', () => {
    expect(analyse(settings, { converted: { v1: rate(400, 2000), v2: rate(410, 2000) } }, shares)).toMatchObject({
      recommendation: 'no-difference',
      winner: null,
    });
  });

  it('estimates the standard deviation from the data when none is assumed, and splits alpha over treatments', () => {
    const multi: AnalysisSettings = {
      ...settings,
      treatmentVariants: ['v2', 'v3'],
      primaryMetric: { name: 'score', type: 'mean', better: 'increase' },
      guardrailMetrics: [],
      minimumDetectableEffect: 1,
    };
    const result = analyse(multi, { score: { v1: mean(1000, 10, 5), v2: mean(1000, 10, 5), v3: mean(1000, 11, 5) } }, { v1: 1, v2: 1, v3: 1 });
    // Sized at 0.025, the level each of the two treatments is tested at (statsmodels' TTestIndPower: 476.51 → 477).
    // At 0.05 it would be 394, where a comparison at 0.025 has power 0.71 instead of 0.8.
    expect(result.requiredSampleSize).toBe(477);
    expect(result.comparisonAlpha).toBeCloseTo(0.025, 10);
    expect(result).toMatchObject({ recommendation: 'promote', winner: 'v3' });
  });

  it('warns of a sample ratio mismatch against the rollout weights', () => {
    const result = analyse(settings, { converted: { v1: rate(520, 5200), v2: rate(480, 4800) } }, shares);
    expect(result.sampleRatio!.mismatch).toBe(true);
    expect(result.warnings[0]).toContain('Sample ratio mismatch');
    expect(analyse(settings, { converted: { v1: rate(900, 9000), v2: rate(100, 1000) } }, { v1: 90_000, v2: 10_000 }).sampleRatio!.mismatch).toBe(false);
  });

  it('does not promote when the split is a sample ratio mismatch, and says why', () => {
    // 55/45 on a 50/50 rollout, with a treatment that would otherwise win clearly.
    const result = analyse(settings, { converted: { v1: rate(1100, 5500), v2: rate(1080, 4500) } }, shares);
    expect(result.sampleRatio!.mismatch).toBe(true);
    expect(result.recommendation).not.toBe('promote');
    expect(result.winner).toBeNull();
    expect(result.treatments[0]!.explanation).toMatch(/Not promoted: the traffic split is 55\.0%\/45\.0% where the rollout promises 50\.0%\/50\.0%/);
  });

  it('reads all-or-nothing conversions in both arms as what they are', () => {
    const all = analyse({ ...settings, baselineRate: null }, { converted: { v1: rate(20_000, 20_000), v2: rate(20_000, 20_000) } }, shares);
    expect(all.treatments[0]!.recommendation).toBe('no-difference');
    expect(all.treatments[0]!.explanation).toMatch(/Every observation of both v1 and v2 is a conversion \(100%\)/);
    expect(all.treatments[0]!.explanation).not.toMatch(/of \d+ observations/);
    const none = analyse({ ...settings, baselineRate: null }, { converted: { v1: rate(0, 20_000), v2: rate(0, 20_000) } }, shares);
    expect(none.treatments[0]!.explanation).toMatch(/a non-conversion \(0%\)/);
  });

  it('says why there is no sample size instead of computing one for an impossible rate', () => {
    const result = analyse(
      { ...settings, baselineRate: null, minimumDetectableEffect: 0.6 },
      { converted: { v1: rate(500, 1000), v2: rate(520, 1000) } },
      shares,
    );
    expect(result.requiredSampleSize).toBeNull();
    expect(result.warnings.join(' ')).toMatch(/leaves \[0, 1\] both ways/);
    expect(result.treatments[0]!.recommendation).toBe('keep-collecting');
    expect(result.treatments[0]!.explanation).toMatch(/No sample size/);
  });

  it('refuses a verdict on two observations for an enormous effect on a mean', () => {
    const huge: AnalysisSettings = {
      ...settings,
      primaryMetric: { name: 'score', type: 'mean', better: 'increase' },
      guardrailMetrics: [],
      minimumDetectableEffect: 1e300,
    };
    const result = analyse(huge, { score: { v1: mean(2, 10, 1), v2: mean(2, 30, 1) } }, shares);
    expect(result.requiredSampleSize).toBeNull();
    expect(result.recommendation).toBe('keep-collecting');
  });

  it('labels each interval with its method', () => {
    const result = analyse(settings, { converted: { v1: rate(400, 2000), v2: rate(520, 2000) } }, shares);
    expect(result.variants.map((v) => v.intervalMethod)).toEqual(['wilson', 'wilson']);
    expect(result.treatments[0]!.comparison!.absoluteIntervalMethod).toBe('newcombe');
  });

  it('decides by the sequential figures before the sample size when the evidence is clear, and keeps both sets of figures', () => {
    const sequential: AnalysisSettings = { ...settings, analysis: 'sequential', guardrailMetrics: [] };
    // 60 of 300 against 120 of 300: far below the 1,094 per variant a fixed horizon needs.
    const clear = analyse(sequential, { converted: { v1: rate(60, 300), v2: rate(120, 300) } }, shares);
    expect(clear.requiredSampleSize).toBe(1094);
    expect(clear).toMatchObject({ decidedBy: 'sequential', recommendation: 'promote', winner: 'v2' });
    const c = clear.treatments[0]!.comparison!;
    expect(c.test).toBe('pooled-z');
    expect(c.sequential).toMatchObject({ method: 'msprt', intervalMethod: 'confidence-sequence', mixingStdDev: 0.05, significant: true });
    // The always-valid p-value is larger than the fixed-horizon one, and its interval wider.
    expect(c.sequential!.pValue).toBeGreaterThan(c.pValue);
    expect(c.sequential!.interval.upper - c.sequential!.interval.lower).toBeGreaterThan(c.absoluteInterval.upper - c.absoluteInterval.lower);
    expect(clear.treatments[0]!.explanation).toMatch(/always-valid p = /);
    // The same data under fixed-horizon rules waits for the sample size.
    expect(analyse({ ...sequential, analysis: 'fixed-horizon' }, { converted: { v1: rate(60, 300), v2: rate(120, 300) } }, shares).recommendation).toBe(
      'keep-collecting',
    );
    // An unclear difference keeps collecting, and says the sequential test is not conclusive yet.
    const unclear = analyse(sequential, { converted: { v1: rate(60, 300), v2: rate(66, 300) } }, shares);
    expect(unclear.recommendation).toBe('keep-collecting');
    expect(unclear.treatments[0]!.explanation).toMatch(/Not conclusive yet \(always-valid p = /);
    // Too few observations for the normal approximation: no verdict however large the difference.
    expect(analyse(sequential, { converted: { v1: rate(0, 20), v2: rate(20, 20) } }, shares).recommendation).toBe('keep-collecting');
  });
});
