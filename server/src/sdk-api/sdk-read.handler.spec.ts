import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ArgumentsHost, Logger, type LoggerService } from '@nestjs/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CredentialsService } from '../auth/credentials.service.js';
import { DOMAIN_ERROR_CODES, DomainError } from '../common/errors/domain-error.js';
import { HttpExceptionFilter } from '../common/errors/http-exception.filter.js';
import type { EvaluationService } from '../evaluation/evaluation.service.js';
import type { SnapshotsService } from '../snapshots/snapshots.service.js';
import { SdkReadHandler } from './sdk-read.handler.js';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const REQUEST_ID = 'req-42';

/** The SDK read path's answer to GET /api/v1/sdk/config when reading the snapshot throws `err`. */
const sdkAnswer = (err: unknown): Promise<Answer> =>
  new Promise((resolve) => {
    const credentials = { resolve: async () => ({ kind: 'sdk', environmentId: 'env-1' }) } as unknown as CredentialsService;
    const snapshots = { current: () => Promise.reject(err) } as unknown as SnapshotsService;
    const handler = new SdkReadHandler(credentials, snapshots, {} as EvaluationService);
    const answered: Record<string, string> = {};
    let status = 0;
    const res = {
      headersSent: false,
      setHeader: (name: string, value: string) => void (answered[name.toLowerCase()] = value),
      writeHead(code: number, more: Record<string, string> = {}) {
        status = code;
        for (const [name, value] of Object.entries(more)) answered[name.toLowerCase()] = value;
        return this;
      },
      end: (text: string) => resolve({ status, headers: answered, body: JSON.parse(text) }),
    } as unknown as ServerResponse;
    const headers = { authorization: 'Bearer sdk-key', 'x-request-id': REQUEST_ID };
    const req = { url: '/api/v1/sdk/config', method: 'GET', headers } as unknown as IncomingMessage;
    expect(handler.handle(req, res)).toBe(true);
  });

/** What Nest's filter answers for the same error on any other route. */
const apiAnswer = (err: unknown): Answer => {
  const headers: Record<string, string> = {};
  const answer: Answer = { status: 0, headers, body: undefined };
  const res = {
    headersSent: false,
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = value),
    status(code: number) {
      answer.status = code;
      return this;
    },
    json: (body: unknown) => void (answer.body = body),
  };
  const host = { switchToHttp: () => ({ getRequest: () => ({ id: REQUEST_ID }), getResponse: () => res }) } as unknown as ArgumentsHost;
  new HttpExceptionFilter().catch(err, host);
  return answer;
};

// The API's own headers (security, content type) differ by front; the error's must not.
const errorHeaders = (answer: Answer) => ({ 'retry-after': answer.headers['retry-after'], connection: answer.headers.connection });

describe('SDK read path errors', () => {
  // What each front logged, as [context, level] pairs: the rules are part of the contract.
  let logged: Array<[string, string]> = [];
  const recorder =
    (level: string) =>
    (_message: unknown, ...rest: unknown[]) =>
      void logged.push([String(rest.at(-1)), level]);
  beforeAll(() => Logger.overrideLogger({ log: recorder('log'), warn: recorder('warn'), error: recorder('error') } satisfies LoggerService));
  afterAll(() => Logger.overrideLogger(['log', 'warn', 'error']));
  beforeEach(() => void (logged = []));

  it.each(DOMAIN_ERROR_CODES)('answers a DomainError %s exactly as every other route does, not with 500', async (code) => {
    const err = new DomainError(code, `refused: ${code}`, code === 'RATE_LIMITED' ? { retryAfterSeconds: 3 } : { code });
    const sdk = await sdkAnswer(err);
    const api = apiAnswer(err);
    expect(sdk.status).toBeLessThan(500);
    expect(sdk.status).toBe(api.status);
    expect(sdk.body).toEqual(api.body);
    expect(sdk.body).toMatchObject({ error: code, message: `refused: ${code}`, requestId: REQUEST_ID });
    expect(errorHeaders(sdk)).toEqual(errorHeaders(api));
    // A refusal is the client's doing, not the server's: neither front logs it.
    expect(logged).toEqual([]);
  });

  it('answers an unreachable database with 503 and Retry-After on both fronts', async () => {
    const down = Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
    const sdk = await sdkAnswer(down);
    expect(sdk).toMatchObject({ status: 503, body: { error: 'UNAVAILABLE' } });
    expect(sdk.headers['retry-after']).toBe('1');
    expect(errorHeaders(sdk)).toEqual(errorHeaders(apiAnswer(down)));
    expect(logged).toEqual([
      ['sdk-read', 'warn'],
      ['http', 'warn'],
    ]);
  });

  it('answers a bug with 500 INTERNAL on both fronts, without its message', async () => {
    const bug = new TypeError('x is not a function');
    const sdk = await sdkAnswer(bug);
    expect(sdk).toMatchObject({ status: 500, body: { error: 'INTERNAL' } });
    expect(sdk.body).toEqual(apiAnswer(bug).body);
    expect(logged).toEqual([
      ['sdk-read', 'error'],
      ['http', 'error'],
    ]);
  });
});
