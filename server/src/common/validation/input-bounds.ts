import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { getMetadataStorage, maxLength } from 'class-validator';
import type { FieldProblem } from '../errors/domain-error.js';

// class-validator does not export the type from its index.
type ValidationMetadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];

/**
 * What any request may hold, whatever its route: checked on the parsed JSON (and on query strings
 * and path parameters) before class-transformer or class-validator see it. A body under 1 MB can
 * still hold 500,000 values; both libraries visit every one of them, recursively, and produce an
 * error object per bad element, so without these bounds one request kept the event loop busy for
 * a minute (and a deep one overflowed the stack). The README's "Limits" lists them.
 */
export const INPUT_LIMITS = {
  /** Objects and arrays inside one another. */
  maxDepth: 32,
  /** Elements of any one array; the largest list a DTO takes (a segment's keys) is 100,000. */
  maxArrayLength: 100_000,
  /** Fields of any one object (an evaluation context, a JSON variant value). */
  maxObjectKeys: 10_000,
  /** Values in the whole input: every object, array, string, number, boolean and null. */
  maxValues: 250_000,
} as const;

const MAX_PROBLEMS = 20;

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const childField = (parent: string, key: string, inArray: boolean): string => (inArray ? `${parent}[${key}]` : parent === '' ? key : `${parent}.${key}`);

interface Pending {
  value: unknown;
  /** Index in `pending` of the container holding this value; -1 for the root. */
  parent: number;
  key: string | number;
  depth: number;
}

/** `a.b[2].c` of a pending value, built only for the few values a problem names. */
const pathOf = (pending: Pending[], at: number, root: string): string => {
  const keys: Array<string | number> = [];
  for (let i = at; i > 0; i = pending[i]!.parent) keys.push(pending[i]!.key);
  let path = root;
  for (let k = keys.length - 1; k >= 0; k--) {
    const key = keys[k]!;
    path = childField(path, String(key), typeof key === 'number');
  }
  return path;
};

/**
 * The structural bounds above, iteratively (so depth cannot overflow the stack) and in time linear
 * in the input, stopping at the first value past `maxValues`. With `strings`, also what
 * PostgreSQL cannot store: U+0000 and (in jsonb) unpaired surrogates, in values and field names.
 * `root` names the input in problems (`body` when empty).
 */
