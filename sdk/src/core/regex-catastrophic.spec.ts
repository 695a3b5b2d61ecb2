import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileRegex, validateRegex } from './regex-matcher.js';
import type { AttributeClause, EnvironmentConfig } from './types.js';

// The catastrophic (ReDoS) patterns of the shared vectors: each is refused on save, or runs on its
// 10,000-character adversarial input within a deterministic bound on the engine's work. The bound
// is the engine's guarantee: per character, at most one pass over the program to follow its
// non-consuming instructions and one over its consuming ones, plus one pass at the end.
interface Vector {
  description: string;
  config: EnvironmentConfig;
  context: { input: string };
  expected: { reason: string };
}

const folder = join(dirname(fileURLToPath(import.meta.url)), '../../test-vectors');
const vectors = (JSON.parse(readFileSync(join(folder, 'matches.json'), 'utf8')) as { cases: Vector[] }).cases;
const corpus = vectors
  .filter((vector) => vector.description.startsWith('catastrophic: '))
  .map((vector) => ({
    pattern: (vector.config.flags[0]!.rules[0]!.clauses[0] as AttributeClause).values[0] as string,
    input: vector.context.input,
    matches: vector.expected.reason === 'TARGETING_MATCH',
  }));

const ISSUE_PATTERNS = [
  '(a|a)*$',
  '(a|aa)+b',
  '((a+))+$',
  '(a{1,})+$',
  '^([a-z0-9]|[a-z0-9-])*$',
  '^.*.*.*.*=$',
  '(x+x+)+y',
  '(a*)*b',
  '(.*a){20}',
  '^(\\w+\\s?)*$',
  '(a|b|ab)*c',
];

/** Work allowed per character and program instruction (see above). */
const STEPS_PER_CHARACTER_AND_INSTRUCTION = 3;

describe('catastrophic patterns', () => {
  it('covers the patterns of the issue and more, each on a 10,000-character input', () => {
    const patterns = new Set(corpus.map((entry) => entry.pattern));
    for (const pattern of ISSUE_PATTERNS) expect(patterns).toContain(pattern);
    expect(patterns.size).toBeGreaterThanOrEqual(25);
    for (const entry of corpus) expect(entry.input).toHaveLength(10_000);
  });

  describe.each(corpus)('$pattern', ({ pattern, input, matches }) => {
    const compiled = compileRegex(pattern);

    if (!compiled.ok) {
      it('is refused on save, with the reason and position', () => {
        expect(validateRegex(pattern)).toMatch(/not supported|at most|too large/);
        expect(validateRegex(pattern)).toMatch(/\(at position \d+\)$/);
        expect(matches).toBe(false);
      });
      return;
    }

    it(`answers ${matches} within ${STEPS_PER_CHARACTER_AND_INSTRUCTION} × input length × program size steps`, () => {
      const regex = compiled.regex;
      expect(regex.test(input)).toBe(matches);
      expect(regex.steps).toBeLessThanOrEqual(STEPS_PER_CHARACTER_AND_INSTRUCTION * (input.length + 1) * regex.size);
    });

    it('reads each character at most once when it runs again', () => {
      const regex = compiled.regex;
      regex.test(input);
      const before = regex.steps;
      expect(regex.test(input)).toBe(matches);
      if (regex.cacheResets === 0) expect(regex.steps - before).toBeLessThanOrEqual(input.length);
    });
  });
});
