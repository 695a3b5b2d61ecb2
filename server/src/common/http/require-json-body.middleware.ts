import { UnsupportedMediaTypeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * Only JSON bodies are parsed. A body of another type would reach the handlers as no body at
 * all, so a PATCH whose fields are all optional would answer 200 and change nothing; refuse it.
 */
export const requireJsonBody = (req: Request, _res: Response, next: NextFunction): void => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is('application/json')) {
    next(new UnsupportedMediaTypeException('Send the request body as application/json'));
    return;
  }
  next();
};
