import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequestException, Injectable, Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { CredentialsService } from '../auth/credentials.service.js';
import type { Principal } from '../auth/principal.js';
import { DomainError, forbidden, unauthenticated, validationFailed } from '../common/errors/domain-error.js';
import { errorBody, toHttpError } from '../common/errors/http-error.mapper.js';
import { jsonNestingExceeds, MAX_RAW_JSON_DEPTH, TOO_DEEP_BODY } from '../common/http/json-depth.js';
import { declaredBoundsProblems, inputShapeProblems, removeUnknownFields } from '../common/validation/input-bounds.js';
import { holdPlainValues, putBack } from '../common/validation/plain-values.js';
import { flattenValidationErrors, VALIDATOR_OPTIONS, validationFailedCapped } from '../common/validation/validation-pipe.js';
import { EvaluateAllDto, EvaluateFlagDto } from '../evaluation/dto/evaluate.dto.js';
import { EvaluationService } from '../evaluation/evaluation.service.js';
import { acceptsGzip, API_SECURITY_HEADERS, gzippedSnapshot } from '../http-hardening.js';
import { SnapshotsService } from '../snapshots/snapshots.service.js';
import { readLimitedBody } from '../common/http/read-limited-body.js';
import { ParsedBuckets, validateEvents } from '../telemetry/dto/events-body.pipe.js';
import { TelemetryService } from '../telemetry/telemetry.service.js';

const MAX_BODY_BYTES = 1024 * 1024;
const SAFE_ID = /^[A-Za-z0-9._-]{1,64}$/;
const CONFIG_PATH = '/api/v1/sdk/config';
const EVALUATE_PATH = '/api/v1/sdk/evaluate';
const EVENTS_PATH = '/api/v1/sdk/events';
/** What body-parser's strict mode takes as JSON text: an object or an array, after JSON's whitespace (space, tab, LF, CR). */
const opensObjectOrArray = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    return c === 0x7b || c === 0x5b;
  }
  return false;
};

/**
 * Whether Express would parse the body as UTF-8 JSON as it comes (application/json, no charset or
 * UTF-8, no Content-Encoding). Anything else (another type: 415; a charset or encoding body-parser
 * converts or refuses) is left to Express, so it is answered exactly as before.
 */
const isPlainJsonRequest = (req: IncomingMessage): boolean => {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
  const type = req.headers['content-type'];
  if (type === undefined) return false;
  const [media, ...params] = type.split(';');
  if (media!.trim().toLowerCase() !== 'application/json') return false;
  return params.every((p) => {
    const [name, value] = p.split('=');
    return name!.trim().toLowerCase() === 'charset' && /^"?utf-8"?$/i.test((value ?? '').trim());
  });
};

/**
 * The events body's bytes, as readLimitedBody reads them (refused past `MAX_BODY_BYTES` as soon as
 * it is, the rest drained), but without copying a body that arrived in one chunk, as an SDK's
 * batch almost always does: this runs for every batch.
 */
const readEventsBytes = (req: IncomingMessage, tooLarge: () => Error): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    let first: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        if (first === undefined) first = chunk;
        else (chunks ??= [first]).push(chunk);
        return;
      }
      req.removeAllListeners('data');
      req.resume();
      reject(tooLarge());
    });
    req.on('end', () => resolve(chunks !== undefined ? Buffer.concat(chunks, size) : (first ?? Buffer.alloc(0))));
    req.on('error', reject);
  });

const OPENING_BRACKETS = [0x7b, 0x5b] as const;
/**
 * Whether the bytes hold at most `max` opening brackets (`{`, `[`, in strings or not): then they
 * cannot nest deeper than `max`, and the byte-by-byte nesting scan is not needed. Counted with
 * Buffer#indexOf (memchr): a few µs for a batch, against some 25 µs for the scan.
 */
const opensAtMost = (body: Buffer, max: number): boolean => {
  let n = 0;
  for (const bracket of OPENING_BRACKETS) {
    for (let at = body.indexOf(bracket); at >= 0; at = body.indexOf(bracket, at + 1)) if (++n > max) return false;
  }
  return true;
};

/** The telemetry body as Express's JSON parser reads it: the same limit, depth refusal and errors. */
const readEventsBody = async (req: IncomingMessage): Promise<unknown> => {
  // body-parser's own error (status 413), so the answer is the one Express gave.
  const body = await readEventsBytes(req, () => Object.assign(new Error('request entity too large'), { status: 413 }));
  if (body.length === 0) return {};
  if (!opensAtMost(body, MAX_RAW_JSON_DEPTH) && jsonNestingExceeds(body, MAX_RAW_JSON_DEPTH)) throw validationFailed([TOO_DEEP_BODY]);
  // Decoded as body-parser's decoder does: UTF-8, a byte-order mark dropped.
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (!opensObjectOrArray(text)) throw new BadRequestException('The request body is not valid JSON');
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequestException('The request body is not valid JSON');
  }
};

