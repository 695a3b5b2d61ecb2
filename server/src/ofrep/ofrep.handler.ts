import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, Logger } from '@nestjs/common';
import { CredentialsService } from '../auth/credentials.service.js';
import { toHttpError } from '../common/errors/http-error.mapper.js';
import { API_SECURITY_HEADERS } from '../http-hardening.js';
import { OfrepService } from './ofrep.service.js';
import { OFREP_CORS_HEADERS, OFREP_PREFLIGHT_HEADERS, type OfrepRoute, ofrepRoute } from './ofrep-http.js';
import { OfrepRefusal, readEvaluationContext } from './ofrep-request.js';

const OFREP_PREFIX = '/ofrep/';

/**
 * OFREP (the OpenFeature Remote Evaluation Protocol) at `<origin>/ofrep/v1/...`, outside the
 * `/api/v1` prefix because OFREP clients append the protocol's paths to a base URL. Served from
 * `node:http` like the SDK read path, for the same reason (per-request framework cost), and because
 * every answer, refusals included, must have OFREP's shape rather than Signalbox's error format.
 */
@Injectable()
export class OfrepHandler {
  private readonly logger = new Logger('ofrep');

  constructor(
    private readonly credentials: CredentialsService,
    private readonly ofrep: OfrepService,
  ) {}

  /** Handles the request and returns true, or returns false to let the rest of the app have it. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? '';
    if (!url.startsWith(OFREP_PREFIX)) return false;
    for (const [name, value] of API_SECURITY_HEADERS) res.setHeader(name, value);
    for (const [name, value] of OFREP_CORS_HEADERS) res.setHeader(name, value);
    const route = ofrepRoute(req.method ?? 'GET', url.includes('?') ? url.slice(0, url.indexOf('?')) : url);
    if (route.kind === 'preflight') {
      res.writeHead(204, OFREP_PREFLIGHT_HEADERS).end();
      return true;
    }
    this.answer(req, res, route).catch((err: unknown) => this.fail(res, err));
    return true;
  }

  private async answer(req: IncomingMessage, res: ServerResponse, route: Exclude<OfrepRoute, { kind: 'preflight' }>): Promise<void> {
    if (route.kind === 'refused') throw route.refusal;
    const environmentId = await this.authenticate(req);
    const context = await readEvaluationContext(req);
    if (route.kind === 'single') {
      const answer = await this.ofrep.evaluateFlag(environmentId, route.key, context);
      return json(res, answer.status, answer.body);
    }
    const ifNoneMatch = req.headers['if-none-match'];
    const answer = await this.ofrep.evaluateAll(environmentId, context, ifNoneMatch);
    res.setHeader('ETag', answer.etag);
    res.setHeader('Cache-Control', 'no-cache');
    if (answer.status === 304) return void res.writeHead(304).end();
    json(res, 200, answer.body);
  }

  /** SDK keys only, exactly as the SDK read path: `Authorization: Bearer <key>`, or OFREP's `X-API-Key: <key>`. */
  private async authenticate(req: IncomingMessage): Promise<string> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const apiKey = req.headers['x-api-key'];
    const secret = bearer ?? (typeof apiKey === 'string' && apiKey.trim() !== '' ? apiKey.trim() : undefined);
    if (secret === undefined)
      throw new OfrepRefusal(401, { errorDetails: 'send an SDK key as Authorization: Bearer <key> or X-API-Key: <key>' }, { 'WWW-Authenticate': 'Bearer' });
    const principal = await this.credentials.resolve(secret);
    if (!principal) throw new OfrepRefusal(401, { errorDetails: 'the credential is unknown, revoked or expired' }, { 'WWW-Authenticate': 'Bearer' });
    if (principal.kind !== 'sdk') throw new OfrepRefusal(403, { errorDetails: 'OFREP takes an SDK key' });
    return principal.environmentId;
  }

  // Refusals answer in OFREP's shape; anything else goes through the one error mapping every route
  // uses (statuses, Retry-After for 429/503) and is logged the same way: a bug as an error.
  private fail(res: ServerResponse, err: unknown): void {
    let refusal: OfrepRefusal;
    if (err instanceof OfrepRefusal) refusal = err;
    else {
      const error = toHttpError(err);
      if (error.cause === 'unavailable') this.logger.warn({ reason: (err as Error).message }, 'OFREP request answered 503: retry later');
      else if (error.cause === 'fault') this.logger.error({ err }, 'OFREP request failed');
      refusal = new OfrepRefusal(error.status, { errorDetails: error.message }, error.headers);
    }
    if (res.headersSent) return void res.end();
    for (const [name, value] of Object.entries(refusal.headers)) res.setHeader(name, value);
    json(res, refusal.status, refusal.body);
  }
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  // Serialise first: if it throws, the error still gets its status instead of an empty 200.
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(text);
};
