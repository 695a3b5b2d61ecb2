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

  it('gives the sequential test the power it promises: a true difference of the MDE is found by the sequential sample size, and no tie is called before it', () => {
    const EFFECT_EXPERIMENTS = 1000;
    const EFFECT_LOOKS = 20;
    const powered: AnalysisSettings = { ...settings('sequential'), minimumDetectableEffect: 0.1, baselineRate: 0.3 };
    const empty = () => ({ n: 0, sum: 0, sumSquares: 0 });
    const sizes = analyse(powered, { converted: { a: empty(), b: empty() } }, { a: 1, b: 1 });
    const fixedN = sizes.requiredSampleSize!;
    const sequentialN = sizes.sequentialSampleSize!;
    expect(sequentialN / fixedN).toBeGreaterThan(1.5);
    expect(sequentialN / fixedN).toBeLessThan(3);
    const perLook = Math.ceil(sequentialN / EFFECT_LOOKS);
    const random = generator(4242);
    let foundByFixedN = 0;
    let foundBySequentialN = 0;
    const early: string[] = [];
    let tiesAtTheEnd = 0;
    for (let e = 0; e < EFFECT_EXPERIMENTS; e++) {
      // Control converts at 30%, the treatment at 40%: exactly the minimum detectable effect.
      const arms: Record<string, VariantAggregate> = { a: empty(), b: empty() };
      let found = false;
      for (let look = 0; look < EFFECT_LOOKS && !found; look++) {
        for (const [arm, rate] of [
          ['a', 0.3],
          ['b', 0.4],
        ] as const) {
          let conversions = 0;
          for (let i = 0; i < perLook; i++) if (random() < rate) conversions++;
          arms[arm]!.n += perLook;
          arms[arm]!.sum += conversions;
          arms[arm]!.sumSquares += conversions;
        }
        const n = arms.a!.n;
        const { recommendation } = analyse(powered, { converted: arms }, { a: 1, b: 1 });
        if (recommendation === 'promote') {
          found = true;
          if (n <= fixedN) foundByFixedN++;
          foundBySequentialN++;
        } else if (recommendation === 'no-difference') {
          if (n < sequentialN) early.push(`experiment ${e}: no difference at n = ${n}`);
          else tiesAtTheEnd++;
        }
      }
    }
    const byFixed = foundByFixedN / EFFECT_EXPERIMENTS;
    const bySequential = foundBySequentialN / EFFECT_EXPERIMENTS;
    console.info(
      `power of the sequential test read ${EFFECT_LOOKS} times: ${byFixed} by the fixed-horizon n (${fixedN}), ${bySequential} by its own n (${sequentialN})`,
    );
    // Had "no difference" come at the fixed-horizon n, about half of these real effects would have been called ties.
    expect(byFixed).toBeLessThan(0.7);
    expect(bySequential).toBeGreaterThanOrEqual(0.8);
    expect(early).toEqual([]);
    expect(tiesAtTheEnd).toBe(EFFECT_EXPERIMENTS - foundBySequentialN);
  }, 120_000);
});
