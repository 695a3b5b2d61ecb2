import type { IncomingMessage, ServerResponse } from 'node:http';
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
