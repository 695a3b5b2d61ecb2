import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { runWithRequestContext } from '../logging/request-context.js';

declare module 'express-serve-static-core' {
  interface Request {
    id?: string;
  }
}

// Accept a caller's id only when it is short and plain, so it cannot inject into logs.
const SAFE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The request's id, assigning one (and the response header) if no middleware has yet. */
export const ensureRequestId = (req: Request, res: Response): string => {
  if (req.id) return req.id;
  const incoming = req.header('x-request-id');
  const requestId = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
  req.id = requestId;
  if (!res.headersSent) res.setHeader('X-Request-Id', requestId);
  return requestId;
};

export const requestIdMiddleware = (req: Request, res: Response, next: NextFunction): void => {
  const requestId = ensureRequestId(req, res);
  runWithRequestContext({ requestId }, next);
};
