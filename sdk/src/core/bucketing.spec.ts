import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aFlag, anEnvironment, split } from '../../test/builders.js';
import { chiSquareCritical, chiSquareIndependence, chiSquareStatistic } from '../../test/chi-square.js';
import { compileEnvironment } from './compile.js';
import { evaluate } from './evaluate.js';
import type { FlagConfig } from './types.js';

const UNITS = Array.from({ length: 100_000 }, (_, i) => `user-${i}`);

function multivariate(key: string, salt: string, weights: number[], bucketBy?: string): FlagConfig {
  const variants = Object.fromEntries(weights.map((_, i) => [`v${i}`, `value-${i}`]));
  return aFlag(key)
    .withKind('string', variants)
    .with({ salt, offVariant: 'v0', defaultRule: split(Object.fromEntries(weights.map((weight, i) => [`v${i}`, weight])), bucketBy) })
    .build();
}

function servedCounts(flag: FlagConfig, variantCount: number): number[] {
  const environment = compileEnvironment(anEnvironment([flag]));
  const counts = new Array<number>(variantCount).fill(0);
  for (const unit of UNITS) {
    const variant = evaluate(environment, flag.key, { targetingKey: unit }, 'default').variant!;
    counts[Number(variant.slice(1))]!++;
  }
  return counts;
}

describe('bucketing', () => {
  it.each([
    [[50_000, 50_000]],
    [[20_000, 80_000]],
    [[10_000, 20_000, 30_000, 40_000]],
    [[1_000, 99_000]],
    [[33_334, 33_333, 33_333]],
    [[0, 25_000, 0, 75_000]],
  ])('serves fractions that match the weights %j (chi-square over 100,000 units)', (weights) => {
    const counts = servedCounts(multivariate('f', 'uniformity-salt', weights), weights.length);
    const expected = weights.map((weight) => (weight / 100_000) * UNITS.length);
    const degreesOfFreedom = weights.filter((weight) => weight > 0).length - 1;
    expect(chiSquareStatistic(counts, expected)).toBeLessThan(chiSquareCritical(degreesOfFreedom));
  });

  it('assigns two flags independently (chi-square on a 2×2 contingency table)', () => {
    const first = compileEnvironment(anEnvironment([multivariate('a', 'salt-a', [50_000, 50_000])]));
    const second = compileEnvironment(anEnvironment([multivariate('b', 'salt-b', [30_000, 70_000])]));
    const table = [
      [0, 0],
      [0, 0],
    ];
    for (const unit of UNITS) {
      const a = evaluate(first, 'a', { targetingKey: unit }, '').variant === 'v0' ? 0 : 1;
      const b = evaluate(second, 'b', { targetingKey: unit }, '').variant === 'v0' ? 0 : 1;
      table[a]![b]!++;
    }
    expect(chiSquareIndependence(table)).toBeLessThan(chiSquareCritical(1));
  });

  it('is deterministic: the same unit and config always get the same result', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 0, max: 100_000 }), (salt, unit, weight) => {
        const flag = multivariate('f', salt, [weight, 100_000 - weight]);
        const once = evaluate(compileEnvironment(anEnvironment([flag])), 'f', { targetingKey: unit }, '');
        const again = evaluate(compileEnvironment(anEnvironment([structuredClone(flag)])), 'f', { targetingKey: unit }, '');
        expect(again).toEqual(once);
      }),
    );
  });

  it('is monotonic: raising a rollout percentage never moves a unit out', () => {
    const units = UNITS.slice(0, 2_000);
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 100_000 }), (salt, a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        const before = compileEnvironment(anEnvironment([multivariate('f', salt, [low, 100_000 - low])]));
        const after = compileEnvironment(anEnvironment([multivariate('f', salt, [high, 100_000 - high])]));
        for (const unit of units) {
          if (evaluate(before, 'f', { targetingKey: unit }, '').variant === 'v0') {
            expect(evaluate(after, 'f', { targetingKey: unit }, '').variant).toBe('v0');
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it('is stable: adding, removing or reordering other flags never reassigns a unit', () => {
    const units = UNITS.slice(0, 500);
    const otherFlag = fc
      .record({ key: fc.string({ minLength: 1 }), salt: fc.string(), weight: fc.integer({ min: 0, max: 100_000 }) })
      .filter(({ key }) => key !== 'f')
      .map(({ key, salt, weight }) => multivariate(key, salt, [weight, 100_000 - weight]));
    fc.assert(
      fc.property(fc.array(otherFlag, { maxLength: 6 }), fc.nat(), (others, seed) => {
        const flag = multivariate('f', 'stable-salt', [37_000, 63_000]);
        const alone = compileEnvironment(anEnvironment([flag]));
        const mixed = [...others];
        mixed.splice(seed % (others.length + 1), 0, flag);
        const crowded = compileEnvironment(anEnvironment(mixed.reverse()));
        for (const unit of units) {
          expect(evaluate(crowded, 'f', { targetingKey: unit }, '')).toEqual(evaluate(alone, 'f', { targetingKey: unit }, ''));
        }
      }),
      { numRuns: 30 },
    );
  });

  it('buckets numeric unit values as their decimal string', () => {
    const environment = compileEnvironment(anEnvironment([multivariate('f', 's', [50_000, 50_000], 'batchId')]));
    for (const id of [0, 7, 123_456_789, 2 ** 53, 1e21, -3.5]) {
      expect(evaluate(environment, 'f', { batchId: id }, '')).toEqual(evaluate(environment, 'f', { batchId: String(id) }, ''));
    }
  });

  it.each([[''], [true], [{ id: 1 }], [['a']], [Number.NaN], [Number.POSITIVE_INFINITY], [null]])('treats a unit value of %j as missing', (unit) => {
    const environment = compileEnvironment(anEnvironment([multivariate('f', 's', [50_000, 50_000], 'batchId')]));
    expect(evaluate(environment, 'f', { batchId: unit }, '')).toMatchObject({ reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING', variant: 'v0' });
  });
});
