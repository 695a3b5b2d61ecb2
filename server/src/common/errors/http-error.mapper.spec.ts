import { BadRequestException, ServiceUnavailableException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { DOMAIN_ERROR_CODES, DomainError, type DomainErrorCode, validationFailed } from './domain-error.js';
import { errorBody, toHttpError } from './http-error.mapper.js';

// Written out rather than derived, so a new code fails here until someone decides its status.
const STATUS: Record<DomainErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  VERSION_CONFLICT: 409,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  SELF_APPROVAL: 403,
  APPROVAL_REQUIRED: 403,
  NOT_APPROVED: 409,
  STALE_BASE: 409,
};

const connectionRefused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('toHttpError', () => {
  it.each(DOMAIN_ERROR_CODES)('answers a DomainError %s with its 4xx status, code, message and details, as a refusal', (code) => {
    const error = toHttpError(new DomainError(code, `it was ${code}`, { why: code }));
    expect(error).toMatchObject({ status: STATUS[code], code, message: `it was ${code}`, details: { why: code }, cause: 'refused' });
  });

  it('keeps the field problems of a validation failure as details', () => {
    const error = toHttpError(validationFailed([{ field: 'context', reason: 'must be an object' }]));
    expect(errorBody(error, 'req-1')).toEqual({
      error: 'VALIDATION_FAILED',
      message: 'context: must be an object',
      details: [{ field: 'context', reason: 'must be an object' }],
      requestId: 'req-1',
    });
  });

  it('tells a rate-limited client when to retry, in Retry-After as in the details', () => {
    expect(toHttpError(new DomainError('RATE_LIMITED', 'slow down', { retryAfterSeconds: 7 })).headers).toEqual({ 'Retry-After': '7' });
    expect(toHttpError(new DomainError('RATE_LIMITED', 'slow down')).headers).toEqual({});
  });

  it('closes the connection after a 413, whose body is left unread', () => {
    expect(toHttpError(new DomainError('PAYLOAD_TOO_LARGE', 'too big')).headers).toEqual({ Connection: 'close' });
    expect(toHttpError(Object.assign(new Error('request entity too large'), { status: 413 })).headers).toEqual({ Connection: 'close' });
  });

  it('answers an unreachable database with 503 UNAVAILABLE and Retry-After, as a warning rather than a fault', () => {
    const error = toHttpError(new QueryFailedError('SELECT 1', [], connectionRefused()));
    expect(error).toEqual({
      status: 503,
      code: 'UNAVAILABLE',
      message: 'The database is unavailable; retry shortly',
      headers: { 'Retry-After': '1' },
      cause: 'unavailable',
    });
  });

  it('answers a unique-index violation with 409 CONFLICT, without the driver message', () => {
    const driverError = Object.assign(new Error('duplicate key value violates unique constraint "flag_key"'), { code: '23505' });
    const duplicate = new QueryFailedError('INSERT', [], driverError);
    expect(errorBody(toHttpError(duplicate), 'r')).toEqual({ error: 'CONFLICT', message: 'That already exists', requestId: 'r' });
  });

  it("maps Nest's HttpExceptions by status, keeping their message and any details", () => {
    const badJson = toHttpError(new BadRequestException('The request body is not valid JSON'));
    expect(badJson).toMatchObject({ status: 400, code: 'BAD_REQUEST', message: 'The request body is not valid JSON', cause: 'refused' });
    const notReady = toHttpError(new ServiceUnavailableException({ message: 'shutting down', details: { reasons: ['shutting down'] } }));
    expect(notReady).toMatchObject({ status: 503, code: 'UNAVAILABLE', message: 'shutting down', details: { reasons: ['shutting down'] } });
    // A 503 passes (not ready yet, telemetry held for the database): a warning, not a fault; Retry-After only where the thrower knows when.
    expect(notReady.headers).toEqual({});
    expect(notReady.cause).toBe('unavailable');
    const held = toHttpError(new ServiceUnavailableException({ message: 'telemetry is waiting', details: { retryAfterSeconds: 1 } }));
    expect(held).toMatchObject({ status: 503, headers: { 'Retry-After': '1' }, cause: 'unavailable' });
  });

  it("says what is wrong with a body the parser refused instead of the parser's own words", () => {
    const parserError = Object.assign(new SyntaxError('Unexpected token } in JSON at position 7'), { status: 400 });
    expect(toHttpError(parserError).message).toBe('The request body is not valid JSON');
    expect(toHttpError(Object.assign(new URIError('URI malformed'), { status: 400 })).message).toBe('The path is not valid percent-encoded UTF-8');
    // As they arrive: Nest's Express adapter wraps them in a BadRequestException that keeps their message.
    const wrapped = new BadRequestException('Unexpected token \'n\', "null" is not valid JSON', { cause: parserError });
    expect(toHttpError(wrapped)).toMatchObject({ status: 400, code: 'BAD_REQUEST', message: 'The request body is not valid JSON' });
    const wrappedPath = Object.assign(new URIError('URI malformed'), { status: 400 });
    expect(toHttpError(new BadRequestException('URI malformed', { cause: wrappedPath })).message).toBe('The path is not valid percent-encoded UTF-8');
  });

  it('answers anything else with 500 INTERNAL, a fault, without its message or stack', () => {
    const error = toHttpError(new TypeError("Cannot read properties of undefined (reading 'secret')"));
    expect(errorBody(error, 'r')).toEqual({ error: 'INTERNAL', message: 'Something went wrong on the server; the request id is in the logs', requestId: 'r' });
    expect(error.cause).toBe('fault');
    expect(toHttpError(undefined).status).toBe(500);
    expect(toHttpError(Object.assign(new Error('upstream'), { status: 502 })).status).toBe(500);
  });
});
