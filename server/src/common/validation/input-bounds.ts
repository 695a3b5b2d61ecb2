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

export const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const childField = (parent: string, key: string, inArray: boolean): string => (inArray ? `${parent}[${key}]` : parent === '' ? key : `${parent}.${key}`);

interface Container {
  value: object;
  /** Index in `pending` of the container holding this one; -1 for the root. */
  parent: number;
  key: string | number;
  depth: number;
}

/** `a.b[2].c` of a pending container (and of `child` in it), built only for the few values a problem names. */
const pathOf = (pending: Container[], at: number, root: string, child?: string | number): string => {
  const keys: Array<string | number> = child === undefined ? [] : [child];
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
 * in the input, stopping at the first value past `maxValues`. Only objects and arrays are queued,
 * so a body of 100,000 numbers costs one pass over an array, not 100,000 allocations. With
 * `strings`, also what PostgreSQL cannot store: U+0000 and (in jsonb) unpaired surrogates, in values
 * and field names. `root` names the input in problems (`body` when empty).
 */
export const inputShapeProblems = (input: unknown, options: { root?: string; strings?: boolean } = {}): FieldProblem[] => {
  const root = options.root ?? '';
  const checkStrings = options.strings ?? false;
  const problems: FieldProblem[] = [];
  const add = (at: number, reason: string, child?: string | number): void => {
    problems.push({ field: pathOf(pending, at, root, child) || 'body', reason });
  };
  const pending: Container[] = [];
  if (input === null || typeof input !== 'object') {
    if (checkStrings && typeof input === 'string' && UNSTORABLE.test(input))
      problems.push({ field: root || 'body', reason: 'must not contain U+0000 or unpaired surrogate characters' });
    return problems;
  }
  pending.push({ value: input, parent: -1, key: '', depth: 0 });
  let values = 1;
  // An index, not shift(): shift is O(n) per call, quadratic on a body of 100k small values.
  for (let next = 0; next < pending.length && problems.length < MAX_PROBLEMS; next++) {
    const { value, depth } = pending[next]!;
    if (depth >= INPUT_LIMITS.maxDepth) {
      add(next, `is nested more than ${INPUT_LIMITS.maxDepth} levels deep`);
      continue;
    }
    const isArray = Array.isArray(value);
    const keys: ReadonlyArray<string> | undefined = isArray ? undefined : Object.keys(value);
    const length = isArray ? value.length : keys!.length;
    if (isArray ? length > INPUT_LIMITS.maxArrayLength : length > INPUT_LIMITS.maxObjectKeys) {
      add(next, isArray ? `is an array of more than ${INPUT_LIMITS.maxArrayLength} elements` : `has more than ${INPUT_LIMITS.maxObjectKeys} fields`);
      continue;
    }
    values += length;
    if (values > INPUT_LIMITS.maxValues) {
      problems.push({ field: root || 'body', reason: `holds more than ${INPUT_LIMITS.maxValues} values` });
      break;
    }
    for (let i = 0; i < length; i++) {
      const key: string | number = isArray ? i : keys![i]!;
      if (checkStrings && !isArray && UNSTORABLE.test(key as string)) add(next, 'field names must not contain U+0000 or unpaired surrogate characters', key);
      const element: unknown = (value as Record<string | number, unknown>)[key];
      if (typeof element === 'string') {
        if (checkStrings && UNSTORABLE.test(element)) add(next, 'must not contain U+0000 or unpaired surrogate characters', key);
      } else if (element !== null && typeof element === 'object') pending.push({ value: element, parent: next, key, depth: depth + 1 });
    }
  }
  return problems;
};

/** A class, as class-validator and class-transformer key their metadata: a DTO, or any other. */
export type DtoClass = abstract new (...args: never[]) => unknown;

const isClass = (value: unknown): value is DtoClass => typeof value === 'function';

/** The size limits a DTO declares on one property, and the class its nested values become. */
interface DeclaredBounds {
  arrayMaxSize?: ValidationMetadata;
  maxLength?: ValidationMetadata;
  nested?: DtoClass;
  /** Whether the nested values come as a list (`@ValidateNested({ each: true })`) rather than one object. */
  nestedEach?: boolean;
}

const declaredBoundsCache = new Map<DtoClass, Map<string, DeclaredBounds>>();

export const declaredBoundsOf = (type: DtoClass): Map<string, DeclaredBounds> => {
  const cached = declaredBoundsCache.get(type);
  if (cached) return cached;
  const bounds = new Map<string, DeclaredBounds>();
  const of = (property: string): DeclaredBounds => bounds.get(property) ?? bounds.set(property, {}).get(property)!;
  for (const metadata of getMetadataStorage().getTargetValidationMetadatas(type, '', true, false)) {
    if (metadata.name === 'arrayMaxSize' && !metadata.each) of(metadata.propertyName).arrayMaxSize = metadata;
    else if (metadata.name === 'maxLength') of(metadata.propertyName).maxLength = metadata;
    else if (metadata.type === 'nestedValidation') {
      const nested = defaultMetadataStorage.findTypeMetadata(type, metadata.propertyName)?.typeFunction();
      if (isClass(nested) && getMetadataStorage().getTargetValidationMetadatas(nested, '', true, false).length > 0)
        Object.assign(of(metadata.propertyName), { nested, nestedEach: metadata.each === true });
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

export const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

const knownFieldsCache = new Map<DtoClass, Set<string>>();

/** The fields a DTO validates, the only ones the whitelist lets through; empty for a class with no rules. */
export const knownFieldsOf = (type: DtoClass): Set<string> => {
  let known = knownFieldsCache.get(type);
  if (!known) {
    known = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(type, '', true, false)
        .map((m) => m.propertyName),
    );
    knownFieldsCache.set(type, known);
  }
  return known;
};

/** Whether `type` is a DTO: a class with validation rules, so its input must be a JSON object of its fields. */
export const isDto = (type: DtoClass | undefined): type is DtoClass => type !== undefined && knownFieldsOf(type).size > 0;

/**
 * Removes, in place, every field of `input` (and of the DTOs nested in it) that its DTO does not
 * know, and names each as the whitelist would. class-transformer copies a field before
 * class-validator refuses it, so a 100,000-element array under an unknown name cost 100 ms for a
 * 400; removed first, the rest of the body is still validated and every problem still reported.
 */
export const removeUnknownFields = (input: unknown, type: DtoClass | undefined): FieldProblem[] => {
  const problems: FieldProblem[] = [];
  if (!isDto(type) || !isRecord(input)) return problems;
  const pending: Array<{ value: Record<string, unknown>; type: DtoClass; field: string }> = [{ value: input, type, field: '' }];
  for (let next = 0; next < pending.length; next++) {
    const { value, type: current, field } = pending[next]!;
    const known = knownFieldsOf(current);
    if (known.size === 0) continue;
    for (const property of Object.keys(value)) {
      if (!known.has(property)) {
        problems.push({ field: childField(field, property, false), reason: 'is not a known field' });
        delete value[property];
      }
    }
    for (const [property, { nested }] of declaredBoundsOf(current)) {
      const v = value[property];
      if (!nested || !Object.hasOwn(value, property)) continue;
      if (isRecord(v)) pending.push({ value: v, type: nested, field: childField(field, property, false) });
      else if (Array.isArray(v))
        v.forEach((element, i) => isRecord(element) && pending.push({ value: element, type: nested, field: `${childField(field, property, false)}[${i}]` }));
    }
  }
  return problems;
};

/**
 * The `@ArrayMaxSize` and `@MaxLength` limits of `type` (and of the DTOs nested in it), checked on
 * the plain input before any element is transformed or validated: an array over its limit is
 * refused by its size alone. Elements are visited only inside arrays that are within their
 * limits, so the work is bounded by what the DTO allows, not by what was sent.
 */
export const declaredBoundsProblems = (input: unknown, type: DtoClass | undefined): FieldProblem[] => {
  const problems: FieldProblem[] = [];
  if (type === undefined || !isRecord(input)) return problems;
  const add = (field: string, reason: string): boolean => {
    problems.push({ field, reason });
    return problems.length < MAX_PROBLEMS;
  };
  const pending: Array<{ value: Record<string, unknown>; type: DtoClass; field: string }> = [{ value: input, type, field: '' }];
  for (let next = 0; next < pending.length && problems.length < MAX_PROBLEMS; next++) {
    const { value, type: current, field } = pending[next]!;
    for (const [property, bounds] of declaredBoundsOf(current)) {
      if (!Object.hasOwn(value, property)) continue;
      const v = value[property];
      const path = childField(field, property, false);
      const { arrayMaxSize, maxLength: length, nested, nestedEach } = bounds;
      // One nested object given an array: class-validator would report each of its 250,000 elements.
      if (nested && !nestedEach && Array.isArray(v)) {
        if (!add(path, `${property} must be an object`)) break;
        continue;
      }
      // A field that holds one string (it has a length limit of its own) given an array or object:
      // named now, so the 250,000 elements sent in its place are never walked.
      if (length && !length.each && v !== null && typeof v === 'object') {
        if (!add(path, `${property} must be a string`)) break;
        continue;
      }
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
          // class-validator lets an array through where a nested object belongs (it validates its elements instead).
          else if (nested && Array.isArray(element) && !add(`${path}[${i}]`, `each value in ${property} must be an object`)) break;
        }
      } else if (typeof v === 'string') {
        if (
          length &&
          !maxLength(v, length.constraints[0] as number) &&
          !add(path, messageOf(length, property, '$property must be shorter than or equal to $constraint1 characters'))
        )
          break;
      } else if (nested && isRecord(v)) pending.push({ value: v, type: nested, field: path });
    }
  }
  return problems;
};
