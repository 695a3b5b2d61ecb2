import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import type { FieldProblem } from './domain-error.js';

/** One problem of a VALIDATION_FAILED answer. */
export class FieldProblemResponse implements FieldProblem {
  @ApiProperty({ description: 'Where, e.g. rules[0].clauses[1].values, or body' }) field: string;
  @ApiProperty({ description: 'Why, e.g. must be a string' }) reason: string;
}

/** What every error answer looks like (HttpExceptionFilter, the SDK read path, node:http's own refusals). */
@ApiExtraModels(FieldProblemResponse)
export class ErrorResponse {
  @ApiProperty({
    description: 'A stable code: VALIDATION_FAILED, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, VERSION_CONFLICT, CONFLICT, RATE_LIMITED, UNAVAILABLE, …',
    example: 'RATE_LIMITED',
  })
  error: string;

  @ApiProperty({ description: 'For people; do not parse it' })
  message: string;

  @ApiPropertyOptional({
    description:
      'Per code: for VALIDATION_FAILED a list of {field, reason}; for VERSION_CONFLICT {currentVersion, current}; for RATE_LIMITED ' +
      '{retryAfterSeconds}; for UNAVAILABLE from /readyz {reasons}',
    oneOf: [
      { type: 'array', items: { $ref: getSchemaPath(FieldProblemResponse) } },
      { type: 'object', additionalProperties: true },
    ],
  })
  details?: FieldProblemResponse[] | Record<string, unknown>;

  @ApiProperty({ description: 'Also in the X-Request-Id header and the server log' })
  requestId: string;
}
