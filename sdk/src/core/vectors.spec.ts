import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigStore } from '../client/config-store.js';
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

/** A config a client's store holds as the compiler would read it: lists of records with unique string keys. */
function keyedAsListed(config: EnvironmentConfig): boolean {
  const unique = (list: unknown) =>
    Array.isArray(list) &&
    list.every((item) => typeof item === 'object' && item !== null && typeof (item as { key?: unknown }).key === 'string') &&
    new Set(list.map((item: { key: string }) => item.key)).size === list.length;
  return typeof config === 'object' && config !== null && typeof config.sequence === 'number' && unique(config.flags) && unique(config.segments);
}

describe('shared test vectors through a client’s config store (items held as JSON text until compiled)', () => {
  const keyed = suites.flatMap(([, cases]) => cases.filter((vector) => keyedAsListed(vector.config)));
  it('covers most of the vectors', () => {
    expect(keyed.length).toBeGreaterThanOrEqual(200);
  });

  it.each(keyed)('$description', (vector) => {
    const store = new ConfigStore();
    expect(store.apply({ type: 'snapshot', sequence: vector.config.sequence, config: structuredClone(vector.config) })).toBe('applied');
    store.commit();
    const { errorMessage: _message, ...result } = evaluate(store.compiled!, vector.flagKey, vector.context, vector.defaultValue, vector.expectedKind);
    expect(result).toEqual(vector.expected);
  });
});
