import type { EnvironmentConfig } from '../core/types.js';
import type { Logger } from './logger.js';

/** How the client receives config: socket.io push (default), HTTP polling, or not at all. */
export type TransportKind = 'socket' | 'poll' | 'none';

/** Options of {@link createClient}. Only `url` and `sdkKey` are required. */
export interface ClientOptions {
  /** The Signalbox server's base URL, e.g. `https://flags.example.com` (a path prefix is kept). */
  url: string;
  /** The environment's SDK key. */
  sdkKey: string;
  /**
   * `socket` (default): socket.io push, changes arrive within milliseconds.
   * `poll`: `GET /api/v1/sdk/config` every `pollIntervalMs`, for networks that block WebSockets and long-polling.
   * `none`: never contacts the server; serves `bootstrap` or the cache file only (tests, air-gapped runs).
   */
  transport?: TransportKind;
  /** Poll period for `transport: 'poll'`; default 15 000 ms, jittered ±10 %. */
  pollIntervalMs?: number;
  /** A config to serve until the server answers (e.g. exported at build time). Takes precedence over `cacheFile` at start. */
  bootstrap?: EnvironmentConfig;
  /**
   * Opt-in last-known-good file. Read at start when there is no `bootstrap`; rewritten atomically
   * (at most every `cacheWriteDelayMs`, and on `close()`) whenever the config changes.
   */
  cacheFile?: string;
  /** Debounce of cache file writes; default 500 ms. */
  cacheWriteDelayMs?: number;
  /**
   * Status turns `stale` when the server has been silent this long (no message, socket.io ping or
   * poll answer). Off by default. With sockets keep it above the server's ping interval plus
   * timeout (25 s + 20 s by default); with polling, above `pollIntervalMs`.
   */
  staleAfterMs?: number;
  /** Where diagnostics go. Default: `console.warn`, each distinct warning once; no debug output. */
  logger?: Logger;
  /** The `fetch` used by the polling transport; default the global one. */
  fetch?: typeof fetch;
  /** First reconnection delay of the socket transport (doubling, ±50 % jitter); default 500 ms. */
  reconnectionDelayMs?: number;
  /**
   * Longest reconnection delay of the socket transport; default 5 000 ms, so a client is back within
   * seconds of a server or database returning. Raise it for very large fleets to spread reconnects.
   */
  reconnectionDelayMaxMs?: number;
}

/** Options of `waitForReady`. */
export interface WaitForReadyOptions {
  /** Give up after this long; default 10 000 ms. */
  timeoutMs?: number;
}

export const DEFAULT_RECONNECTION_DELAY_MS = 500;
export const DEFAULT_RECONNECTION_DELAY_MAX_MS = 5_000;
