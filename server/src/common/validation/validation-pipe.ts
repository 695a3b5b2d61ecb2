import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainError, type FieldProblem, validationFailed } from '../errors/domain-error.js';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { declaredBoundsProblems, type DtoClass, inputShapeProblems, isDto, isRecord, removeUnknownFields } from './input-bounds.js';
import { holdPlainValues, putBack } from './plain-values.js';

/** Constraints on a value's type: when one fails, the others on the same value (its length, range, format) add nothing. */
const TYPE_CONSTRAINTS = new Set(['isString', 'isInt', 'isNumber', 'isBoolean', 'isArray', 'isObject']);

/**
 * What one field's failed constraints say, once: a missing field "is required" (not "must be a
 * string; must be shorter than …; must match …"), and a value of the wrong type says only that.
 * Needs the validator's `validationError.value` (VALIDATOR_OPTIONS keeps it) to tell missing from null.
 */
const reasonsOf = (error: ValidationError): string[] => {
  const constraints = error.constraints ?? {};
  const names = Object.keys(constraints);
  if (names.length === 0) return [];
  // One rule's own words for a missing value ("context must be an object of attributes") say more than "is required".
  if (names.length > 1 && 'value' in error && error.value === undefined) return [`${error.property} is required`];
  const typeFailures = names.filter((name) => TYPE_CONSTRAINTS.has(name));
  return (typeFailures.length > 0 ? typeFailures : names).map((name) => {
    const reason = constraints[name]!;
    return reason.startsWith('property ') && reason.endsWith('should not exist') ? 'is not a known field' : reason;
  });
};

