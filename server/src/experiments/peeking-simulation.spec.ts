import { describe, expect, it } from 'vitest';
import { analyse, type AnalysisSettings } from './experiment-analysis.js';
import type { VariantAggregate } from './experiment-statistics.js';

/**
 * Safe to peek: 2,000 A/A experiments (both arms convert at 10%), each read 50 times as the data
 * arrives. Reading fixed-horizon p-values at every look and stopping at the first significant one
 * finds a "winner" far more often than alpha; the sequential figures keep that rate below alpha.
 */
const EXPERIMENTS = 2000;
const LOOKS = 50;
const PER_LOOK = 100; // observations per arm between looks: 5,000 per arm at the last look
const ALPHA = 0.05;

/** mulberry32: deterministic, so the test gives the same answer every run. */
const generator = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const settings = (analysis: AnalysisSettings['analysis']): AnalysisSettings => ({
  controlVariant: 'a',
  treatmentVariants: ['b'],
  primaryMetric: { name: 'converted', type: 'rate', better: 'increase' },
  guardrailMetrics: [],
  alpha: ALPHA,
  power: 0.8,
  minimumDetectableEffect: 0.02,
  baselineRate: 0.1,
  assumedStdDev: null,
  analysis,
});

describe('peeking at A/A experiments', () => {
  it(`keeps false positives below alpha with sequential figures, and shows fixed-horizon peeking does not (${EXPERIMENTS} × ${LOOKS} looks)`, () => {
    const random = generator(20261204);
    const sequential = settings('sequential');
    let sequentialFalsePositives = 0;
    let peekingFalsePositives = 0;
    for (let e = 0; e < EXPERIMENTS; e++) {
      const arms: Record<string, VariantAggregate> = { a: { n: 0, sum: 0, sumSquares: 0 }, b: { n: 0, sum: 0, sumSquares: 0 } };
      let sequentialFired = false;
      let peekingFired = false;
      for (let look = 0; look < LOOKS && !(sequentialFired && peekingFired); look++) {
        for (const arm of Object.values(arms)) {
          let conversions = 0;
          for (let i = 0; i < PER_LOOK; i++) if (random() < 0.1) conversions++;
          arm.n += PER_LOOK;
          arm.sum += conversions;
          arm.sumSquares += conversions;
        }
        const result = analyse(sequential, { converted: arms }, { a: 1, b: 1 });
        const comparison = result.treatments[0]!.comparison;
        // Any verdict that calls the arms different is a false positive here.
        if (!sequentialFired && (result.recommendation === 'promote' || result.recommendation === 'keep-control')) sequentialFired = true;
        // A reader who peeks at fixed-horizon p-values stops at the first p < alpha.
        if (!peekingFired && comparison !== null && comparison.pValue < ALPHA) peekingFired = true;
      }
      if (sequentialFired) sequentialFalsePositives++;
      if (peekingFired) peekingFalsePositives++;
    }
    const sequentialRate = sequentialFalsePositives / EXPERIMENTS;
    const peekingRate = peekingFalsePositives / EXPERIMENTS;
    console.info(`A/A false-positive rate over ${LOOKS} looks: sequential ${sequentialRate}, fixed-horizon peeking ${peekingRate} (alpha ${ALPHA})`);
    expect(sequentialRate).toBeLessThanOrEqual(ALPHA);
    // Peeking at fixed-horizon p-values inflates the rate several times over.
    expect(peekingRate).toBeGreaterThan(2 * ALPHA);
  }, 120_000);
});
