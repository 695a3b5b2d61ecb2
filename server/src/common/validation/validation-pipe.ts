import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { type FieldProblem, validationFailed } from '../errors/domain-error.js';

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

export const MAX_INPUT_DEPTH = 32;
const MAX_PROBLEMS = 20;

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const badString = (s: string): boolean => UNSTORABLE.test(s);

const childField = (parent: string, key: string, inArray: boolean): string => (inArray ? `${parent}[${key}]` : parent === '' ? key : `${parent}.${key}`);

/**
 * What no DTO can express but the layers below refuse: PostgreSQL stores neither U+0000 nor (in
 * jsonb) an unpaired surrogate, and class-transformer recurses once per level of nesting, so a deep
 * body overflows the stack. Checked iteratively, before any transformation, so each is a 400.
 */
export const unstorableInputProblems = (input: unknown, root = ''): FieldProblem[] => {
  const problems: FieldProblem[] = [];
  const pending: Array<{ value: unknown; field: string; depth: number }> = [{ value: input, field: root, depth: 0 }];
  // An index, not shift(): shift is O(n) per call, quadratic on a body of 100k small values.
  for (let next = 0; next < pending.length && problems.length < MAX_PROBLEMS; next++) {
    const { value, field, depth } = pending[next]!;
    if (typeof value === 'string') {
      if (badString(value)) problems.push({ field: field || 'body', reason: 'must not contain U+0000 or unpaired surrogate characters' });
    } else if (value !== null && typeof value === 'object') {
      if (depth >= MAX_INPUT_DEPTH) {
        problems.push({ field: field || 'body', reason: `is nested more than ${MAX_INPUT_DEPTH} levels deep` });
        continue;
      }
      const inArray = Array.isArray(value);
      for (const key of Object.keys(value)) {
        const child = childField(field, key, inArray);
        if (badString(key)) problems.push({ field: child, reason: 'field names must not contain U+0000 or unpaired surrogate characters' });
        pending.push({ value: (value as Record<string, unknown>)[key], field: child, depth: depth + 1 });
      }
    }
  }
  return problems;
};

// JavaScript accepts years up to 275760 ("+099999-01-01"); PostgreSQL cannot parse those.
const datesOutOfRange = (value: object): FieldProblem[] =>
  Object.entries(value)
    .filter(([, v]) => v instanceof Date && (v.getUTCFullYear() < 1 || v.getUTCFullYear() > 9999))
    .map(([field]) => ({ field, reason: `${field} must be a date between the years 1 and 9999` }));

class SignalboxValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') {
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
    exceptionFactory: (errors) => validationFailed(flattenValidationErrors(errors)),
  });