// Nested DTO errors come as a tree; users want `rules[0].clauses[1].values: ...`.
export const flattenValidationErrors = (errors: ValidationError[], parent = ''): FieldProblem[] =>
  errors.flatMap((error) => {
    const field = parent === '' ? error.property : /^\d+$/.test(error.property) ? `${parent}[${error.property}]` : `${parent}.${error.property}`;
    const own = reasonsOf(error).map((reason) => ({ field, reason }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });

/** Problems one 400 lists; a body of thousands of bad elements got a 30 MB answer. */
export const MAX_REPORTED_PROBLEMS = 100;

/** A 400 listing the first `MAX_REPORTED_PROBLEMS` problems; its message says how many more there were. */
export const validationFailedCapped = (problems: FieldProblem[]): DomainError => {
  if (problems.length <= MAX_REPORTED_PROBLEMS) return validationFailed(problems);
  const shown = problems.slice(0, MAX_REPORTED_PROBLEMS);
  return new DomainError('VALIDATION_FAILED', `${validationFailed(shown).message}; and ${problems.length - MAX_REPORTED_PROBLEMS} more problems`, shown);
};

/**
 * What no DTO can express but the layers below refuse: PostgreSQL stores neither U+0000 nor (in
 * jsonb) an unpaired surrogate, and class-transformer recurses once per level of nesting, so a deep
 * body overflows the stack. Checked iteratively, before any transformation, so each is a 400; with
 * the structural limits of `INPUT_LIMITS` (depth, array length, fields, values).
 */
export const unstorableInputProblems = (input: unknown, root = ''): FieldProblem[] => inputShapeProblems(input, { root, strings: true });

// JavaScript accepts years up to 275760 ("+099999-01-01"); PostgreSQL cannot parse those.
const datesOutOfRange = (value: object): FieldProblem[] =>
  Object.entries(value)
    .filter(([, v]) => v instanceof Date && (v.getUTCFullYear() < 1 || v.getUTCFullYear() > 9999))
    .map(([field]) => ({ field, reason: `${field} must be a date between the years 1 and 9999` }));

const TRANSFORM_OPTIONS = { enableImplicitConversion: false };

/** A DTO instance of a plain value, with its plain JSON values put back uncopied (see holdPlainValues). */
export const toDtoInstance = (value: unknown, metatype: DtoClass): object => {
  const held = holdPlainValues(value, metatype);
  const instance = plainToInstance(metatype as new () => object, value, TRANSFORM_OPTIONS) as object;
  putBack(instance, held);
  return instance;
};
/** How every DTO here is validated; the value stays on each error so that reasonsOf can tell a missing field (it is not copied into answers). */
export const VALIDATOR_OPTIONS = { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: true } };

/** Body DTOs whose route validates with a pipe of its own (a fast path): the global pipe only bounds them. */
const ownPipeBodies = new WeakSet<object>();

/**
 * Marks a body DTO as validated by its route's own pipe. The global pipe still refuses what is
 * oversized for the DTO (naming the DTO's own limits) or unstorable, then hands the plain value on.
 */
export const validatedByOwnPipe = (dto: DtoClass): void => void ownPipeBodies.add(dto);

/**
 * Nest's ValidationPipe, with every check that bounds its cost first. A body or query DTO is then
 * transformed and validated here rather than by Nest, so that the plain JSON values in it are
 * never copied (see holdPlainValues); other parameters go through Nest's pipe as before.
 */
class SignalboxValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { type, metatype } = metadata;
    let unknownFields: FieldProblem[] = [];
    if (type === 'body' || type === 'query' || type === 'param') {
      // A DTO's input is an object: a top-level array became one instance per element before the 400.
      if (type === 'body' && isDto(metatype) && (Array.isArray(value) || (value !== undefined && (value === null || typeof value !== 'object')))) {
        throw validationFailed([{ field: 'body', reason: 'must be a JSON object' }]);
      }
      // Every array and string the DTO bounds, by its size alone, before any element is transformed
      // or validated; then what any input may hold. Both in time linear in the input.
      const oversized = declaredBoundsProblems(value, metatype);
      if (oversized.length > 0) throw validationFailed(oversized);
      if (type === 'body' && metatype !== undefined && ownPipeBodies.has(metatype)) {
        const problems = unstorableInputProblems(value);
        if (problems.length > 0) throw validationFailed(problems);
        return value;
      }
      // Fields the DTO does not know are named and dropped unread: nothing below need walk them.
      if (type !== 'param') unknownFields = removeUnknownFields(value, metatype);
      const problems = unstorableInputProblems(value, type === 'param' ? (metadata.data ?? '') : '');
      if (problems.length > 0) throw validationFailed(problems);
    }
    const transformed =
      (type === 'body' || type === 'query') && isDto(metatype) && isRecord(value)
        ? await this.transformDto(value, metatype, unknownFields)
        : await this.transformWithNest(value, metadata, unknownFields);
    if (transformed !== null && typeof transformed === 'object' && type !== 'custom') {
      const problems = datesOutOfRange(transformed);
      if (problems.length > 0) throw validationFailed(problems);
    }
    return transformed;
  }

  private async transformDto(value: Record<string, unknown>, metatype: DtoClass, unknownFields: FieldProblem[]): Promise<object> {
    const instance = toDtoInstance(value, metatype);
    const errors = await validate(instance, VALIDATOR_OPTIONS);
    const problems = [...unknownFields, ...flattenValidationErrors(errors)];
    if (problems.length > 0) throw validationFailedCapped(problems);
    return instance;
  }

  private async transformWithNest(value: unknown, metadata: ArgumentMetadata, unknownFields: FieldProblem[]): Promise<unknown> {
    let transformed: unknown;
    try {
      transformed = await super.transform(value, metadata);
    } catch (err) {
      if (unknownFields.length > 0 && err instanceof DomainError && err.code === 'VALIDATION_FAILED')
        throw validationFailedCapped([...unknownFields, ...((err.details as FieldProblem[] | undefined) ?? [])]);
      throw err;
    }
    if (unknownFields.length > 0) throw validationFailedCapped(unknownFields);
    return transformed;
  }
}

export const createValidationPipe = (): ValidationPipe =>
  new SignalboxValidationPipe({
    ...VALIDATOR_OPTIONS,
    transform: true,
    transformOptions: TRANSFORM_OPTIONS,
    exceptionFactory: (errors) => validationFailedCapped(flattenValidationErrors(errors)),
  });
