import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { evaluate, evaluateAll } from '@signalbox/sdk/core';
import type { StreamHelloMessage } from '@signalbox/sdk/protocol';
import { acceptsGzip } from '../http-hardening.js';
import { SseHeartbeat, sseEncoder, sseFramesOf, sseRefusalFrame } from '../realtime/sse-frames.js';
import type { DownstreamHub, Downstream } from './downstream-hub.js';
import type { KeyRing } from './key-ring.js';
import { NOT_READY, RelayError, requestIdOf, sendError, sendJson, setSecurityHeaders } from './relay-errors.js';
import { reasonOf, type RelayLogger } from './relay-logger.js';
import { RelayOfrep } from './relay-ofrep.js';
import { flagKeyOf, readAckBody, readEvaluateBody, readSdkBody } from './sdk-body.js';
import type { UpstreamLink } from './upstream-link.js';

const SDK = '/api/v1/sdk';
/** Says a relay answered; the only difference an SDK can see. */
export const RELAY_HEADER = 'X-Signalbox-Relay';

const sequenceFrom = (...candidates: Array<string | undefined | null>): number => {
  for (const candidate of candidates) {
    const n = Number(candidate);
    if (candidate !== undefined && candidate !== null && Number.isSafeInteger(n) && n > 0) return n;
  }
  return 0;
};

const bearerOf = (req: IncomingMessage): string | undefined => /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];

/** The relay's HTTP side: the SDK read path, the SSE stream and its acks, OFREP, and health. */
export class RelayHttp {
  private readonly ofrep: RelayOfrep;
  /** One keep-alive timer for every open stream. */
  readonly heartbeat = new SseHeartbeat();

  constructor(
    private readonly keys: KeyRing,
    private readonly hub: DownstreamHub,
    private readonly links: readonly UpstreamLink[],
    private readonly relayId: string,
    private readonly logger: RelayLogger,
  ) {
    this.ofrep = new RelayOfrep(keys, logger);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader(RELAY_HEADER, this.relayId);
    const url = req.url ?? '';
    const path = url.includes('?') ? url.slice(0, url.indexOf('?')) : url;
    if (path.startsWith('/ofrep/')) return this.ofrep.handle(req, res, path);
    const requestId = requestIdOf(req);
    res.setHeader('X-Request-Id', requestId);
    setSecurityHeaders(res);
    this.route(req, res, path).catch((err: unknown) =>
      sendError(res, err, requestId, (fault) => this.logger.error('SDK request failed', { requestId, reason: reasonOf(fault) })),
    );
  }

  private async route(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (path === '/healthz' && method === 'GET') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz' && method === 'GET') return this.readiness(res);
    if (path === `${SDK}/config` && (method === 'GET' || method === 'HEAD')) return this.config(req, res, await this.link(req));
    if (path === `${SDK}/evaluate` && method === 'POST') return this.evaluateAll(req, res, await this.link(req));
    if (path.startsWith(`${SDK}/evaluate/`) && method === 'POST') {
      const link = await this.link(req);
      return this.evaluateFlag(req, res, link, flagKeyOf(path.slice(`${SDK}/evaluate/`.length)));
    }
    if (path === `${SDK}/stream` && method === 'GET') return this.stream(req, res, await this.link(req));
    if (path === `${SDK}/ack` && method === 'POST') return this.ack(req, res, await this.link(req));
    // Telemetry goes on to the server as it came: the server validates, merges and answers (503
    // while it cannot take it, which the SDK keeps and sends again).
    if (path === `${SDK}/events` && method === 'POST') return this.passUpstream(req, res, await this.link(req), 'events');
    // What a relay downstream of this one needs from its upstream (the key set, presence reports).
    if ((path === `${SDK}/relay/keys` && method === 'GET') || (path === `${SDK}/relay/presence` && method === 'POST'))
      return this.passUpstream(req, res, await this.link(req), path.slice(`${SDK}/`.length));
    throw new RelayError('NOT_FOUND', `Cannot ${method} ${path}`);
  }

