import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainError, type FieldProblem, validationFailed } from '../errors/domain-error.js';
import { declaredBoundsProblems, inputShapeProblems } from './input-bounds.js';

// Nested DTO errors come as a tree; users want `rules[0].clauses[1].values: ...`.
export const flattenValidationErrors = (errors: ValidationError[], parent = ''): FieldProblem[] =>
  errors.flatMap((error) => {
    const field = parent === '' ? error.property : /^\d+$/.test(error.property) ? `${parent}[${error.property}]` : `${parent}.${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((reason) => ({
      field,
      reason: reason.startsWith('property ') && reason.endsWith('should not exist') ? 'is not a known field' : reason,
    }));
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

class SignalboxValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') {
      // Every array and string the DTO bounds, by its size alone, before any element is transformed
      // or validated; then what any input may hold. Both in time linear in the input.
      const oversized = declaredBoundsProblems(value, metadata.metatype);
      if (oversized.length > 0) throw validationFailed(oversized);
      const problems = unstorableInputProblems(value, metadata.type === 'param' ? (metadata.data ?? '') : '');
      if (problems.length > 0) throw validationFailed(problems);
    }
    const transformed: unknown = await super.transform(value, metadata);
    if (transformed !== null && typeof transformed === 'object' && metadata.type !== 'custom') {
      const problems = datesOutOfRange(transformed);
      if (problems.length > 0) throw validationFailed(problems);
    }
    return transformed;
  }
}

export const createValidationPipe = (): ValidationPipe =>
  new SignalboxValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => validationFailedCapped(flattenValidationErrors(errors)),
  });
