import fc from 'fast-check';
import { type FuzzResponse, getStatus, rawPath, send, type ServerErrorLog, type StallMonitor } from './fuzz-client.js';
import type { Credential, FuzzWorld } from './fuzz-world.js';
import { byteLength, preview, toJsExpression } from './json-text.js';
import type { Operation } from './openapi-operations.js';
import { attacksOn, type FuzzRequest, requestArbitrary } from './request-arbitraries.js';

/**
 * The properties every answer must have, whatever was sent and by whom:
 * - no 5xx;
 * - every 4xx in the documented error format `{ error, message, requestId, details? }`, as JSON,
 *   with the request id also in `X-Request-Id`, and no stack trace;
 * - a success that says it is JSON is JSON (a 200 with an empty body is a failure in disguise);
 * - the event loop never blocked more than 100 ms while the request was in flight;
 * - `/readyz` still answers 200 afterwards (checked after anything slow or failing, and after
 *   every tenth request; a server that stops being ready is caught within ten requests).
 */

export const MAX_STALL_MS = 100;
// A stall this short may be a garbage collection or a first compilation rather than the request:
// it counts only if it happens again on the same request (twice more). Longer ones count at once.
const CONFIRM_STALLS_BELOW_MS = 1_000;
const READY_WITHIN_MS = 5_000;
const MATRIX_MAX_BODY_BYTES = 64 * 1024;

/**
 * How long the request kept the event loop from running anything else: the longest gap between
 * event-loop turns, but never more than the CPU time the event-loop thread used meanwhile. On a
 * busy 2-core machine (npm test runs two test files at once) the loop also waits while the OS runs
 * someone else; that is not the request's doing, and work that really blocks the loop burns CPU.
 */
export const blockedMs = (r: FuzzResponse): number => Math.min(r.stallMs, r.cpuMs);

export interface FuzzCase {
  op: Operation;
  credential: Credential;
  request: FuzzRequest;
}

export type ViolationKind = 'server error' | 'error format' | 'success body' | 'event loop' | 'no answer' | 'not ready';

export interface Violation {
  kind: ViolationKind;
  /** What makes two violations the same failure: kind, operation and cause, never the input. */
  signature: string;
  message: string;
}

export interface Outcome {
  response: FuzzResponse;
  violations: Violation[];
}

export interface Finding {
  violation: Violation;
  fuzzCase: FuzzCase;
  response: FuzzResponse;
  /** Where it came from, to replay it: phase, seed and fast-check path. */
  origin: string;
  shrunk: boolean;
  /** How many times the signature was seen before shrinking. */
  seen: number;
}

export interface WorstStall {
  ms: number;
  fuzzCase: FuzzCase;
  status: number;
}

const normalise = (text: string): string =>
  text
    .replace(/'[^']*'|"[^"]*"/g, '…')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, 'UUID')
    .replace(/\d+/g, 'N')
    .slice(0, 160);

const ERROR_KEYS = new Set(['error', 'message', 'requestId', 'details']);

/** What is wrong with a 4xx answer's shape, or undefined. */
const errorFormatProblem = (res: FuzzResponse): string | undefined => {
  if (!String(res.headers['content-type'] ?? '').includes('application/json'))
    return `Content-Type is ${JSON.stringify(res.headers['content-type'] ?? null)}, not JSON`;
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return 'body is not JSON';
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'body is not an object';
  const b = body as Record<string, unknown>;
  if (typeof b.error !== 'string' || b.error === '') return '`error` is missing or not a string';
  if (typeof b.message !== 'string') return '`message` is missing or not a string';
  if (typeof b.requestId !== 'string' || b.requestId === '') return '`requestId` is missing';
  const extra = Object.keys(b).filter((k) => !ERROR_KEYS.has(k));
  if (extra.length) return `unexpected keys ${extra.join(', ')}`;
  if (res.headers['x-request-id'] !== b.requestId) return 'X-Request-Id header differs from requestId';
  if (/\bat .+\.(js|ts):\d+/.test(res.body)) return 'stack trace in body';
  return undefined;
};

const OFREP_ERROR_KEYS = new Set(['key', 'errorCode', 'errorDetails']);

