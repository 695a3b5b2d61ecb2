import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';
import { currentRequestId } from './request-context.js';

/** JSON logs on stdout; every line made while serving a request carries its request id. */
export const createRootLogger = (level: string): Logger =>
  pino({
    level,
    base: { service: 'signalbox' },
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
    // Belt and braces: secrets must never reach a log line even if someone logs a request.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.secret', '*.sdkKey'], censor: '[redacted]' },
  });

/** Nest's logger interface over pino, so framework messages are JSON too. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace', message: unknown, params: unknown[]): void {
    const context = typeof params[params.length - 1] === 'string' ? (params[params.length - 1] as string) : undefined;
    // Nest logs a failure as the Error itself (ExceptionHandler) or as (message, stack, context).
    if (message instanceof Error) {
      this.logger[level]({ context, err: message }, message.message || message.name);
      return;
    }
    if (typeof message === 'string' && params.length > 1 && typeof params[0] === 'string' && /\n\s+at /.test(params[0])) {
      this.logger[level]({ context, reason: params[0].split('\n')[0] }, message);
      return;
    }
    if (message !== null && typeof message === 'object') {
      const { err, ...rest } = message as { err?: unknown } & Record<string, unknown>;
      const msg = typeof params[0] === 'string' && params.length > 1 ? params[0] : undefined;
      this.logger[level]({ context, ...rest, ...(err ? { err } : {}) }, msg);
      return;
    }
    this.logger[level]({ context }, String(message));
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
}
