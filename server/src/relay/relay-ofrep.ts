import type { IncomingMessage, ServerResponse } from 'node:http';
import { evaluate, evaluateAll, type EnvironmentConfig } from '@signalbox/sdk/core';
import type { OfrepFlagResult } from '../ofrep/dto/ofrep.dto.js';
import { failureStatus, isFailure, toOfrepResult } from '../ofrep/ofrep.mapping.js';
import { contextHash, etagMatches, OFREP_CORS_HEADERS, OFREP_PREFLIGHT_HEADERS, type OfrepRoute, ofrepRoute } from '../ofrep/ofrep-http.js';
import { OfrepRefusal, readEvaluationContext } from '../ofrep/ofrep-request.js';
import { NOT_READY } from './relay-errors.js';
import { setSecurityHeaders, sendJson } from './relay-errors.js';
import type { KeyRing } from './key-ring.js';
import { reasonOf, type RelayLogger } from './relay-logger.js';
import type { UpstreamLink } from './upstream-link.js';

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
    for (const [name, value] of OFREP_CORS_HEADERS) res.setHeader(name, value);
    const route = ofrepRoute(req.method ?? 'GET', path);
    if (route.kind === 'preflight') return void res.writeHead(204, OFREP_PREFLIGHT_HEADERS).end();
    this.answer(req, res, route).catch((err: unknown) => {
      const refusal =
        err instanceof OfrepRefusal
          ? err
          : (this.logger.error('OFREP request failed', { reason: reasonOf(err) }),
            new OfrepRefusal(503, { errorDetails: 'the relay could not answer; retry' }, { 'Retry-After': '1' }));
      sendJson(res, refusal.status, refusal.body, { ...refusal.headers });
    });
  }

  private async answer(req: IncomingMessage, res: ServerResponse, route: Exclude<OfrepRoute, { kind: 'preflight' }>): Promise<void> {
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
