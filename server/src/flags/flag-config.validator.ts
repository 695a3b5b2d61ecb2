import { type FlagKind, type FlagValue, type Prerequisite, type Rule, type Serve, type Target, type Variant } from '@signalbox/sdk/core';
import type { FieldProblem } from '../common/errors/domain-error.js';
import { clauseProblems } from '../targeting/clause.validator.js';

const TOTAL_WEIGHT = 100_000;
/** A flag config as written by a user, in the evaluation core's shapes. */
export interface FlagConfigInput {
  offVariant: string | null;
  targets: Target[];
  rules: Rule[];
  defaultRule: Serve | null;
  prerequisites: Prerequisite[];
}

/** What validation needs to know about the rest of the project. */
export interface ConfigValidationContext {
  flagKey: string;
  variants: Variant[];
  segmentKeys: ReadonlySet<string>;
  /** Variants of another flag in the project, undefined if there is no such flag. */
  variantsOf(flagKey: string): readonly Variant[] | undefined;
  /** Prerequisite flag keys of another flag's config in the same environment. */
  prerequisitesOf(flagKey: string): readonly string[];
}

const serveProblems = (serve: Serve, path: string, variantKeys: ReadonlySet<string>): FieldProblem[] => {
  const hasVariant = 'variant' in serve && serve.variant !== undefined;
  const hasRollout = 'rollout' in serve && serve.rollout !== undefined;
  if (hasVariant === hasRollout) return [{ field: path, reason: 'give exactly one of variant or rollout' }];
  if ('variant' in serve) {
    return variantKeys.has(serve.variant) ? [] : [{ field: `${path}.variant`, reason: `variant '${serve.variant}' does not exist in this flag` }];
  }
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  let total = 0;
  serve.rollout.variants.forEach((slice, i) => {
    if (!variantKeys.has(slice.variant))
      problems.push({ field: `${path}.rollout.variants[${i}].variant`, reason: `variant '${slice.variant}' does not exist in this flag` });
    if (seen.has(slice.variant)) problems.push({ field: `${path}.rollout.variants[${i}].variant`, reason: 'is listed twice' });
    seen.add(slice.variant);
    total += slice.weight;
  });
  if (total !== TOTAL_WEIGHT) problems.push({ field: `${path}.rollout.variants`, reason: `weights must sum to 100000 (100%), not ${total}` });
  return problems;
};

// Walks prerequisite edges from the flag's new prerequisites; reaching the flag again is a cycle.
const cyclePath = (start: string, first: readonly string[], ctx: ConfigValidationContext): string[] | undefined => {
  const stack: Array<{ key: string; path: string[] }> = first.map((key) => ({ key, path: [start, key] }));
  const visited = new Set<string>();
  while (stack.length > 0) {
    const { key, path } = stack.pop()!;
    if (key === start) return path;
    if (visited.has(key)) continue;
    visited.add(key);
    for (const next of ctx.prerequisitesOf(key)) stack.push({ key: next, path: [...path, next] });
  }
  return undefined;
};

/** Checks references and value types that DTO shape validation cannot; returns every problem found. */
export const validateFlagConfig = (config: FlagConfigInput, ctx: ConfigValidationContext): FieldProblem[] => {
  const variantKeys = new Set(ctx.variants.map((v) => v.key));
  const problems: FieldProblem[] = [];
  if (config.offVariant !== null && !variantKeys.has(config.offVariant)) {
    problems.push({ field: 'offVariant', reason: `variant '${config.offVariant}' does not exist in this flag` });
  }
  const targeted = new Map<string, number>();
  config.targets.forEach((target, i) => {
    if (!variantKeys.has(target.variant)) problems.push({ field: `targets[${i}].variant`, reason: `variant '${target.variant}' does not exist in this flag` });
    target.values.forEach((value, j) => {
      const other = targeted.get(value);
      if (other !== undefined) problems.push({ field: `targets[${i}].values[${j}]`, reason: `'${value}' is already targeted by targets[${other}]` });
      targeted.set(value, i);
    });
  });
  config.rules.forEach((rule, i) => {
    rule.clauses.forEach((clause, j) => problems.push(...clauseProblems(clause, `rules[${i}].clauses[${j}]`, ctx)));
    problems.push(...serveProblems(rule.serve, `rules[${i}].serve`, variantKeys));
  });
  if (config.defaultRule !== null) problems.push(...serveProblems(config.defaultRule, 'defaultRule', variantKeys));
  const required = new Set<string>();
  config.prerequisites.forEach((prerequisite, i) => {
    const field = `prerequisites[${i}]`;
    if (prerequisite.flag === ctx.flagKey) return problems.push({ field: `${field}.flag`, reason: 'a flag cannot be its own prerequisite' });
    if (required.has(prerequisite.flag)) problems.push({ field: `${field}.flag`, reason: 'is listed twice' });
    required.add(prerequisite.flag);
    const variants = ctx.variantsOf(prerequisite.flag);
    if (!variants) return problems.push({ field: `${field}.flag`, reason: `flag '${prerequisite.flag}' does not exist in this project` });
    if (!variants.some((v) => v.key === prerequisite.variant)) {
      problems.push({ field: `${field}.variant`, reason: `flag '${prerequisite.flag}' has no variant '${prerequisite.variant}'` });
    }
  });
  const cycle = cyclePath(ctx.flagKey, [...required], ctx);
  if (cycle) problems.push({ field: 'prerequisites', reason: `creates a cycle: ${cycle.join(' → ')}` });
  return problems;
};

const isJson = (value: unknown, depth = 0): boolean => {
  if (depth > 32) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJson(v, depth + 1));
  if (typeof value === 'object') return Object.values(value).every((v) => isJson(v, depth + 1));
  return false;
};

const MAX_VALUE_BYTES = 32 * 1024;

/** Variants must match the flag kind, have unique keys, and (boolean flags) be exactly true and false. */
export const validateVariants = (kind: FlagKind, variants: Array<{ key: string; value: FlagValue }>): FieldProblem[] => {
  const problems: FieldProblem[] = [];
  const keys = new Set<string>();
  variants.forEach((variant, i) => {
    if (keys.has(variant.key)) problems.push({ field: `variants[${i}].key`, reason: `'${variant.key}' is listed twice` });
    keys.add(variant.key);
    const field = `variants[${i}].value`;
    const value: unknown = variant.value;
    if (kind === 'boolean' && typeof value !== 'boolean') problems.push({ field, reason: 'must be true or false for a boolean flag' });
    if (kind === 'string' && typeof value !== 'string') problems.push({ field, reason: 'must be a string for a string flag' });
    if (kind === 'number' && (typeof value !== 'number' || !Number.isFinite(value)))
      problems.push({ field, reason: 'must be a finite number for a number flag' });
    if (kind === 'json' && !isJson(value)) problems.push({ field, reason: 'must be JSON (object, array, string, number, boolean or null)' });
    if (Buffer.byteLength(JSON.stringify(value ?? null)) > MAX_VALUE_BYTES) problems.push({ field, reason: `may be at most ${MAX_VALUE_BYTES} bytes as JSON` });
  });
  if (kind === 'boolean' && problems.length === 0) {
    const values = variants.map((v) => v.value).sort();
    if (values.length !== 2 || values[0] !== false || values[1] !== true) {
      problems.push({ field: 'variants', reason: 'a boolean flag has exactly two variants, one true and one false' });
    }
  }
  return problems;
};
