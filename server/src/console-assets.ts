import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ensureRequestId } from './common/http/request-id.middleware.js';

/** How a file goes over the wire: the encodings the console's files are kept in. */
export type Encoding = 'br' | 'gzip' | 'identity';

/** Vite's output directory for hashed file names: a name changes whenever its content does. */
const HASHED_DIR = 'assets';
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html and unhashed files: kept, but asked again every time (a 304 when unchanged). */
const REVALIDATE = 'no-cache';
/** Below this, compressing costs more than it saves (the same threshold as the API's answers). */
const COMPRESS_FROM = 1024;
const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.txt', '.map', '.xml', '.ico', '.webmanifest']);

/** The q-value a client gives an encoding (by name, else `*`, else `identity`'s implicit 1). */
const qualityOf = (header: string, encoding: Encoding): number => {
  let named: number | undefined;
  let any: number | undefined;
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    const token = name.trim();
    if (token === encoding || (encoding === 'gzip' && token === 'x-gzip')) named = weight;
    else if (token === '*') any = weight;
  }
  const weight = named ?? any ?? (encoding === 'identity' ? 1 : 0);
  return Number.isFinite(weight) ? weight : 0;
};

/** The smallest encoding the client accepts: brotli, then gzip, then the plain bytes. */
export const chooseEncoding = (header: string | string[] | undefined, available: ReadonlySet<Encoding>): Encoding => {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  for (const encoding of ['br', 'gzip'] as const) if (available.has(encoding) && qualityOf(value, encoding) > 0) return encoding;
  return 'identity';
};

interface ConsoleFile {
  /** Path below the web directory, with forward slashes, e.g. `assets/index-abc123.js`. */
  relative: string;
  extension: string;
  immutable: boolean;
  /** The bytes per encoding, read (or compressed) on first use and kept: a console is about 1 MB. */
  bodies: Map<Encoding, Buffer>;
  available: Set<Encoding>;
  etag?: string;
}

/** Every file the build wrote (dot-files, such as the build stamp, and the compressed siblings aside). */
const listFiles = (dir: string, prefix = ''): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.')) return [];
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return listFiles(path.join(dir, entry.name), relative);
    return entry.isFile() && !/\.(br|gz)$/.test(entry.name) ? [relative] : [];
  });

/**
 * The body of `file` in `encoding`: the sibling the build wrote (`app.js.br`, `app.js.gz`) when there
 * is one, else compressed here once. Plain-text files under 1 KB and binary files are only served plain.
 */
const bodyOf = (webDir: string, file: ConsoleFile, encoding: Encoding): Buffer => {
  let body = file.bodies.get(encoding);
  if (body) return body;
  const full = path.join(webDir, file.relative);
  if (encoding === 'identity') body = fs.readFileSync(full);
  else {
    const sibling = `${full}.${encoding === 'br' ? 'br' : 'gz'}`;
    if (fs.existsSync(sibling)) body = fs.readFileSync(sibling);
    else {
      const plain = bodyOf(webDir, file, 'identity');
      body =
        encoding === 'br'
          ? brotliCompressSync(plain, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: plain.length } })
          : gzipSync(plain, { level: 9 });
    }
  }
  file.bodies.set(encoding, body);
  return body;
};

const indexFiles = (webDir: string): Map<string, ConsoleFile> => {
  const files = new Map<string, ConsoleFile>();
  for (const relative of listFiles(webDir)) {
    const extension = path.extname(relative).toLowerCase();
    const size = fs.statSync(path.join(webDir, relative)).size;
    const compressible = COMPRESSIBLE.has(extension) && size >= COMPRESS_FROM;
    files.set(relative, {
      relative,
      extension,
      immutable: relative.startsWith(`${HASHED_DIR}/`),
      bodies: new Map(),
      available: new Set<Encoding>(compressible ? ['br', 'gzip', 'identity'] : ['identity']),
    });
  }
  return files;
};

/** The request's path below the site root, or null when it cannot name a file (bad escape, `..`). */
const relativePathOf = (req: Request): string | null => {
  let decoded: string;
  try {
    decoded = decodeURIComponent(req.path);
  } catch {
    return null;
  }
  const parts = decoded.split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '.' || p === '..' || p.includes('\\') || p.includes('\0'))) return null;
  return parts.join('/');
};

/** Whether an If-None-Match header names `etag` (or `*`). */
const matchesEtag = (header: string | undefined, etag: string): boolean =>
  header !== undefined && header.split(',').some((tag) => ['*', etag, `W/${etag}`].includes(tag.trim()));

/**
 * Serves the built console (`web/dist`): hashed files under `assets/` with a year-long immutable
 * cache, index.html (for `/` and every client-side route) and other unhashed files revalidated with
 * an ETag (304 when unchanged); each in brotli or gzip when the client accepts it, from the
 * compressed copies the build wrote, so nothing is compressed per request. A missing file under
 * `assets/` is a 404, not index.html: a browser holding an old page must see its script fail, not
 * run HTML as JavaScript. Call it for GET and HEAD requests outside the API.
 */
export const consoleFiles = (webDir: string): RequestHandler => {
  const files = indexFiles(webDir);
  const index = files.get('index.html');
  if (!index) throw new Error(`no index.html in ${webDir}`);

  const send = (req: Request, res: Response, file: ConsoleFile) => {
    res.setHeader('Cache-Control', file.immutable ? IMMUTABLE : REVALIDATE);
    if (file.available.size > 1) res.vary('Accept-Encoding');
    if (!file.immutable) {
      // The ETag names the content, whatever encoding carries it.
      file.etag ??= `"${createHash('sha256')
        .update(bodyOf(webDir, file, 'identity'))
        .digest('base64url')
        .slice(0, 27)}"`;
      res.setHeader('ETag', file.etag);
      if (matchesEtag(req.header('if-none-match'), file.etag)) return void res.status(304).end();
    }
    const encoding = chooseEncoding(req.headers['accept-encoding'], file.available);
    const body = bodyOf(webDir, file, encoding);
    res.type(file.extension);
    if (encoding !== 'identity') res.setHeader('Content-Encoding', encoding);
    res.setHeader('Content-Length', body.length);
    res.status(200).end(req.method === 'HEAD' ? undefined : body);
  };

  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'OPTIONS') return next();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // Outside the API only the console's files live, and they are only read: a POST here is a client with the wrong base URL.
      const requestId = ensureRequestId(req, res);
      return void res.status(404).json({ error: 'NOT_FOUND', message: `Cannot ${req.method} ${req.path}: the API is under /api/v1`, requestId });
    }
    const relative = relativePathOf(req);
    const file = relative === null ? undefined : files.get(relative);
    if (file) return send(req, res, file);
    if (relative?.split('/')[0] === HASHED_DIR) {
      const requestId = ensureRequestId(req, res);
      res.setHeader('Cache-Control', 'no-store');
      return void res.status(404).json({ error: 'NOT_FOUND', message: `The console has no file ${req.path}: reload the page`, requestId });
    }
    send(req, res, index);
  };
};
