import { ValidationPipe, type ValidationError } from '@nestjs/common';
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

export const createValidationPipe = (): ValidationPipe =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => validationFailed(flattenValidationErrors(errors)),
  });
