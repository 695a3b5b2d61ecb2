import { createHash } from 'node:crypto';
import type { EvaluationContext } from '@signalbox/sdk/core';
import { OfrepRefusal } from './ofrep-request.js';

// What the server's OFREP handler and the relay's answer the same way: routes, CORS and ETags.

const BULK_PATH = '/ofrep/v1/evaluate/flags';

/**
 * CORS for browser providers (OFREPWebProvider) on other origins. Any origin: the credential is an
 * SDK key sent in a header, never a cookie, so there is nothing ambient for another site to use.
 */
export const OFREP_CORS_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['Access-Control-Allow-Origin', '*'],
  ['Access-Control-Expose-Headers', 'ETag, Retry-After, X-Request-Id'],
];
export const OFREP_PREFLIGHT_HEADERS = {
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, X-API-Key, Content-Type, If-None-Match, X-Request-Id',
  'Access-Control-Max-Age': '600',
};

export type OfrepRoute = { kind: 'bulk' } | { kind: 'single'; key: string } | { kind: 'preflight' } | { kind: 'refused'; refusal: OfrepRefusal };

/** Which OFREP endpoint a request's method and path (without its query) ask for. */
export const ofrepRoute = (method: string, path: string): OfrepRoute => {
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
    // A malformed escape (`%FF`, a lone `%`) names no flag.
    return {
      kind: 'refused',
      refusal: new OfrepRefusal(400, { key: encoded, errorCode: 'PARSE_ERROR', errorDetails: 'the flag key is not valid percent-encoded UTF-8' }),
    };
  }
};

/**
 * A bulk answer's ETag part for the context: a hash of `scope` (the server's environment id, the
 * relay's environment key, so their tags never match each other's) and the context.
 */
export const contextHash = (scope: string, context: EvaluationContext): string =>
  createHash('sha256').update(scope).update('\0').update(JSON.stringify(context)).digest('base64url').slice(0, 22);

/** `If-None-Match`: a list of tags, weak or strong (compared weakly, as RFC 9110 says for it), or `*`. */
export const etagMatches = (header: string, etag: string): boolean =>
  header.split(',').some((raw) => {
    const tag = raw.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
