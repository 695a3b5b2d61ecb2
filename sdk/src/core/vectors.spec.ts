import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bucketFor } from './bucket.js';
import { compileEnvironment } from './compile.js';
import { evaluate } from './evaluate.js';
import type { EnvironmentConfig, EvaluationContext, EvaluationResult, FlagKind, FlagValue } from './types.js';

interface Vector {
  description: string;
  config: EnvironmentConfig;
  flagKey: string;
  context: EvaluationContext;
  defaultValue: FlagValue;
  expectedKind?: FlagKind;
  expected: EvaluationResult;
  bucket?: number;
  bucketUnit?: string;
}

const folder = join(dirname(fileURLToPath(import.meta.url)), '../../test-vectors');
const files = readdirSync(folder)
  .filter((name) => name.endsWith('.json'))
  .sort();
const suites = files.map((name) => [name, (JSON.parse(readFileSync(join(folder, name), 'utf8')) as { cases: Vector[] }).cases] as const);

describe('shared test vectors', () => {
  it('has at least 200 cases', () => {
    expect(suites.reduce((sum, [, cases]) => sum + cases.length, 0)).toBeGreaterThanOrEqual(200);
  });

  describe.each(suites)('%s', (_name, cases) => {
    it.each(cases)('$description', (vector) => {
      const environment = compileEnvironment(vector.config);
      const { errorMessage: _message, ...result } = evaluate(environment, vector.flagKey, vector.context, vector.defaultValue, vector.expectedKind);
      expect(result).toEqual(vector.expected);
      if (vector.bucket !== undefined) expect(bucketFor(vector.config.flags[0]!.salt, vector.bucketUnit!)).toBe(vector.bucket);
    });
  });
});
