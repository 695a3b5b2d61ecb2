import { describe, expect, it } from 'vitest';
import { analyse, type AnalysisSettings } from './experiment-analysis.js';
import { cupedCompare, type PairedAggregate } from './paired-statistics.js';
import { analyseSegments, MAX_SEGMENTS, SEGMENT_REST } from './segment-analysis.js';

const settings: AnalysisSettings = {
  controlVariant: 'v1',
  treatmentVariants: ['v2'],
  primaryMetric: { name: 'score', type: 'mean', better: 'increase' },
  guardrailMetrics: [],
  alpha: 0.05,
  power: 0.8,
  minimumDetectableEffect: 1,
  baselineRate: null,
  assumedStdDev: null,
  analysis: 'fixed-horizon',
  cuped: true,
};
const shares = { v1: 50_000, v2: 50_000 };

/** The six sums of pairs (y, x) = (x + shift + small noise, x) for x spread widely: a covariate that explains most of y. */
const pairs = (n: number, shift: number, seed: number): PairedAggregate => {
  const a: PairedAggregate = { n: 0, sumY: 0, sumYY: 0, sumX: 0, sumXX: 0, sumXY: 0 };
  for (let i = 0; i < n; i++) {
    const x = 50 + 10 * Math.sin(i * 12.9898 + seed);
    const y = x + shift + Math.cos(i * 78.233 + seed);
    a.n += 1;
    a.sumY += y;
    a.sumYY += y * y;
    a.sumX += x;
    a.sumXX += x * x;
    a.sumXY += x * y;
  }
  return a;
};
const asMean = (p: PairedAggregate) => ({ n: p.n, sum: p.sumY, sumSquares: p.sumYY });

describe('CUPED in the analysis', () => {
  it('decides on the adjusted figures when every observation has a covariate, and sizes the sample by what is left', () => {
    const c = pairs(400, 0, 1);
    const t = pairs(400, 0.5, 2);
    const result = analyse(settings, { score: { v1: asMean(c), v2: asMean(t) } }, shares, { cuped: { v1: c, v2: t } });
    const [treatment] = result.treatments;
    expect(treatment!.decidedOn).toBe('cuped');
    expect(treatment!.adjusted!.varianceReduction).toBeGreaterThan(0.9);
    expect(treatment!.comparison!.test).toBe('welch-t');
    expect(result.sampleSizeBasis).toBe('cuped');
    const unadjusted = analyse({ ...settings, cuped: false }, { score: { v1: asMean(c), v2: asMean(t) } }, shares);
    expect(result.requiredSampleSize!).toBeLessThan(unadjusted.requiredSampleSize! / 5);
    expect(unadjusted.treatments[0]!.adjusted).toBeNull();
  });

  it('lets the unadjusted figures decide, and says why, when only some observations carry a covariate', () => {
    const c = pairs(400, 0, 1);
    const t = pairs(400, 0.5, 2);
    const result = analyse(
      settings,
      { score: { v1: { ...asMean(c), n: 500, sum: asMean(c).sum + 5000, sumSquares: asMean(c).sumSquares + 100 * 2600 }, v2: asMean(t) } },
      shares,
      {
        cuped: { v1: c, v2: t },
      },
    );
    expect(result.treatments[0]!.decidedOn).toBe('unadjusted');
    expect(result.treatments[0]!.adjusted).not.toBeNull();
    expect(result.sampleSizeBasis).toBe('unadjusted');
    expect(result.warnings.join(' ')).toContain('400 of 500 v1');
  });

  it('leaves out pair sums no pairs of values can have (|covariance| above what the variances allow)', () => {
    const c = pairs(400, 0, 1);
    const t = { ...pairs(400, 0.5, 2), sumXY: 1e9 };
    const result = analyse(settings, { score: { v1: asMean(c), v2: asMean(t) } }, shares, { cuped: { v1: c, v2: t } });
    expect(result.treatments[0]!.adjusted).toBeNull();
    expect(result.warnings.join(' ')).toContain('paired telemetry of v2 is left out');
  });
});

