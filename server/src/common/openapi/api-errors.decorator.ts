import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorResponse } from '../errors/error-response.js';

/** The error statuses an operation documents; each answers an ErrorResponse (see HttpExceptionFilter). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409;

const DESCRIPTIONS: Record<ErrorStatus, string> = {
  400:
    'VALIDATION_FAILED: the body, query or a path parameter is invalid, and `details` lists each {field, reason}; or BAD_REQUEST: the body is not ' +
    'JSON, or an id is not a UUID',
  401: 'UNAUTHENTICATED: no credential, or an unknown, revoked or expired one',
  403: "FORBIDDEN: the credential's role or kind does not allow this",
  404: 'NOT_FOUND: what the path names does not exist',
  409:
    'VERSION_CONFLICT: the `version` sent is stale (`details` hold currentVersion and the current state); or CONFLICT: the key is taken or something ' +
    'still depends on it',
};

/**
 * The error answers an operation can give, e.g. `@ApiErrors(400, 401, 403, 404)`, each documented
 * as an ErrorResponse; `{ status, description }` replaces the generic text where an operation says more.
 */
export const ApiErrors = (...statuses: Array<ErrorStatus | { status: ErrorStatus; description: string }>) =>
  applyDecorators(
    ...statuses.map((s) => {
      const { status, description } = typeof s === 'number' ? { status: s, description: DESCRIPTIONS[s] } : s;
      return ApiResponse({ status, description, type: ErrorResponse });
    }),
  );