/** OFREP routes answer in the OpenFeature protocol's own error shape: `{ key?, errorCode?, errorDetails }`. */
const ofrepErrorFormatProblem = (res: FuzzResponse): string | undefined => {
  if (!String(res.headers['content-type'] ?? '').includes('application/json'))
    return `Content-Type is ${JSON.stringify(res.headers['content-type'] ?? null)}, not JSON`;
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return 'body is not JSON';
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'body is not an object';
  const b = body as Record<string, unknown>;
  if (typeof b.errorDetails !== 'string' || b.errorDetails === '') return '`errorDetails` is missing or not a string';
  if (b.errorCode !== undefined && typeof b.errorCode !== 'string') return '`errorCode` is not a string';
  const extra = Object.keys(b).filter((k) => !OFREP_ERROR_KEYS.has(k));
  if (extra.length) return `unexpected keys ${extra.join(', ')}`;
  if (/\bat .+\.(js|ts):\d+/.test(res.body)) return 'stack trace in body';
  return undefined;
};

export class ApiFuzzer {
  readonly findings = new Map<string, Finding>();
  worst: WorstStall | undefined;
  requests = 0;
  private readonly arbitraries = new Map<string, fc.Arbitrary<FuzzRequest>>();

  constructor(
    private readonly world: FuzzWorld,
    private readonly operations: Operation[],
    private readonly monitor: StallMonitor,
    private readonly serverErrors: ServerErrorLog,
  ) {}

  requestsFor(op: Operation): fc.Arbitrary<FuzzRequest> {
    let arbitrary = this.arbitraries.get(op.id);
    if (!arbitrary) this.arbitraries.set(op.id, (arbitrary = requestArbitrary(op, this.world)));
    return arbitrary;
  }

  /** The credential the operation is for (most requests then pass the guard and reach validation). */
  fittingCredential(op: Operation): Credential {
    const named = (name: string) => this.world.credentials.find((c) => c.name === name)!;
    if (op.template.startsWith('/api/v1/sdk/')) return named('SDK key');
    if (op.template === '/metrics') return named('metrics token');
    if (['/api/v1/auth/login', '/api/v1/triggers/{secret}', '/healthz', '/readyz'].includes(op.template)) return named('no credentials');
    return named('admin token');
  }

  /** Random operation, mostly with its fitting credential, else any credential. */
  anyCase(): fc.Arbitrary<FuzzCase> {
    const credentials = this.world.credentials;
    return fc
      .constantFrom(...this.operations)
      .chain((op) =>
        fc
          .tuple(
            fc.oneof({ weight: 2, arbitrary: fc.constant(this.fittingCredential(op)) }, { weight: 1, arbitrary: fc.constantFrom(...credentials) }),
            this.requestsFor(op),
          )
          .map(([credential, request]) => ({ op, credential, request })),
      );
  }

  /** Each kind of attack the operation can take, sent with its fitting credential. */
  attacks(op: Operation): Array<{ name: string; cases: fc.Arbitrary<FuzzCase> }> {
    const credential = this.fittingCredential(op);
    return attacksOn(op, this.world).map(({ name, requests }) => ({ name, cases: requests.map((request) => ({ op, credential, request })) }));
  }

  /**
   * One cell of the operation × credential matrix. Its bodies stay small: what a huge body does is
   * the attack phase's business (with the credential that gets furthest), and 1,827 cells of
   * megabyte bodies would not fit a short run.
   */
  cellCase(op: Operation, credential: Credential): fc.Arbitrary<FuzzCase> {
    return this.requestsFor(op)
      .filter((request) => !request.body || byteLength(request.body.pieces) <= MATRIX_MAX_BODY_BYTES)
      .map((request) => ({ op, credential, request }));
  }

  /** Sends the case (as many times as it says) and judges every answer. */
  async check(c: FuzzCase): Promise<Outcome> {
    const violations: Violation[] = [];
    let response: FuzzResponse | undefined;
    for (let i = 0; i < (c.request.times ?? 1); i++) response = await this.sendAndJudge(c, violations);
    return { response: response!, violations };
  }

