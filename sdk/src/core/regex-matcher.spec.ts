import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRegex, type LinearRegex } from './regex-matcher.js';

function regex(pattern: string): LinearRegex {
  const compiled = compileRegex(pattern);
  if (!compiled.ok) throw new Error(`${pattern}: ${compiled.reason}`);
  return compiled.regex;
}

describe('the linear-time matcher', () => {
  it.each<[pattern: string, input: string, matches: boolean]>([
    ['example', 'ann@example.com', true],
    ['^[a-z]+@example\\.com$', 'ann@example.com', true],
    ['^[a-z]+@example\\.com$', 'ann@example.com.evil', false],
    ['^b', 'ann', false],
    ['', '', true],
    ['', 'anything', true],
    ['^$', '', true],
    ['^$', 'x', false],
    ['a|', 'zzz', true],
    ['^prod$', 'PROD', false],
    ['^prod$', 'prod\n', false],
    ['prod$', 'a prod', true],
    ['^prod', 'x\nprod', false],
    ['a.b', 'a\nb', false],
    ['a.b', 'a\rb', false],
    ['a.b', 'a\u2028b', false],
    ['a.b', 'a\tb', true],
    ['a[^]b', 'a\nb', true],
    ['a[]b', 'ab', false],
    ['^\\d+$', '0123456789', true],
    ['^\\d+$', '١٢٣', false],
    ['^\\w+$', 'snake_case_9', true],
    ['^\\w+$', 'café', false],
    ['\\s', 'a\u00a0b', true],
    ['\\s', 'a\ufeffb', true],
    ['^\\S+$', 'a\u3000b', false],
    ['\\bcat\\b', 'the cat sat', true],
    ['\\bcat\\b', 'concatenate', false],
    ['\\Bcat\\B', 'concatenate', true],
    ['^\\b', '', false],
    ['\\B', '', true],
    ['x\\b', 'x', true],
    ['^(?:ab)+$', 'ababab', true],
    ['^(?:ab)+$', 'ababa', false],
    ['^a{3}$', 'aaa', true],
    ['^a{3}$', 'aaaa', false],
    ['^a{2,3}$', 'a', false],
    ['^a{2,3}$', 'aaa', true],
    ['^a{2,}$', 'aaaaaaa', true],
    ['^a{0}$', '', true],
    ['^a{,5}$', 'a{,5}', true],
    ['x{', 'x{', true],
    ['\\x41\\u0042', 'AB', true],
    ['\\cJ', '\n', true],
    ['[\\b]', '\b', true],
    ['^[\\w-.]+$', 'a-b.c', true],
    ['^[\\d-z]$', '-', true],
    ['^[\\d-z]$', 'y', false],
    ['^(?<year>\\d{4})-(?<month>\\d{2})$', '2024-06', true],
    ['a*?b', 'aaab', true],
    ['a??b', 'b', true],
    ['colou?r', 'color', true],
    ['(a|b|ab)*c', 'ababab', false],
    ['(a|b|ab)*c', 'abababc', true],
  ])('%s on %j: %s', (pattern, input, expected) => {
    expect(regex(pattern).test(input)).toBe(expected);
  });

  describe('code points', () => {
    it.each<[pattern: string, input: string, matches: boolean]>([
      ['^.$', '🚀', true],
      ['^..$', '🚀', false],
      ['^[🚀-🛸]$', '🛰', true],
      ['^\\uD83D\\uDE80$', '🚀', true],
      ['^🚀+$', '🚀🚀🚀', true],
      ['^[^a]$', '🚀', true],
      ['^\\ud800$', '\ud800', true],
      ['^.$', '\udc00', true],
      ['^.x$', '\ud83dx', true],
      ['\\uDE80x', '🚀x', false],
      ['\\uD83D', '🚀', false],
      ['🚀x', 'a🚀x', true],
      ['x🚀', 'ax🚀', true],
      ['x\\uD83D', 'ax🚀', false],
    ])('%s on %j: %s', (pattern, input, expected) => {
      expect(regex(pattern).test(input)).toBe(expected);
    });
  });

  it('agrees with JavaScript RegExp on random ASCII patterns and inputs', () => {
    const atom: fc.Arbitrary<string> = fc.oneof(
      fc.constantFrom('a', 'b', '-', ' ', '.', '\\d', '\\w', '\\s', '\\W', '[ab]', '[^a]', '[a-c]', '[-b]', '\\b', '\\B', '^', '$'),
      fc.constantFrom('1', 'x', '\\.', '[\\d-]', '[\\w-.]', '[.-\\d]'),
    );
    const pattern: fc.Arbitrary<string> = fc
      .letrec<{ expr: string; term: string; piece: string }>((tie) => ({
        piece: fc.oneof(
          { weight: 4, arbitrary: atom },
          { weight: 1, arbitrary: tie('expr').map((inner) => `(${inner})`) },
          { weight: 1, arbitrary: tie('expr').map((inner) => `(?:${inner})`) },
        ),
        term: fc
          .tuple(tie('piece'), fc.constantFrom('', '', '', '*', '+', '?', '{2}', '{1,3}', '{0,}', '*?', '+?', '{2,}?'))
          .map(([piece, quantifier]) => (/^[\^$]$|^\\[bB]$/.test(piece) ? piece : piece + quantifier)),
        expr: fc.oneof(
          { depthSize: 'small', withCrossShrink: true },
          fc.array(tie('term'), { maxLength: 4 }).map((terms) => terms.join('')),
          fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `${a}|${b}`),
        ),
      }))
      .expr.filter((source) => source.length <= 200);
    const input = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '-', ' ', '1', 'x', '.', '\n', '_'), maxLength: 12 });
    fc.assert(
      fc.property(pattern, fc.array(input, { minLength: 1, maxLength: 8 }), (source, inputs) => {
        // Nested counted repetitions can multiply past the size limit; that refusal is tested elsewhere.
        const compiled = compileRegex(source);
        fc.pre(compiled.ok || !compiled.reason.includes('too large'));
        const ours = regex(source);
        const theirs = new RegExp(source);
        for (const text of inputs) expect(ours.test(text), `${source} on ${JSON.stringify(text)}`).toBe(theirs.test(text));
      }),
      // A fixed seed: RegExp backtracks, and a random pattern could make the oracle itself hang.
      { numRuns: 2000, seed: 20_240_601 },
    );
  });

  it('answers the same after its state cache fills up and is emptied', () => {
    // (a|b)*a(a|b){12} needs a DFA state per suffix of 13 characters: more than the cache holds.
    const pattern = '(a|b)*a(a|b){12}$';
    const ours = regex(pattern);
    const theirs = new RegExp(pattern);
    let seed = 7;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    for (let run = 0; run < 20; run++) {
      const text = Array.from({ length: 2_000 }, () => (random() < 0.5 ? 'a' : 'b')).join('');
      for (const end of ['', 'b'.repeat(12), 'a'.repeat(13)]) expect(ours.test(text + end)).toBe(theirs.test(text + end));
    }
    expect(ours.cacheResets).toBeGreaterThan(0);
  });

  it('reads each character once when the states it needs are cached', () => {
    const ours = regex('^[a-z0-9.-]+@[a-z0-9-]+(\\.[a-z]{2,})+$');
    const text = `${'x'.repeat(5_000)}@example.com`;
    expect(ours.test(text)).toBe(true);
    const before = ours.steps;
    expect(ours.test(text)).toBe(true);
    expect(ours.steps - before).toBe(text.length);
  });

  it('skips to the next occurrence of the literal every match starts with', () => {
    const ours = regex('@corp\\.com$');
    expect(ours.test(`${'@corp.co'.repeat(1_000)}@corp.com`)).toBe(true);
    expect(ours.test(`${'@corp.co'.repeat(1_000)}@corp.com!`)).toBe(false);
    expect(ours.test('x'.repeat(10_000))).toBe(false);
    expect(regex('ab\\b').test(`${'abc '.repeat(100)}ab`)).toBe(true);
    expect(regex('ab\\b').test(`${'abc '.repeat(100)}abc`)).toBe(false);
  });

  it('stops reading at the first match and when no match is possible any more', () => {
    const unanchored = regex('needle');
    const before = unanchored.steps;
    expect(unanchored.test(`needle${'x'.repeat(10_000)}`)).toBe(true);
    expect(unanchored.steps - before).toBeLessThan(200);
    const anchored = regex('^needle');
    anchored.test('needle');
    const start = anchored.steps;
    expect(anchored.test(`haystack${'x'.repeat(10_000)}`)).toBe(false);
    expect(anchored.steps - start).toBeLessThan(200);
  });
});