const readBody = async (req: IncomingMessage): Promise<unknown> => {
  const body = await readLimitedBody(req, MAX_BODY_BYTES, () => new DomainError('PAYLOAD_TOO_LARGE', 'The request body is larger than 1 MB'));
  if (body.length === 0) return {};
  // JSON.parse alone takes about a second for the 500,000 levels 1 MB can nest.
  if (jsonNestingExceeds(body, MAX_RAW_JSON_DEPTH)) throw validationFailedCapped([TOO_DEEP_BODY]);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadRequestException('The request body is not valid JSON');
  }
};

// A malformed escape (`%E0%A4%A`, `%FF`, a lone `%`) names no flag; decodeURIComponent throws on it.
const flagKeyOf = (encoded: string): string => {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw validationFailedCapped([{ field: 'flag', reason: 'is not valid percent-encoded UTF-8' }]);
  }
};

/** The caller's request id if it is a safe one, else a new one (echoed as X-Request-Id, and named in error bodies). */
const requestIdOf = (req: IncomingMessage): string => {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
};

/** A 202's headers after X-Request-Id, as a flat name, value list (writeHead takes it without building a header map). */
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const ACCEPTED_HEADERS: readonly string[] = [...API_SECURITY_HEADERS.flat(), 'Content-Type', JSON_CONTENT_TYPE];

const KINDS = new Set(['boolean', 'string', 'number', 'json']);
const isObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);

const isPlainlyValid = (type: new () => object, body: Record<string, unknown>): boolean => {
  if (!isObject(body.context)) return false;
  for (const key in body) {
    if (key === 'context') continue;
    if (type !== EvaluateFlagDto) return false;
    if (key === 'defaultValue') continue;
    if (key === 'type' && typeof body.type === 'string' && KINDS.has(body.type)) continue;
    return false;
  }
  return true;
};

/**
 * The SDK path — config snapshot, remote evaluation, telemetry — served straight from `node:http`.
 * These are the calls SDKs, proxies and polling clients make thousands of times a second; the
 * framework's per-request pipeline (routing, guards, pipes) costs more than the work itself here.
 * Same services, same SDK-key check, same validation and error format as every other route.
 */
@Injectable()
export class SdkReadHandler {
  private readonly logger = new Logger('sdk-read');

  constructor(
    private readonly credentials: CredentialsService,
    private readonly snapshots: SnapshotsService,
    private readonly evaluation: EvaluationService,
    private readonly telemetry: TelemetryService,
  ) {}

  /** Handles the request and returns true, or returns false to let the rest of the app have it. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? '';
    const path = url.includes('?') ? url.slice(0, url.indexOf('?')) : url;
    let route: (principal: Principal & { kind: 'sdk' }) => Promise<void>;
    if (path === CONFIG_PATH && (req.method === 'GET' || req.method === 'HEAD')) route = (p) => this.config(req, res, p);
    else if (path === EVALUATE_PATH && req.method === 'POST') route = (p) => this.evaluateAll(req, res, p);
    else if (path.startsWith(`${EVALUATE_PATH}/`) && req.method === 'POST')
      route = (p) => this.evaluateFlag(req, res, p, flagKeyOf(path.slice(EVALUATE_PATH.length + 1)));
    else if (path === EVENTS_PATH && req.method === 'POST' && isPlainJsonRequest(req)) return this.events(req, res);
    else return false;

    const requestId = this.start(req, res);
    this.authenticate(req)
      .then(route)
      .catch((err: unknown) => this.fail(res, err, requestId));
    return true;
  }

  /**
   * `POST /sdk/events`, as Nest's route answered it: the body is read and parsed first (413, 400),
   * then the SDK key checked (401, 403), then the body validated once (validateEvents, 400) and
   * merged into the rollup buffer (503 while it is full): 202.
   */
  private events(req: IncomingMessage, res: ServerResponse): true {
    const requestId = requestIdOf(req);
    readEventsBody(req)
      .then(async (body) => {
        const principal = await this.authenticate(req);
        const now = Date.now();
        // The histograms as the validation read them, so the merge does not walk them again.
        const buckets = new ParsedBuckets();
        const payload = await validateEvents(body, now, buckets);
        const result = await this.telemetry.ingest(principal.environmentId, payload, new Date(now), buckets, () => req.socket.destroyed);
        // The answer every accepted batch gets, written in one piece: the headers start() and json()
        // set (in the same order), as one list, and the body with its length (no chunked framing).
        const text = `{"batches":${result.batches},"series":${result.series},"evaluations":${result.evaluations},"samples":${result.samples}}`;
        res.writeHead(202, ['X-Request-Id', requestId, ...ACCEPTED_HEADERS, 'Content-Length', String(text.length)]);
        res.end(text);
      })
      .catch((err: unknown) => {
        // Refusals (and faults) take the general way: the same headers, set one by one, and errorBody.
        if (!res.headersSent) this.setStartHeaders(res, requestId);
        this.fail(res, err, requestId);
      });
    return true;
  }

