import type { RefusalMessage, ServerMessage } from '../protocol/messages.js';

/** What a transport reports to the client. Every callback is safe to call at any time. */
export interface TransportSink {
  /** The newest sequence the client has applied (0 for none): resumes a connection or forms `If-None-Match`. */
  currentSequence(): number;
  /** A snapshot or change from the server. */
  message(message: ServerMessage): void;
  /** The link to the server is up (a socket connected, a poll answered). Also counts as contact. */
  connected(): void;
  /** The server was heard from without news (a socket.io ping, an HTTP 304). */
  contact(): void;
  /** The link is down; the transport retries by itself. */
  disconnected(reason: string): void;
  /** The server refused the SDK key; the transport has stopped for good. */
  refused(refusal: RefusalMessage): void;
  /** A failure worth reporting (the transport goes on retrying). */
  error(error: Error): void;
}

/** A way to receive config from the server. Started once, closed once. */
export interface Transport {
  start(): void;
  /** Confirms the newest applied sequence, when the transport can (dropped otherwise). */
  acknowledge(sequence: number): void;
  /** Asks the server for a snapshot after a gap. */
  requestResync(): void;
  /** Releases every handle (sockets, timers, requests). Idempotent. */
  close(): void;
}

/** Raised for connection and HTTP failures, with the HTTP status when there was one. */
export class SignalboxConnectionError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SignalboxConnectionError';
  }
}

/** Raised (as an `error` event) when the server refuses the SDK key. */
export class SignalboxRefusedError extends Error {
  constructor(readonly refusal: RefusalMessage) {
    super(`the server refused the SDK key (${refusal.error}): ${refusal.message}`);
    this.name = 'SignalboxRefusedError';
  }
}