export const inputShapeProblems = (input: unknown, options: { root?: string; strings?: boolean } = {}): FieldProblem[] => {
  const root = options.root ?? '';
  const checkStrings = options.strings ?? false;
  const problems: FieldProblem[] = [];
  const add = (at: number, reason: string): void => {
    problems.push({ field: pathOf(pending, at, root) || 'body', reason });
  };
  const pending: Pending[] = [{ value: input, parent: -1, key: '', depth: 0 }];
  // An index, not shift(): shift is O(n) per call, quadratic on a body of 100k small values.
  for (let next = 0; next < pending.length && problems.length < MAX_PROBLEMS; next++) {
    const { value, depth } = pending[next]!;
    if (typeof value === 'string') {
      if (checkStrings && UNSTORABLE.test(value)) add(next, 'must not contain U+0000 or unpaired surrogate characters');
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= INPUT_LIMITS.maxDepth) {
      add(next, `is nested more than ${INPUT_LIMITS.maxDepth} levels deep`);
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length > INPUT_LIMITS.maxArrayLength) {
        add(next, `is an array of more than ${INPUT_LIMITS.maxArrayLength} elements`);
        continue;
      }
      if (pending.length + value.length > INPUT_LIMITS.maxValues) {
        problems.push({ field: root || 'body', reason: `holds more than ${INPUT_LIMITS.maxValues} values` });
        break;
      }
      for (let i = 0; i < value.length; i++) pending.push({ value: value[i], parent: next, key: i, depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(value);
    if (keys.length > INPUT_LIMITS.maxObjectKeys) {
      add(next, `has more than ${INPUT_LIMITS.maxObjectKeys} fields`);
      continue;
    }
    if (pending.length + keys.length > INPUT_LIMITS.maxValues) {
      problems.push({ field: root || 'body', reason: `holds more than ${INPUT_LIMITS.maxValues} values` });
      break;
    }
    for (const key of keys) {
      pending.push({ value: (value as Record<string, unknown>)[key], parent: next, key, depth: depth + 1 });
      if (checkStrings && UNSTORABLE.test(key)) add(pending.length - 1, 'field names must not contain U+0000 or unpaired surrogate characters');
    }
  }
  return problems;
};

/** The size limits a DTO declares on one property, and the class its nested values become. */
interface DeclaredBounds {
  arrayMaxSize?: ValidationMetadata;
  maxLength?: ValidationMetadata;
  nested?: Function;
}

const declaredBoundsCache = new Map<Function, Map<string, DeclaredBounds>>();

const declaredBoundsOf = (type: Function): Map<string, DeclaredBounds> => {
  const cached = declaredBoundsCache.get(type);
  if (cached) return cached;
  const bounds = new Map<string, DeclaredBounds>();
  const of = (property: string): DeclaredBounds => bounds.get(property) ?? bounds.set(property, {}).get(property)!;
  for (const metadata of getMetadataStorage().getTargetValidationMetadatas(type, '', true, false)) {
    if (metadata.name === 'arrayMaxSize' && !metadata.each) of(metadata.propertyName).arrayMaxSize = metadata;
    else if (metadata.name === 'maxLength') of(metadata.propertyName).maxLength = metadata;
    else if (metadata.type === 'nestedValidation') {
      const nested = defaultMetadataStorage.findTypeMetadata(type, metadata.propertyName)?.typeFunction();
      if (typeof nested === 'function' && getMetadataStorage().getTargetValidationMetadatas(nested, '', true, false).length > 0) of(metadata.propertyName).nested = nested;
    }
  }
  declaredBoundsCache.set(type, bounds);
  return bounds;
};

/** class-validator's own message for the constraint, so a refusal reads the same whichever check made it. */
const messageOf = (metadata: ValidationMetadata, property: string, fallback: string): string => {
  const template = typeof metadata.message === 'string' ? metadata.message : `${metadata.each ? 'each value in ' : ''}${fallback}`;
  return template.replaceAll('$property', property).replaceAll('$constraint1', String(metadata.constraints[0]));
};

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The `@ArrayMaxSize` and `@MaxLength` limits of `type` (and of the DTOs nested in it), checked on
 * the plain input before any element is transformed or validated: an array over its limit is
 * refused by its size alone. Elements are visited only inside arrays that are within their
 * limits, so the work is bounded by what the DTO allows, not by what was sent.
 */
export const declaredBoundsProblems = (input: unknown, type: Function | undefined): FieldProblem[] => {
  const problems: FieldProblem[] = [];
  if (type === undefined || !isRecord(input)) return problems;
  const add = (field: string, reason: string): boolean => {
    problems.push({ field, reason });
    return problems.length < MAX_PROBLEMS;
  };
  const pending: Array<{ value: Record<string, unknown>; type: Function; field: string }> = [{ value: input, type, field: '' }];
  for (let next = 0; next < pending.length && problems.length < MAX_PROBLEMS; next++) {
    const { value, type: current, field } = pending[next]!;
    for (const [property, bounds] of declaredBoundsOf(current)) {
      if (!Object.hasOwn(value, property)) continue;
      const v = value[property];
      const path = childField(field, property, false);
      const { arrayMaxSize, maxLength: length, nested } = bounds;
      if (Array.isArray(v)) {
        const max = arrayMaxSize?.constraints[0] as number | undefined;
        if (arrayMaxSize && max !== undefined && v.length > max) {
          if (!add(path, messageOf(arrayMaxSize, property, '$property must contain no more than $constraint1 elements'))) break;
          continue;
        }
        for (let i = 0; i < v.length; i++) {
          const element = v[i];
          if (length?.each && typeof element === 'string' && !maxLength(element, length.constraints[0] as number)) {
            if (!add(`${path}[${i}]`, messageOf(length, property, '$property must be shorter than or equal to $constraint1 characters'))) break;
          } else if (nested && isRecord(element)) pending.push({ value: element, type: nested, field: `${path}[${i}]` });
        }
      } else if (typeof v === 'string') {
        if (length && !maxLength(v, length.constraints[0] as number) && !add(path, messageOf(length, property, '$property must be shorter than or equal to $constraint1 characters'))) break;
      } else if (nested && isRecord(v)) pending.push({ value: v, type: nested, field: path });
    }
  }
  return problems;
};
