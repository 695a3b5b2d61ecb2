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

export const requestIdMiddleware = (req: Request, res: Response, next: NextFunction): void => {
  const incoming = req.header('x-request-id');
  const requestId = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
  req.id = requestId;
  res.setHeader('X-Request-Id', requestId);
  runWithRequestContext({ requestId }, next);
};
