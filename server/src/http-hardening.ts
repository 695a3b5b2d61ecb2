import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { gzipSync } from 'node:zlib';
import compression from 'compression';
import type { Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

/**
 * Security headers on everything Express serves: the console, its assets, the API docs, API
 * answers and errors. The policy fits what the console is — a Vite build of React with no inline
 * script and no eval, whose charts and React `style` props set inline styles, talking only to its
 * own origin (HTTP and socket.io) — and the docs page, whose template carries an inline stylesheet.
 */
export const securityHeaders = (): RequestHandler =>
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // No upgrade-insecure-requests: a console served over plain http inside a network must keep working.
      },
    },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // HSTS is for whoever terminates TLS: the server cannot tell whether it is behind https, and a
    // year-long pin set by mistake on a shared host name is hard to undo.
    strictTransportSecurity: false,
  }) as RequestHandler;

/**
 * The same protections for answers that never pass through Express (the SDK read path, node:http's
 * own refusals): JSON, never a page, so nothing may load or frame it.
 */
export const API_SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Referrer-Policy', 'no-referrer'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
];

/** Streams that must reach the client message by message: compressing would buffer them. */
const isStream = (req: IncomingMessage, res: ServerResponse): boolean => {
  const path = (req.url ?? '').split('?')[0]!;
  return path.startsWith('/socket.io/') || path === '/api/v1/sdk/stream' || String(res.getHeader('Content-Type') ?? '').startsWith('text/event-stream');
};

/** gzip (or deflate) for JSON, the console's assets and the docs, when the client accepts it and the body is over 1 KB; never for streams. */
export const responseCompression = (): RequestHandler =>
  compression({ threshold: 1024, filter: (req: Request, res: Response) => !isStream(req, res) && compression.filter(req, res) }) as RequestHandler;

/** Whether an Accept-Encoding header accepts gzip (by name or `*`, with a q-value above 0). */
export const acceptsGzip = (header: string | string[] | undefined): boolean => {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return false;
  let gzip: number | undefined;
  let any: number | undefined;
  for (const part of value.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (name.trim() === 'gzip' || name.trim() === 'x-gzip') gzip = weight;
    else if (name.trim() === '*') any = weight;
  }
  const weight = gzip ?? any ?? 0;
  return Number.isFinite(weight) && weight > 0;
};

const gzipped = new WeakMap<object, Buffer | null>();

/**
 * The gzip of a config snapshot's JSON, made once per snapshot (snapshots are rebuilt only when
 * the environment changes, and held until then), or undefined when it is too small to be worth it.
 */
export const gzippedSnapshot = (snapshot: { json: string }): Buffer | undefined => {
  let packed = gzipped.get(snapshot);
  if (packed === undefined) {
    packed = Buffer.byteLength(snapshot.json) < 1024 ? null : gzipSync(snapshot.json);
    gzipped.set(snapshot, packed);
  }
  return packed ?? undefined;
};

/** What node:http refuses before any route runs, as status, code and message. */
const clientErrorAnswer = (code: string | undefined): [number, string, string] => {
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'HEADERS_TOO_LARGE', 'The request line and headers together must be under 16 KB'];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'REQUEST_TIMEOUT', 'The request was not received in time'];
  return [400, 'BAD_REQUEST', 'The request is not valid HTTP/1.1 (a raw non-ASCII or control byte in the path or a header, or a malformed request line)'];
};

/**
 * Requests node:http's parser refuses (a raw byte over 0x7F in the path, headers over the limit, a
 * broken request line) get the API's error format instead of node's bare `400` with no body, and
 * the same security headers. A connection already gone is closed without an answer.
 */
export const answerClientErrors = (server: Server): void => {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const [status, error, message] = clientErrorAnswer(err.code);
    const requestId = randomUUID();
    // OFREP clients read their protocol's error shape; the path is still readable in the raw bytes.
    const ofrep = /^[A-Z]+ \/ofrep\//.test((err as { rawPacket?: Buffer }).rawPacket?.subarray(0, 32).toString('latin1') ?? '');
    const body = JSON.stringify(ofrep ? { ...(status === 400 ? { errorCode: 'PARSE_ERROR' } : {}), errorDetails: message } : { error, message, requestId });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\n` +
        API_SECURITY_HEADERS.map(([name, value]) => `${name}: ${value}\r\n`).join('') +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
};
