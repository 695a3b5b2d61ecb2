import { describe, expect, it } from 'vitest';
import { formatPValue, pEquals } from './format-p-value.js';

describe('p-values in words', () => {
  it('keeps three digits, goes scientific below 0.001, and never prints an underflowed p as 0', () => {
    expect(formatPValue(0.0123456)).toBe('0.0123');
    expect(formatPValue(0.5)).toBe('0.500');
    expect(formatPValue(1.06654e-10)).toBe('1.07e-10');
    expect(formatPValue(0)).toBe('< 1e-300');
    expect(pEquals(0, 'always-valid p')).toBe('always-valid p < 1e-300');
    expect(pEquals(0.04)).toBe('p = 0.0400');
  });
});
