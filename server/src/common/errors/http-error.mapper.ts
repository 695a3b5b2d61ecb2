import { HttpException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../../database/unavailable.js';
import { DomainError, type DomainErrorCode } from './domain-error.js';

/**
 * How an error is answered over HTTP. Both fronts use it — Nest's HttpExceptionFilter and the SDK
 * read path, which node:http serves before Nest sees the request — so one error gets one answer
 * whichever route raised it.
 */
export interface HttpError {
  status: number;
  /** The body's `error`: a DomainErrorCode, or what the status means (BAD_REQUEST, UNAVAILABLE, INTERNAL, …). */
  code: string;
  /** For people; never a stack trace or a driver's message. */
  message: string;
  details?: unknown;
  /** Headers the answer needs besides the body's: Retry-After, Connection. */
  headers: Readonly<Record<string, string>>;
  /**
   * Why it failed, which decides the log line: `refused` is the request's doing (not logged),
   * `unavailable` the database being out of reach (a warning: not a bug), `fault` a bug (an error, with the cause).
   */
  cause: 'refused' | 'unavailable' | 'fault';
}

/** The error body every route answers (documented as ErrorResponse). */
export interface ErrorBody {
  error: string;
  message: string;
  details?: unknown;
  requestId: string;
}

export const statusOfCode = (code: DomainErrorCode): number => {
  switch (code) {
    case 'VALIDATION_FAILED':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
    case 'SELF_APPROVAL':
    case 'APPROVAL_REQUIRED':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'VERSION_CONFLICT':
    case 'CONFLICT':
    case 'NOT_APPROVED':
    case 'STALE_BASE':
      return 409;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'RATE_LIMITED':
      return 429;
  }
};

const STATUS_CODES: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

const codeOfStatus = (status: number): string => STATUS_CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'ERROR');

/**
 * Headers that go with a status. A 413 closes the connection: the rest of that body is left unread,
 * so the connection cannot carry another request. RATE_LIMITED (and an UNAVAILABLE that knows) says when to try again, as its details do.
 */
const headersFor = (status: number, details: unknown): Record<string, string> => {
  if (status === 413) return { Connection: 'close' };
  const wait = status === 429 || status === 503 ? (details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds : undefined;
  return typeof wait === 'number' && Number.isFinite(wait) ? { 'Retry-After': String(Math.max(0, Math.ceil(wait))) } : {};
};

const answer = (status: number, code: string, message: string, details?: unknown): HttpError => ({
  status,
  code,
  message,
  ...(details !== undefined ? { details } : {}),
  headers: headersFor(status, details),
  // A 503 is a state that passes (not ready yet, telemetry waiting for the database), not a bug.
  cause: status === 503 ? 'unavailable' : status >= 500 ? 'fault' : 'refused',
});

const UNAVAILABLE: HttpError = {
  status: 503,
  code: 'UNAVAILABLE',
  message: 'The database is unavailable; retry shortly',
  headers: { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
  cause: 'unavailable',
};

const INTERNAL: HttpError = answer(500, 'INTERNAL', 'Something went wrong on the server; the request id is in the logs');

/** `HttpException`'s message, and `details` where the thrower gave an object that has them. */
const fromHttpException = (exception: HttpException): HttpError => {
  const status = exception.getStatus();
  const res = exception.getResponse();
  if (typeof res === 'string') return answer(status, codeOfStatus(status), res);
  const { message, details } = (res ?? {}) as { message?: unknown; details?: unknown };
  return answer(status, codeOfStatus(status), message !== undefined ? String(message) : exception.message, details);
};

/** body-parser and friends throw plain errors carrying a 4xx status (malformed JSON, too large). */
const fromStatusError = (exception: unknown): HttpError | undefined => {
  const { status, statusCode } = (exception ?? {}) as { status?: unknown; statusCode?: unknown };
  const found = status ?? statusCode;
  if (typeof found !== 'number' || found < 400 || found >= 500) return undefined;
  // Their messages are for developers ("Unexpected token } in JSON at position 7"); say what is wrong instead.
  const message =
    found !== 400
      ? (exception as Error).message
      : exception instanceof URIError || /decode param/i.test((exception as Error).message)
        ? 'The path is not valid percent-encoded UTF-8'
        : 'The request body is not valid JSON';
  return answer(found, codeOfStatus(found), message);
};

/** The one place an error becomes an HTTP status, code, message, details and headers. */
export const toHttpError = (exception: unknown): HttpError => {
  if (exception instanceof DomainError) return answer(statusOfCode(exception.code), exception.code, exception.message, exception.details);
  // Nest's Express adapter wraps body-parser's SyntaxError and Express's URIError in a
  // BadRequestException that keeps their words ("Unexpected token 'n', \"null\" is not valid JSON").
  if (exception instanceof HttpException && (exception.cause instanceof SyntaxError || exception.cause instanceof URIError)) {
    return fromStatusError(exception.cause) ?? fromHttpException(exception);
  }
  if (exception instanceof HttpException) return fromHttpException(exception);
  // Not a bug: the database is restarting or out of reach. Say so, and when to try again.
  if (isDatabaseUnavailable(exception)) return UNAVAILABLE;
  const withStatus = fromStatusError(exception);
  if (withStatus) return withStatus;
  // A unique index is the last line of defence against two concurrent creates of the same key.
  const driverCode = exception instanceof QueryFailedError ? (exception.driverError as { code?: string } | undefined)?.code : undefined;
  if (driverCode === '23505') return answer(409, 'CONFLICT', 'That already exists');
  return INTERNAL;
};

export const errorBody = (error: HttpError, requestId: string): ErrorBody => ({
  error: error.code,
  message: error.message,
  requestId,
  ...(error.details !== undefined ? { details: error.details } : {}),
});
