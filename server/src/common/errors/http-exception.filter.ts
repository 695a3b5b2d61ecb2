import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ensureRequestId } from '../http/request-id.middleware.js';
import { errorBody, toHttpError } from './http-error.mapper.js';

/** Where errors of Nest's routes become responses: `{ error, message, details?, requestId }`, never a stack trace. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    // The body parser runs before the request-id middleware, so its errors arrive without an id.
    const requestId = ensureRequestId(request, response);
    const error = toHttpError(exception);
    if (error.cause === 'unavailable') this.logger.warn({ requestId, reason: (exception as Error).message }, 'request answered 503: retry later');
    else if (error.cause === 'fault') this.logger.error({ err: exception, requestId }, 'request failed');
    if (response.headersSent) return;
    for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value);
    response.status(error.status).json(errorBody(error, requestId));
  }
}