  /**
   * A request passed to this relay's upstream as it came, for a key this relay serves (`route`,
   * under the upstream's SDK path): a downstream relay's key-set request (long poll, ETag) or
   * presence report, so the server stays the one that decides which keys hold and counts every
   * relay's clients however many relays sit in between; and SDK telemetry. If this relay's client
   * goes away, the upstream request is cut too (the server then does not merge telemetry the SDK will send again).
   */
  private async passUpstream(req: IncomingMessage, res: ServerResponse, link: UpstreamLink, route: string): Promise<void> {
    const query = req.url?.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'if-none-match', 'x-signalbox-client', 'content-type']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const body = req.method === 'POST' ? await readSdkBody(req) : undefined;
    const waitMs = Math.min(Math.max(Number(new URLSearchParams(query).get('waitMs')) || 0, 0), 60_000);
    const aborted = new AbortController();
    res.once('close', () => aborted.abort());
    let upstream: Response;
    try {
      upstream = await fetch(`${link.base}/${route}${query}`, {
        method: req.method,
        headers,
        body,
        signal: AbortSignal.any([aborted.signal, AbortSignal.timeout(waitMs + 10_000)]),
      });
    } catch {
      throw new RelayError('UNAVAILABLE', 'The relay cannot reach its upstream now; retry');
    }
    let answer: Buffer;
    try {
      answer = Buffer.from(await upstream.arrayBuffer());
    } catch {
      throw new RelayError('UNAVAILABLE', 'The relay lost its upstream while answering; retry');
    }
    const forwarded: Record<string, string> = {};
    for (const name of ['content-type', 'etag', 'retry-after']) {
      const value = upstream.headers.get(name);
      if (value !== null) forwarded[name] = value;
    }
    res.writeHead(upstream.status, forwarded);
    res.end(answer);
  }

  private async link(req: IncomingMessage): Promise<UpstreamLink> {
    const secret = bearerOf(req);
    const checked = await this.keys.check(secret);
    if (!checked.ok) throw new RelayError(checked.error, checked.message);
    return checked.link;
  }

  private readiness(res: ServerResponse): void {
    const environments = this.links.map((link) => ({
      upstream: link.state,
      sequence: link.sequence,
      hasConfig: link.hasConfig,
      connections: this.hub.connectionsOf(link),
      lastContactAt: link.lastContactAt === undefined ? null : new Date(link.lastContactAt).toISOString(),
    }));
    // Ready while it can serve a config, upstream or not: serving the last config is the point.
    const ready = environments.every((e) => e.hasConfig);
    sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not-ready', relay: this.relayId, environments });
  }

  private config(req: IncomingMessage, res: ServerResponse, link: UpstreamLink): void {
    const snapshot = link.snapshot();
    if (!snapshot) throw new RelayError('UNAVAILABLE', NOT_READY);
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === snapshot.etag)) {
      res.writeHead(304, { ETag: snapshot.etag, 'Cache-Control': 'no-cache', Vary: 'Accept-Encoding' }).end();
      return;
    }
    const gzip = acceptsGzip(req.headers['accept-encoding']) ? snapshot.gzip : undefined;
    res.writeHead(200, {
      ETag: snapshot.etag,
      'Cache-Control': 'no-cache',
      'Content-Type': 'application/json; charset=utf-8',
      Vary: 'Accept-Encoding',
      ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : (gzip ?? snapshot.json));
  }

  private async evaluateAll(req: IncomingMessage, res: ServerResponse, link: UpstreamLink): Promise<void> {
    const body = await readEvaluateBody(req, false);
    const compiled = link.compiled;
    if (!compiled) throw new RelayError('UNAVAILABLE', NOT_READY);
    sendJson(res, 200, { sequence: link.sequence, flags: evaluateAll(compiled, body.context) });
  }

  private async evaluateFlag(req: IncomingMessage, res: ServerResponse, link: UpstreamLink, flagKey: string): Promise<void> {
    const body = await readEvaluateBody(req, true);
    const compiled = link.compiled;
    if (!compiled) throw new RelayError('UNAVAILABLE', NOT_READY);
    sendJson(res, 200, { flagKey, ...evaluate(compiled, flagKey, body.context, body.defaultValue ?? null, body.type), sequence: link.sequence });
  }

  private stream(req: IncomingMessage, res: ServerResponse, link: UpstreamLink): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const connectionId = `sse:${randomUUID()}`;
    const open = () => !res.writableEnded && !res.destroyed;
    res.on('error', () => undefined);
    this.heartbeat.add(res);
    // The same bytes for every stream: each message is encoded once (sse-frames.ts).
    const downstream: Downstream = {
      id: connectionId,
      keyHash: '',
      link,
      transport: 'sse',
      acked: 0,
      send: (messages) => {
        if (open()) res.write(sseFramesOf(messages));
      },
      close: (why) => {
        if (why && open()) res.write(sseRefusalFrame(why));
        this.heartbeat.delete(res);
        if (open()) res.end();
      },
    };
    downstream.keyHash = this.keyHashOf(req);
    req.on('close', () => {
      this.heartbeat.delete(res);
      this.hub.remove(downstream);
    });
    res.write(sseEncoder.encode('hello', undefined, { type: 'hello', connectionId } satisfies StreamHelloMessage));
    const query = new URL(req.url ?? '/', 'http://relay').searchParams;
    this.hub.subscribe(downstream, sequenceFrom(req.headers['last-event-id'] as string | undefined, query.get('sequence')));
  }

  private async ack(req: IncomingMessage, res: ServerResponse, link: UpstreamLink): Promise<void> {
    const body = await readAckBody(req);
    const downstream = this.hub.find(body.connectionId);
    if (!downstream || downstream.link !== link) throw new RelayError('NOT_FOUND', `Stream '${body.connectionId}' does not exist`);
    this.hub.ack(body.connectionId, body.sequence);
    res.writeHead(204).end();
  }

  private keyHashOf(req: IncomingMessage): string {
    return this.keys.hashOf(bearerOf(req) ?? '');
  }
}
