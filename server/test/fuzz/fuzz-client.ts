import fs from 'node:fs';
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import { currentRequestId } from '../../src/common/logging/request-context.js';
import { type Credential, credentialHeaders } from './fuzz-world.js';
import { toBuffer } from './json-text.js';
import type { Operation } from './openapi-operations.js';
import type { FuzzRequest } from './request-arbitraries.js';

export interface FuzzResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The longest the event loop was blocked while this request was in flight (wall clock). */
  stallMs: number;
  /** CPU time the event-loop thread used meanwhile: a block longer than this was the machine, not us. */
  cpuMs: number;
  durationMs: number;
  /** The request got no HTTP answer (reset, hang-up, timeout). */
  transportError?: string;
}

const RESPONSE_TIMEOUT_MS = 60_000;
// A Server-Sent Events stream never ends by itself: its status and first bytes are the answer.
const STREAM_READ_MS = 150;

/** The raw request path: path parameters go in exactly as generated, with no normalisation. */
export const rawPath = (op: Operation, request: FuzzRequest): string => {
  const path = op.template.replace(/\{(\w+)\}/g, (_, name: string) => request.pathValues[name] ?? '');
  return request.query ? `${path}?${request.query}` : path;
};

/**
 * The app runs in this process, so its event loop is ours: a histogram sampled every millisecond
 * sees any stretch in which no callback ran. It is reset only after the client has finished
 * building the request, so generating a 1 MB body is not charged to the server.
 */
export class StallMonitor {
  private readonly histogram = monitorEventLoopDelay({ resolution: 1 });

  constructor() {
    this.histogram.enable();
  }

  async start(): Promise<void> {
    // Let the histogram's timer, if the client's own work delayed it, fire (and be recorded) before
    // resetting: it is due before this one, so libuv runs it first.
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.histogram.reset();
  }

  maxMs(): number {
    return this.histogram.max / 1e6;
  }

  stop(): void {
    this.histogram.disable();
  }
}

export const send = async (port: number, monitor: StallMonitor, op: Operation, credential: Credential, request: FuzzRequest): Promise<FuzzResponse> => {
  const body = request.body ? toBuffer(request.body.pieces) : undefined;
  const headers: Record<string, string> = { ...request.headers, ...credentialHeaders(credential) };
  if (request.body?.contentType) headers['Content-Type'] = request.body.contentType;
  if (request.body?.contentEncoding) headers['Content-Encoding'] = request.body.contentEncoding;
  if (body) headers['Content-Length'] = String(body.length);
  const path = rawPath(op, request);

  await monitor.start();
  const started = performance.now();
  const cpuBefore = mainThreadCpuMs();
  const chunks: Buffer[] = [];
  const outcome = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; transportError?: string }>((resolve) => {
    let settled = false;
    const done = (v: { status: number; headers: http.IncomingHttpHeaders; transportError?: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(v);
    };
    // A fresh connection each time: a keep-alive socket the server just closed would show up as a
    // reset that has nothing to do with the request.
    const req = http.request({ host: '127.0.0.1', port, method: op.method.toUpperCase(), path, headers, agent: false });
    const timer = setTimeout(() => {
      done({ status: 0, headers: {}, transportError: `no answer within ${RESPONSE_TIMEOUT_MS / 1000} s` });
      req.destroy();
    }, RESPONSE_TIMEOUT_MS);
    req.on('error', (err) => done({ status: 0, headers: {}, transportError: `${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`.trim() }));
    req.on('response', (res) => {
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', () => undefined);
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers }));
      if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        setTimeout(() => {
          done({ status: res.statusCode ?? 0, headers: res.headers });
          req.destroy();
        }, STREAM_READ_MS);
      }
    });
    req.end(body);
  });
  const durationMs = performance.now() - started;
  const stallMs = monitor.maxMs();
  const cpuMs = mainThreadCpuMs() - cpuBefore + CPU_TICK_MS;
  return { ...outcome, body: Buffer.concat(chunks).toString('utf8'), stallMs, cpuMs, durationMs };
};

// The kernel counts a thread's CPU time in ticks of 10 ms (USER_HZ 100); one tick is the margin.
const CPU_TICK_MS = 10;
const MAIN_THREAD_STAT = `/proc/self/task/${process.pid}/stat`;

/**
 * CPU time of this process's main thread — the one the event loop runs on — from /proc; elsewhere
 * than Linux, the whole process's (a looser bound: it adds GC and thread-pool threads).
 */
export const mainThreadCpuMs = (): number => {
  try {
    const stat = fs.readFileSync(MAIN_THREAD_STAT, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * CPU_TICK_MS;
  } catch {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  }
};

export const getStatus = (port: number, path: string): Promise<number> =>
  new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
  });

/**
 * What the server logged for each failed request, by request id: the 500's real cause (the
 * response only says "Something went wrong"). Errors logged outside a request are kept too.
 */
export class ServerErrorLog {
  readonly byRequestId = new Map<string, string>();
  readonly unattributed: string[] = [];
  private restore?: () => void;

  install(): void {
    const target = (Logger as unknown as { staticInstanceRef?: { error: (...args: unknown[]) => void } }).staticInstanceRef;
    if (!target) throw new Error('no Nest logger to listen to');
    const original = target.error.bind(target);
    target.error = (message: unknown, ...params: unknown[]) => {
      this.record(message, params);
      original(message, ...params);
    };
    this.restore = () => {
      target.error = original;
    };
  }

  uninstall(): void {
    this.restore?.();
  }

  private record(message: unknown, params: unknown[]): void {
    const fields = message !== null && typeof message === 'object' && !(message instanceof Error) ? (message as { err?: unknown; requestId?: unknown }) : {};
    const err = message instanceof Error ? message : fields.err;
    const text = err !== undefined ? describeError(err) : `${String(typeof params[0] === 'string' ? params[0] : JSON.stringify(message)).slice(0, 300)}`;
    // The request id is in the log call (the filter, the SDK read path) or in the request's async context.
    const requestId = typeof fields.requestId === 'string' ? fields.requestId : currentRequestId();
    if (requestId) this.byRequestId.set(requestId, text);
    else this.unattributed.push(text);
  }
}

/** `URIError: URI malformed at sdk-api/sdk-read.handler.ts:87`: name, message and where in server/src it was thrown. */
export const describeError = (err: unknown): string => {
  if (!(err instanceof Error)) return String(err).slice(0, 300);
  const frame = (err.stack ?? '').split('\n').find((line) => line.includes('/server/src/'));
  const where = frame ? /\/server\/src\/([^):]+:\d+)/.exec(frame)?.[1] : undefined;
  return `${err.name}: ${err.message.split('\n')[0]!.slice(0, 200)}${where ? ` at ${where}` : ''}`;
};
