import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../../database/unavailable.js';
import { ensureRequestId } from '../http/request-id.middleware.js';
import { DomainError, type DomainErrorCode } from './domain-error.js';

interface ErrorBody {
  error: string;
  message: string;
  details?: unknown;
  requestId: string;
}

const statusOf = (code: DomainErrorCode): number => {
  switch (code) {
    case 'VALIDATION_FAILED':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'VERSION_CONFLICT':
    case 'CONFLICT':
      return 409;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'RATE_LIMITED':
      return 429;
  }
};

const codeOfStatus = (status: number): string =>
  ({ 400: 'BAD_REQUEST', 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED', 409: 'CONFLICT', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE', 429: 'RATE_LIMITED' })[status] ??
  (status === 503 ? 'UNAVAILABLE' : status >= 500 ? 'INTERNAL' : 'ERROR');

/** The one place errors become HTTP responses: `{ error, message, details?, requestId }`, never a stack trace. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    // The body parser runs before the request-id middleware, so its errors arrive without an id.
    const requestId = ensureRequestId(request, response);
    if (isDatabaseUnavailable(exception)) {
      // Not a bug: the database is restarting or out of reach. Say so, and when to try again.
      this.logger.warn({ requestId, reason: (exception as Error).message }, 'request failed: the database is unavailable');
      if (!response.headersSent) {
        response.setHeader('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
        response.status(503).json({ error: 'UNAVAILABLE', message: 'The database is unavailable; retry shortly', requestId } satisfies ErrorBody);
      }
      return;
    }
    const [status, body] = this.toResponse(exception, requestId);
    if (status >= 500) this.logger.error({ err: exception, requestId }, 'request failed');
    if (!response.headersSent) response.status(status).json(body);
  }

  private toResponse(exception: unknown, requestId: string): [number, ErrorBody] {
    if (exception instanceof DomainError) {
      const body: ErrorBody = { error: exception.code, message: exception.message, requestId };
      if (exception.details !== undefined) body.details = exception.details;
      return [statusOf(exception.code), body];
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const res = exception.getResponse();
      const message =
        typeof res === 'string' ? res : typeof res === 'object' && res && 'message' in res ? String((res as { message: unknown }).message) : exception.message;
      return [status, { error: codeOfStatus(status), message, requestId }];
    }
    // body-parser and friends throw plain errors carrying a status (malformed JSON, too large).
    const status = (exception as { status?: unknown; statusCode?: unknown })?.status ?? (exception as { statusCode?: unknown })?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message =
        status !== 400
          ? (exception as Error).message
          : exception instanceof URIError || /decode param/i.test((exception as Error).message)
            ? 'The path is not valid percent-encoded UTF-8'
            : 'The request body is not valid JSON';
      return [status, { error: codeOfStatus(status), message, requestId }];
    }
    // A unique index is the last line of defence against two concurrent creates of the same key.
    if (exception instanceof QueryFailedError && (exception.driverError as { code?: string })?.code === '23505') {
      return [409, { error: 'CONFLICT', message: 'That already exists', requestId }];
    }
    return [500, { error: 'INTERNAL', message: 'Something went wrong on the server; the request id is in the logs', requestId }];
  }
}