  private start(req: IncomingMessage, res: ServerResponse): string {
    const requestId = requestIdOf(req);
    this.setStartHeaders(res, requestId);
    return requestId;
  }

  private setStartHeaders(res: ServerResponse, requestId: string): void {
    res.setHeader('X-Request-Id', requestId);
    for (const [name, value] of API_SECURITY_HEADERS) res.setHeader(name, value);
  }

  private async authenticate(req: IncomingMessage): Promise<Principal & { kind: 'sdk' }> {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) throw unauthenticated();
    const principal = await this.credentials.resolve(match[1]!);
    if (!principal) throw unauthenticated('The credential is unknown, revoked or expired');
    if (principal.kind !== 'sdk') throw forbidden('This endpoint takes an SDK key');
    return principal;
  }

  private async config(req: IncomingMessage, res: ServerResponse, principal: Principal & { kind: 'sdk' }): Promise<void> {
    const snapshot = await this.snapshots.current(principal.environmentId);
    if (!snapshot) throw new DomainError('NOT_FOUND', 'The environment of this SDK key does not exist');
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === snapshot.etag)) {
      res.writeHead(304, { ETag: snapshot.etag, 'Cache-Control': 'no-cache', Vary: 'Accept-Encoding' }).end();
      return;
    }
    // Large snapshots go gzipped to SDKs that accept it, compressed once per snapshot.
    const gzip = acceptsGzip(req.headers['accept-encoding']) ? gzippedSnapshot(snapshot) : undefined;
    res.writeHead(200, {
      ETag: snapshot.etag,
      'Cache-Control': 'no-cache',
      'Content-Type': JSON_CONTENT_TYPE,
      Vary: 'Accept-Encoding',
      ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : (gzip ?? snapshot.json));
  }

  private async evaluateAll(req: IncomingMessage, res: ServerResponse, principal: Principal & { kind: 'sdk' }): Promise<void> {
    const body = await this.validated(EvaluateAllDto, await readBody(req));
    this.json(res, 200, await this.evaluation.evaluateAll(principal.environmentId, body.context));
  }

  private async evaluateFlag(req: IncomingMessage, res: ServerResponse, principal: Principal & { kind: 'sdk' }, flagKey: string): Promise<void> {
    const body = await this.validated(EvaluateFlagDto, await readBody(req));
    this.json(res, 200, await this.evaluation.evaluateFlag(principal.environmentId, flagKey, body.context, body.defaultValue ?? null, body.type));
  }

  // The same rules as the global ValidationPipe: whitelist, no unknown fields, every problem named.
  // A body that is plainly well formed skips class-validator (most of this route's cost); anything
  // else goes through it, so every rejection carries exactly the details the DTO defines.
  private async validated<T extends object>(type: new () => T, body: unknown): Promise<T> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new DomainError('VALIDATION_FAILED', 'The body must be a JSON object', []);
    // The bounds every route has (depth, sizes, values), before anything walks the body: a deep
    // one overflowed the stack in class-transformer, or in JSON.stringify of a served defaultValue.
    const oversized = declaredBoundsProblems(body, type);
    if (oversized.length > 0) throw validationFailedCapped(oversized);
    const unknownFields = removeUnknownFields(body, type);
    const shape = inputShapeProblems(body);
    if (shape.length > 0) throw validationFailedCapped(shape);
    if (unknownFields.length === 0 && isPlainlyValid(type, body as Record<string, unknown>)) return body as T;
    const held = holdPlainValues(body, type);
    const instance = plainToInstance(type, body);
    putBack(instance, held);
    const errors = await validate(instance, VALIDATOR_OPTIONS);
    if (errors.length > 0 || unknownFields.length > 0) throw validationFailedCapped([...unknownFields, ...flattenValidationErrors(errors)]);
    return instance;
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    // Serialise first: if it throws, the error still gets its status instead of an empty 200.
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': JSON_CONTENT_TYPE });
    res.end(text);
  }

  // Errors are thrown here as everywhere else (DomainError, Nest's HttpException) and answered by the
  // same mapping as Nest's routes, so a code has one status on every route. Logged the same way too:
  // a refusal not at all, an unreachable database as a warning, a bug as an error.
  private fail(res: ServerResponse, err: unknown, requestId: string): void {
    const error = toHttpError(err);
    if (error.cause === 'unavailable') this.logger.warn({ requestId, reason: (err as Error).message }, 'SDK request answered 503: retry later');
    else if (error.cause === 'fault') this.logger.error({ err, requestId }, 'SDK request failed');
    if (res.headersSent) return void res.end();
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    this.json(res, error.status, errorBody(error, requestId));
  }
}
