// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { formatPercent, rolloutSegments, VARIANT_COLORS } from './rolloutSegments';

const variants = [
  { key: 'v1', value: 'a' },
  { key: 'v2', value: 'b' },
  { key: 'v3', value: 'c' },
];

describe('rolloutSegments', () => {
  it('turns thousandths of a percent into consecutive segments in listed order', () => {
    const segments = rolloutSegments(
      {
        variants: [
          { variant: 'v1', weight: 80000 },
          { variant: 'v2', weight: 20000 },
        ],
      },
      variants,
    );
    expect(segments).toEqual([
      { variant: 'v1', weight: 80000, percent: 80, offset: 0, color: VARIANT_COLORS[0] },
      { variant: 'v2', weight: 20000, percent: 20, offset: 80, color: VARIANT_COLORS[1] },
    ]);
  });

  it('leaves out zero-weight variants but keeps the offsets of the others', () => {
    const segments = rolloutSegments(
      {
        variants: [
          { variant: 'v1', weight: 0 },
          { variant: 'v3', weight: 100000 },
        ],
      },
      variants,
    );
    expect(segments).toEqual([{ variant: 'v3', weight: 100000, percent: 100, offset: 0, color: VARIANT_COLORS[2] }]);
  });

  it('keeps a variant colour tied to the flag, not to the rollout order', () => {
    const [first] = rolloutSegments({ variants: [{ variant: 'v2', weight: 100000 }] }, variants);
    expect(first?.color).toBe(VARIANT_COLORS[1]);
  });

  it('formats fractional percentages without float noise', () => {
    expect(formatPercent(12.345)).toBe('12.345%');
    expect(formatPercent(20)).toBe('20%');
    expect(formatPercent(0.1 + 0.2)).toBe('0.3%');
  });
});
