import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** What every error answer looks like (HttpExceptionFilter, the SDK read path, node:http's own refusals). */
export class ErrorResponse {
  @ApiProperty({ description: 'A stable code: VALIDATION_FAILED, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, VERSION_CONFLICT, CONFLICT, RATE_LIMITED, UNAVAILABLE, …', example: 'RATE_LIMITED' })
  error: string;

  @ApiProperty({ description: 'For people; do not parse it' })
  message: string;

  @ApiPropertyOptional({ description: 'Per code: for VALIDATION_FAILED a list of {field, reason}; for RATE_LIMITED {retryAfterSeconds}' })
  details?: unknown;

  @ApiProperty({ description: 'Also in the X-Request-Id header and the server log' })
  requestId: string;
}