  private async sendAndJudge(c: FuzzCase, violations: Violation[]): Promise<FuzzResponse> {
    const { op, credential, request } = c;
    this.requests++;
    let response = await send(this.world.port, this.monitor, op, credential, request);
    if (blockedMs(response) > MAX_STALL_MS && blockedMs(response) < CONFIRM_STALLS_BELOW_MS) {
      for (let i = 0; i < 2 && blockedMs(response) > MAX_STALL_MS; i++) {
        const again = await send(this.world.port, this.monitor, op, credential, request);
        if (blockedMs(again) < blockedMs(response)) response = { ...response, stallMs: again.stallMs, cpuMs: again.cpuMs };
      }
    }
    const { status } = response;
    const requestId = String(response.headers['x-request-id'] ?? '');
    // node:http refuses some requests itself (a raw non-ASCII byte in the path, a request line over
    // 16 KB) before any route sees them: one failure whatever the operation.
    const where =
      response.headers['x-request-id'] === undefined && response.headers.connection === 'close' && response.body === '' ? 'node:http, before any route' : op.id;
    const add = (kind: ViolationKind, cause: string, message: string) => {
      const signature = `${kind} | ${where} | ${cause}`;
      if (!violations.some((v) => v.signature === signature)) violations.push({ kind, signature, message });
    };
    if (response.transportError) {
      add('no answer', normalise(response.transportError), `no HTTP answer: ${response.transportError}`);
    } else if (status >= 500) {
      const logged = this.serverErrors.byRequestId.get(requestId);
      let code: string;
      try {
        code = String((JSON.parse(response.body) as { error?: unknown }).error ?? '');
      } catch {
        code = 'non-JSON body';
      }
      add('server error', `${status} ${normalise(logged ?? code)}`, `${status} ${code}${logged ? ` — server logged ${logged}` : ''}`);
    } else if (status >= 400) {
      const problem = op.id.includes(' /ofrep/') ? ofrepErrorFormatProblem(response) : errorFormatProblem(response);
      if (problem) add('error format', `${status} ${problem}`, `${status} ${problem}: ${response.body.slice(0, 200) || '(empty body)'}`);
    } else if (status !== 204 && status !== 304 && String(response.headers['content-type'] ?? '').includes('application/json')) {
      try {
        JSON.parse(response.body);
      } catch {
        add('success body', `${status} not JSON`, `${status} with Content-Type JSON but the body is not JSON: ${JSON.stringify(response.body.slice(0, 100))}`);
      }
    }
    const blocked = blockedMs(response);
    if (blocked > MAX_STALL_MS) add('event loop', 'blocked', `event loop blocked ${Math.round(blocked)} ms (answer: ${status || response.transportError})`);
    if (!this.worst || blocked > this.worst.ms) this.worst = { ms: blocked, fuzzCase: c, status };

    // Readiness after anything slow or failing, and after every tenth request in any case.
    if (violations.length > 0 || response.durationMs > 100 || this.requests % 10 === 0) {
      const ready = await this.readyWithin(READY_WITHIN_MS);
      if (ready !== 200) add('not ready', String(ready), `/readyz answered ${ready} for ${READY_WITHIN_MS / 1000} s afterwards`);
    }

    // A session this request ended is signed in again, so later cases still have it.
    if (op.id === 'POST /api/v1/auth/logout' && status < 300 && credential.renew) await credential.renew();
    return response;
  }

  private async readyWithin(ms: number): Promise<number> {
    const deadline = Date.now() + ms;
    let status = await getStatus(this.world.port, '/readyz');
    while (status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = await getStatus(this.world.port, '/readyz');
    }
    return status;
  }

  /**
   * Runs `numRuns` cases of `arbitrary`, recording every violation without stopping; then shrinks
   * one example of each new signature (replaying its run from the seed) and records the smallest.
   * Returns the signatures first found here.
   */
  async explore(phase: string, arbitrary: fc.Arbitrary<FuzzCase>, seed: number, numRuns: number, shrinkBudget = { calls: 40, ms: 30_000 }): Promise<string[]> {
    const fresh = new Map<string, { index: number; fuzzCase: FuzzCase; outcome: Outcome; violation: Violation; count: number }>();
    let index = 0;
    const details = await fc.check(
      fc.asyncProperty(arbitrary, async (c) => {
        const run = index++;
        const outcome = await this.check(c);
        for (const violation of outcome.violations) {
          const known = this.findings.get(violation.signature);
          if (known) known.seen++;
          else if (fresh.has(violation.signature)) fresh.get(violation.signature)!.count++;
          else {
            fresh.set(violation.signature, { index: run, fuzzCase: c, outcome, violation, count: 1 });
            // Said at once, so a run cut short still tells what it found; shrunk and listed at the end.
            console.log(
              `fuzz: new failure in ${phase} run ${run}: [${violation.kind}] ${c.op.id} as ${c.credential.name} — ${violation.message.slice(0, 200)}`,
            );
          }
        }
        return true;
      }),
      { seed, numRuns },
    );
    // The property itself never fails: a failure here is the fuzzer's own bug, not the server's.
    if (details.failed) throw details.errorInstance ?? new Error('the fuzzer failed');
    for (const [signature, first] of fresh) {
      const shrunk = await this.shrink(arbitrary, seed, first.index, signature, shrinkBudget);
      this.findings.set(signature, {
        violation: shrunk?.violation ?? first.violation,
        fuzzCase: shrunk?.fuzzCase ?? first.fuzzCase,
        response: shrunk?.response ?? first.outcome.response,
        origin: `${phase}, seed ${seed}, run ${first.index}${shrunk?.path ? ` (shrunk: fast-check path ${shrunk.path})` : ''}`,
        shrunk: Boolean(shrunk),
        seen: first.count,
      });
    }
    return [...fresh.keys()];
  }

