import { describe, expect, it } from 'vitest';
import { compareSemver, isValidSemver, parseSemver } from './semver.js';

function compare(a: string, b: string): number {
  return Math.sign(compareSemver(parseSemver(a)!, parseSemver(b)!));
}

describe('semver', () => {
  it.each([
    '1.2.3',
    '0.0.0',
    '1.2',
    '1',
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-0.3.7',
    '1.0.0-x.7.z.92',
    '1.0.0+20130313144700',
    '1.0.0-beta+exp.sha.5114f85',
    '10.20.30',
  ])('accepts %s', (text) => expect(isValidSemver(text)).toBe(true));

  it.each(['', 'v1.2.3', '1.2.3.4', '01.2.3', '1.02.3', '1.2.3-01', '1.2.3-', '1.2.3+', '1.2.3-a..b', 'a.b.c', ' 1.2.3', '1.2.3 '])('rejects %j', (text) =>
    expect(isValidSemver(text)).toBe(false),
  );

  it('rejects values that are not strings', () => {
    expect(isValidSemver(123)).toBe(false);
    expect(isValidSemver(null)).toBe(false);
  });

  it('reads missing minor and patch as zero', () => {
    expect(compare('1.2', '1.2.0')).toBe(0);
    expect(compare('1', '1.0.0')).toBe(0);
  });

  it('orders by SemVer 2.0 precedence', () => {
    const ordered = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.1',
      '1.1.0',
      '2.0.0',
    ];
    for (let i = 0; i < ordered.length - 1; i++) {
      expect(compare(ordered[i]!, ordered[i + 1]!)).toBe(-1);
      expect(compare(ordered[i + 1]!, ordered[i]!)).toBe(1);
    }
  });

  it('ignores build metadata', () => {
    expect(compare('1.0.0+build.1', '1.0.0+build.2')).toBe(0);
  });
});
