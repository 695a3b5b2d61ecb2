import { describe, expect, it } from 'vitest';
import { compileRegex, validateRegex } from './regex-matcher.js';
import { programSize } from './regex-program.js';
import { codePoints, MAX_NESTING, MAX_PATTERN_LENGTH, MAX_PROGRAM_SIZE, parseRegex } from './regex-syntax.js';

describe('the matches pattern language', () => {
  it.each([
    'plain',
    '^[a-z]+@example\\.com$',
    '^build-\\d{3}$',
    'a|b|',
    '(?:ab)+c?',
    '(?<year>\\d{4})-(?<month>\\d{2})',
    '[^\\s,]+',
    '[\\d\\w.-]',
    '[\\w-.]',
    '[a-\\d]',
    '[-a]',
    '[a-]',
    '[]',
    '[^]',
    'a{2}',
    'a{2,}',
    'a{2,5}',
    'a{,5}',
    'a{x}',
    '{',
    'x}',
    ']',
    'a*?b+?c??d{1,2}?',
    '\\bword\\B',
    '\\t\\n\\v\\f\\r\\0',
    '\\x41\\u00e9\\uD83D\\uDE80',
    '\\cJ',
    '\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\/\\-\\ \\@',
    '🚀+',
    '[🚀-🛸]',
    '()',
    '(|a)',
    'a{1000}',
    '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*',
    '(a+)+$',
    '(a|aa)+b',
  ])('accepts %s', (pattern) => {
    expect(validateRegex(pattern)).toBeUndefined();
  });

  it.each<[pattern: string, reason: string, position: number]>([
    ['(a)\\1', 'backreference \\1 is not supported', 3],
    ['(?<n>a)\\k<n>', 'backreference \\k is not supported', 7],
    ['(?=a)a', 'lookahead (?= is not supported', 0],
    ['x(?!a)', 'lookahead (?! is not supported', 1],
    ['(?<=a)b', 'lookbehind (?<= is not supported', 0],
    ['(?<!a)b', 'lookbehind (?<! is not supported', 0],
    ['(?i)abc', 'unknown group (?i', 0],
    ['(unclosed', 'missing ) for this group', 0],
    ['a)', 'unmatched )', 1],
    ['[abc', 'missing ] for this character class', 0],
    ['*a', 'nothing to repeat before *', 0],
    ['a|+', 'nothing to repeat before +', 2],
    ['{2}', 'nothing to repeat before {', 0],
    ['a**', 'a quantifier cannot follow a quantifier', 2],
    ['a{2}{3}', 'a quantifier cannot follow a quantifier', 4],
    ['a*?+', 'a quantifier cannot follow a quantifier', 3],
    ['^*', 'an anchor or word boundary cannot be repeated', 0],
    ['x\\b+', 'an anchor or word boundary cannot be repeated', 1],
    ['a{1001}', 'repetition counts may be at most 1000', 1],
    ['a{2,99999999999999999999}', 'repetition counts may be at most 1000', 1],
    ['a{5,2}', 'numbers out of order', 1],
    ['[z-a]', 'range out of order', 1],
    ['[\\B]', '\\B is not allowed in a character class', 1],
    ['\\p{L}', 'Unicode property escapes \\p{...} are not supported', 0],
    ['\\q', 'unknown escape \\q', 0],
    ['\\x4', '\\x must be followed by two hex digits', 0],
    ['\\u12', '\\u must be followed by four hex digits', 0],
    ['\\u{1F680}', '\\u{...} is not supported', 0],
    ['\\c1', '\\c must be followed by a letter', 0],
    ['\\01', 'octal escapes are not supported', 0],
    ['[\\1]', 'octal escapes are not supported', 1],
    ['abc\\', '\\ at end of pattern', 3],
    ['(?<1a>x)', 'invalid group name', 3],
    ['(?<a>x)(?<a>y)', 'duplicate group name a', 10],
    ['🚀(', 'missing ) for this group', 1],
  ])('refuses %s: %s at position %d', (pattern, reason, position) => {
    const result = parseRegex(pattern);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain(reason);
    expect(result.position).toBe(position);
    expect(validateRegex(pattern)).toBe(`${result.reason} (at position ${position})`);
  });

  it('refuses a pattern longer than 256 characters, counted as JavaScript counts them', () => {
    expect(validateRegex('a'.repeat(MAX_PATTERN_LENGTH))).toBeUndefined();
    expect(validateRegex('a'.repeat(MAX_PATTERN_LENGTH + 1))).toContain('at most 256 characters');
    expect(validateRegex('🚀'.repeat(MAX_PATTERN_LENGTH / 2 + 1))).toContain('at most 256 characters');
  });

  it(`refuses groups nested more than ${MAX_NESTING} deep`, () => {
    expect(validateRegex(`${'('.repeat(MAX_NESTING)}a${')'.repeat(MAX_NESTING)}`)).toBeUndefined();
    expect(validateRegex(`${'('.repeat(MAX_NESTING + 1)}a${')'.repeat(MAX_NESTING + 1)}`)).toContain(`nested at most ${MAX_NESTING} deep`);
  });

  it(`refuses a pattern whose counted repetitions expand beyond ${MAX_PROGRAM_SIZE} instructions`, () => {
    expect(validateRegex('a{1000}')).toBeUndefined();
    expect(validateRegex('[a-z]{1,500}')).toBeUndefined();
    expect(validateRegex('[a-z]{1,501}')).toContain('too large');
    expect(validateRegex('(a{1000}){1000}')).toContain('too large');
    expect(validateRegex('.{0,1000}')).toContain('too large');
    expect(validateRegex('((((a{1000}){1000}){1000}){1000}){1000}')).toContain('too large');
    const tooLarge = compileRegex('(a{100}){30}');
    expect(tooLarge.ok).toBe(false);
  });

  it('sizes programs by expanding counted repetitions', () => {
    const size = (pattern: string): number => {
      const parsed = parseRegex(pattern);
      if (!parsed.ok) throw new Error(parsed.reason);
      return programSize(parsed.node);
    };
    expect(size('abc')).toBe(3);
    expect(size('a|b|c')).toBe(7);
    expect(size('a*')).toBe(3);
    expect(size('a+')).toBe(2);
    expect(size('a?')).toBe(2);
    expect(size('a{3}')).toBe(3);
    expect(size('a{2,4}')).toBe(6);
    expect(size('a{3,}')).toBe(4);
    expect(size('(ab){10}')).toBe(20);
  });

  it('reads patterns and inputs as code points, a lone surrogate being one of its own', () => {
    expect(codePoints('a🚀b')).toEqual([0x61, 0x1f680, 0x62]);
    expect(codePoints('\ud800x')).toEqual([0xd800, 0x78]);
    expect(codePoints('x\udc00')).toEqual([0x78, 0xdc00]);
  });

  it('refuses a non-string pattern', () => {
    expect(validateRegex(42)).toBe('a pattern must be a string');
    expect(validateRegex(null)).toBe('a pattern must be a string');
  });
});
