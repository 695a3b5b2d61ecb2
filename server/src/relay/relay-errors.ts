import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FieldProblem } from '../common/errors/domain-error.js';
import { API_SECURITY_HEADERS } from '../http-hardening.js';

/** The codes the relay answers with: the server's codes for the same situations, with the same statuses. */
export type RelayErrorCode = 'VALIDATION_FAILED' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'PAYLOAD_TOO_LARGE' | 'BAD_REQUEST' | 'UNAVAILABLE';

const STATUS: Readonly<Record<RelayErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  UNAVAILABLE: 503,
};

/** A refusal in the server's error format (`{ error, message, details?, requestId }`). */
export class RelayError extends Error {
  constructor(
    readonly code: RelayErrorCode,
    message: string,
    readonly details?: FieldProblem[],
  ) {
    super(message);
  }

  get status(): number {
    return STATUS[this.code];
  }
}

export const invalid = (problems: FieldProblem[]): RelayError =>
  new RelayError('VALIDATION_FAILED', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);

/** The server's messages for a missing or refused credential. */
export const NO_CREDENTIAL = 'Sign in or send a valid token';
export const REFUSED_CREDENTIAL = 'The credential is unknown, revoked or expired';
export const NOT_READY = 'The relay has no config from its upstream yet; retry';

const SAFE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The request id a response carries: the caller's when it is safe to echo, else a new one. */
export const requestIdOf = (req: IncomingMessage): string => {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
};

export const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  const text = JSON.stringify(body);
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
};

export const sendError = (res: ServerResponse, err: unknown, requestId: string, onFault: (err: unknown) => void): void => {
  let error: RelayError;
  if (err instanceof RelayError) error = err;
  else {
    onFault(err);
    error = new RelayError('UNAVAILABLE', 'The relay could not answer; retry');
  }
  const headers: Record<string, string> = error.code === 'UNAVAILABLE' ? { 'Retry-After': '1' } : {};
  sendJson(res, error.status, { error: error.code, message: error.message, requestId, ...(error.details ? { details: error.details } : {}) }, headers);
};

export const setSecurityHeaders = (res: ServerResponse): void => {
  for (const [name, value] of API_SECURITY_HEADERS) res.setHeader(name, value);
};