describe('CUPED relative difference', () => {
  const sums = (units: Array<[number, number]>): PairedAggregate =>
    units.reduce((a, [y, x]) => ({ n: a.n + 1, sumY: a.sumY + y, sumYY: a.sumYY + y * y, sumX: a.sumX + x, sumXX: a.sumXX + x * x, sumXY: a.sumXY + x * y }), {
      n: 0,
      sumY: 0,
      sumYY: 0,
      sumX: 0,
      sumXX: 0,
      sumXY: 0,
    });

  it('takes the interval from the delta method with the covariance the adjusted means share through θ·x̄ of both arms', () => {
    const control = sums([
      [2, 10],
      [3.5, 14],
      [1, 7],
      [4, 15],
      [2.5, 11],
      [3, 12],
    ]);
    const treatment = sums([
      [1, 9],
      [0.5, 8],
      [2, 13],
      [1.5, 12],
      [0, 6],
    ]);
    const result = cupedCompare(control, treatment, 0.05)!;
    // numpy, from the raw pairs: the gradient of T′/C′ − 1 through the covariance of (ȳc, x̄c, ȳt, x̄t), θ from statsmodels'
    // OLS y ~ arm + x, Welch's t quantile. The adjusted means taken as independent gave (−0.534305, −0.341337).
    expect(result.relativeDifference).toBeCloseTo(-0.4378207256, 9);
    expect(result.relativeInterval!.lower).toBeCloseTo(-0.5220827171, 9);
    expect(result.relativeInterval!.upper).toBeCloseTo(-0.353558734, 9);
  });
});

describe('ratio metrics in the analysis', () => {
  it('estimates Σy/Σx per variant with delta-method intervals and counts units for the sample-ratio check', () => {
    const ratio = {
      ...settings,
      cuped: false,
      primaryMetric: { name: 'errors per row', type: 'ratio' as const, numerator: 'e', denominator: 'r', better: 'decrease' as const },
      minimumDetectableEffect: 0.01,
    };
    const c = pairs(300, 0, 1);
    const t = pairs(320, 0.5, 2);
    const result = analyse(ratio, {}, shares, { ratio: { v1: c, v2: t } });
    expect(result.variants.map((v) => v.n)).toEqual([300, 320]);
    expect(result.variants[0]!.value).toBeCloseTo(c.sumY / c.sumX, 12);
    expect(result.variants[0]!.intervalMethod).toBe('delta-method');
    expect(result.treatments[0]!.comparison!.test).toBe('delta-z');
    expect(result.sampleRatio!.observed).toEqual([300, 320]);
    expect(result.requiredSampleSize).toBeGreaterThan(1);
  });
});

describe('segments', () => {
  const rate = (successes: number, n: number) => ({ n, sum: successes, sumSquares: successes });
  const segmentSettings = {
    attribute: 'region',
    metric: { name: 'converted', type: 'rate' as const, better: 'increase' as const },
    controlVariant: 'v1',
    treatmentVariants: ['v2'],
    alpha: 0.05,
    minimumDetectableEffect: 0.05,
    analysis: 'fixed-horizon' as const,
  };

  it("adjusts with Holm over every comparison and adds the smallest segments beyond the cap up as '(rest)'", () => {
    const totals: Record<string, Record<string, ReturnType<typeof rate>>> = {};
    for (let i = 0; i < 25; i++) totals[`r${i}`] = { v1: rate(20, 100 + i), v2: rate(i === 0 ? 60 : 21, 100 + i) };
    const result = analyseSegments(segmentSettings, totals);
    expect(result.segments).toHaveLength(MAX_SEGMENTS);
    const rest = result.segments.find((s) => s.value === SEGMENT_REST)!;
    // r0 … r5 are the six smallest: 100 + … + 105 units per arm.
    expect(rest.variants[0]!.n).toBe(100 + 101 + 102 + 103 + 104 + 105);
    expect(result.familySize).toBe(MAX_SEGMENTS);
    for (const s of result.segments) {
      const t = s.treatments[0]!;
      expect(t.adjustedPValue!).toBeGreaterThanOrEqual(t.comparison!.pValue);
    }
    // The smallest p-value is multiplied by the family size.
    const smallest = result.segments.flatMap((s) => s.treatments).sort((a, b) => a.comparison!.pValue - b.comparison!.pValue)[0]!;
    expect(smallest.adjustedPValue).toBeCloseTo(Math.min(1, smallest.comparison!.pValue * MAX_SEGMENTS), 15);
    expect(result.multipleComparison).toBe('holm');
  });

  it('says when nothing was reported by the attribute yet', () => {
    const result = analyseSegments(segmentSettings, {});
    expect(result.segments).toEqual([]);
    expect(result.warnings[0]).toContain("segmentBy: 'region'");
  });
});
