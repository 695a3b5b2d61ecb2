import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { evaluate, evaluateAll, type EnvironmentConfig, type EvaluationContext } from '@signalbox/sdk/core';
import type { OfrepFlagResult } from '../ofrep/dto/ofrep.dto.js';
import { failureStatus, isFailure, toOfrepResult } from '../ofrep/ofrep.mapping.js';
import { OfrepRefusal, readEvaluationContext } from '../ofrep/ofrep-request.js';
import { NOT_READY } from './relay-errors.js';
import { setSecurityHeaders, sendJson } from './relay-errors.js';
import type { KeyRing } from './key-ring.js';
import { reasonOf, type RelayLogger } from './relay-logger.js';
import type { UpstreamLink } from './upstream-link.js';

const BULK_PATH = '/ofrep/v1/evaluate/flags';
const CORS_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['Access-Control-Allow-Origin', '*'],
  ['Access-Control-Expose-Headers', 'ETag, Retry-After, X-Request-Id'],
];
const PREFLIGHT_HEADERS = {
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, X-API-Key, Content-Type, If-None-Match, X-Request-Id',
  'Access-Control-Max-Age': '600',
};

type Route = { kind: 'bulk' } | { kind: 'single'; key: string } | { kind: 'preflight' } | { kind: 'refused'; refusal: OfrepRefusal };

/**
 * OFREP on the relay: the server's routes, request parsing (ofrep-request.ts) and result mapping
 * (ofrep.mapping.ts) on the relay's compiled config. The routing and ETag below mirror
 * ofrep.handler.ts and ofrep.service.ts, which are Nest providers the relay does not load.
 */
export class RelayOfrep {
  private readonly versions = new WeakMap<EnvironmentConfig, ReadonlyMap<string, number>>();

  constructor(
    private readonly keys: KeyRing,
    private readonly logger: RelayLogger,
  ) {}

  handle(req: IncomingMessage, res: ServerResponse, path: string): void {
    setSecurityHeaders(res);
    for (const [name, value] of CORS_HEADERS) res.setHeader(name, value);
    const route = routeOf(req.method ?? 'GET', path);
    if (route.kind === 'preflight') return void res.writeHead(204, PREFLIGHT_HEADERS).end();
    this.answer(req, res, route).catch((err: unknown) => {
      const refusal =
        err instanceof OfrepRefusal
          ? err
          : (this.logger.error('OFREP request failed', { reason: reasonOf(err) }),
            new OfrepRefusal(503, { errorDetails: 'the relay could not answer; retry' }, { 'Retry-After': '1' }));
      sendJson(res, refusal.status, refusal.body, { ...refusal.headers });
    });
  }

  private async answer(req: IncomingMessage, res: ServerResponse, route: Exclude<Route, { kind: 'preflight' }>): Promise<void> {
    if (route.kind === 'refused') throw route.refusal;
    const link = await this.authenticate(req);
    const context = await readEvaluationContext(req);
    const compiled = link.compiled;
    const snapshot = link.snapshot();
    if (!compiled || !snapshot) throw new OfrepRefusal(503, { errorDetails: NOT_READY }, { 'Retry-After': '1' });
    const versions = this.versionsOf(snapshot.config);
    if (route.kind === 'single') {
      const body = toOfrepResult(route.key, evaluate(compiled, route.key, context, null), versions.get(route.key));
      return sendJson(res, isFailure(body) ? failureStatus(body.errorCode) : 200, body);
    }
    const etag = `"${snapshot.sequence}-${contextHash(link.ownKeyHash, context)}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'no-cache');
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, etag)) return void res.writeHead(304).end();
    const flags: OfrepFlagResult[] = [];
    for (const [key, result] of Object.entries(evaluateAll(compiled, context))) flags.push(toOfrepResult(key, result, versions.get(key)));
    sendJson(res, 200, { flags, metadata: { sequence: snapshot.sequence } });
  }

  private async authenticate(req: IncomingMessage): Promise<UpstreamLink> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const apiKey = req.headers['x-api-key'];
    const secret = bearer ?? (typeof apiKey === 'string' && apiKey.trim() !== '' ? apiKey.trim() : undefined);
    if (secret === undefined)
      throw new OfrepRefusal(401, { errorDetails: 'send an SDK key as Authorization: Bearer <key> or X-API-Key: <key>' }, { 'WWW-Authenticate': 'Bearer' });
    const checked = await this.keys.check(secret);
    if (checked.ok) return checked.link;
    if (checked.error === 'UNAVAILABLE') throw new OfrepRefusal(503, { errorDetails: checked.message }, { 'Retry-After': '1' });
    throw new OfrepRefusal(401, { errorDetails: 'the credential is unknown, revoked or expired' }, { 'WWW-Authenticate': 'Bearer' });
  }

  private versionsOf(config: EnvironmentConfig): ReadonlyMap<string, number> {
    let versions = this.versions.get(config);
    if (!versions) this.versions.set(config, (versions = new Map(config.flags.map((flag) => [flag.key, flag.version]))));
    return versions;
  }
}

const routeOf = (method: string, path: string): Route => {
  const isBulk = path === BULK_PATH;
  const isSingle = path.startsWith(`${BULK_PATH}/`) && path.length > BULK_PATH.length + 1;
  if (!isBulk && !isSingle) return { kind: 'refused', refusal: new OfrepRefusal(404, { errorDetails: `no OFREP endpoint at ${path}` }) };
  if (method === 'OPTIONS') return { kind: 'preflight' };
  if (method !== 'POST')
    return { kind: 'refused', refusal: new OfrepRefusal(405, { errorDetails: 'OFREP evaluation takes POST' }, { Allow: 'POST, OPTIONS' }) };
  if (isBulk) return { kind: 'bulk' };
  const encoded = path.slice(BULK_PATH.length + 1);
  try {
    return { kind: 'single', key: decodeURIComponent(encoded) };
  } catch {
    return {
      kind: 'refused',
      refusal: new OfrepRefusal(400, { key: encoded, errorCode: 'PARSE_ERROR', errorDetails: 'the flag key is not valid percent-encoded UTF-8' }),
    };
  }
};

// Keyed by the environment's relay key rather than its id (which the relay does not know): an ETag
// from the relay is then never mistaken for the server's, and changes with the config and the context.
const contextHash = (environment: string, context: EvaluationContext): string =>
  createHash('sha256').update(environment).update('\0').update(JSON.stringify(context)).digest('base64url').slice(0, 22);

const etagMatches = (header: string, etag: string): boolean =>
  header.split(',').some((raw) => {
    const tag = raw.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