  private async shrink(arbitrary: fc.Arbitrary<FuzzCase>, seed: number, runIndex: number, signature: string, budget: { calls: number; ms: number }) {
    const started = Date.now();
    let calls = 0;
    let reproduced: boolean | undefined;
    let smallest: { fuzzCase: FuzzCase; response: FuzzResponse; violation: Violation } | undefined;
    const details = await fc.check(
      fc.asyncProperty(arbitrary, async (c) => {
        // Out of budget (or not reproducible): every further candidate "passes", which ends shrinking.
        if (reproduced === false || calls >= budget.calls || Date.now() - started > budget.ms) return true;
        calls++;
        const outcome = await this.check(c);
        const hit = outcome.violations.find((v) => v.signature === signature);
        reproduced ??= Boolean(hit);
        if (!hit) return true;
        smallest = { fuzzCase: c, response: outcome.response, violation: hit };
        return false;
      }),
      { seed, path: String(runIndex), numRuns: 1 },
    );
    return smallest && details.failed ? { ...smallest, path: details.counterexamplePath ?? undefined } : undefined;
  }
}

// ---------------------------------------------------------------- reports

const shq = (s: string): string => `'${s.replace(/'/g, `'"'"'`)}'`;

/** A line to paste into a shell (with SB and the credential variables set) that sends the same request. */
export const curlLine = (c: FuzzCase): string => {
  const { op, credential, request } = c;
  const parts = ['curl -sS --path-as-is', `-X ${op.method.toUpperCase()}`, `"$SB"${shq(rawPath(op, request))}`];
  const variable = credential.shellName ? `$${credential.shellName}` : credential.secret;
  if (credential.as === 'bearer') parts.push(`-H "Authorization: Bearer ${variable}"`);
  if (credential.as === 'cookie') parts.push(`-H "Cookie: signalbox_session=${variable}"`);
  if (credential.as === 'header') parts.push(`-H ${shq(`Authorization: ${credential.secret}`)}`);
  for (const [name, value] of Object.entries(request.headers)) parts.push(`-H ${shq(`${name}: ${value}`)}`);
  const body = request.body;
  if (body) {
    if (body.contentType) parts.push(`-H ${shq(`Content-Type: ${body.contentType}`)}`);
    if (body.contentEncoding) parts.push(`-H ${shq(`Content-Encoding: ${body.contentEncoding}`)}`);
    const size = byteLength(body.pieces);
    const plain = body.pieces.length === 1 && 'text' in body.pieces[0]! && size <= 400 && !/\p{Cc}/u.test(body.pieces[0].text);
    parts.push(
      plain
        ? `--data-binary ${shq((body.pieces[0] as { text: string }).text)}`
        : `--data-binary @<(node -e ${shq(`process.stdout.write(${toJsExpression(body.pieces)})`)})`,
    );
  }
  if ((request.times ?? 1) > 1) parts.push(`# ${request.times} times in a row`);
  return parts.join(' ');
};

export const describeCase = (c: FuzzCase): string => {
  const body = c.request.body ? `${byteLength(c.request.body.pieces).toLocaleString('en')} bytes: ${preview(c.request.body.pieces, 300)}` : 'none';
  const times = (c.request.times ?? 1) > 1 ? `; sent ${c.request.times} times` : '';
  return `${c.op.id} as ${c.credential.name}; path ${rawPath(c.op, c.request).slice(0, 300)}; body ${body}${times}`;
};

export const formatFinding = (f: Finding, i: number): string =>
  [
    `${i + 1}. [${f.violation.kind}] ${f.fuzzCase.op.id} — ${f.violation.message}`,
    `   credential: ${f.fuzzCase.credential.name}; seen ${f.seen}×; ${f.shrunk ? 'shrunk' : 'not shrunk'}; from ${f.origin}`,
    `   input: ${describeCase(f.fuzzCase)}`,
    `   ${curlLine(f.fuzzCase)}`,
  ].join('\n');
