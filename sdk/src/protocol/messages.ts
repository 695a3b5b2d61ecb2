/**
 * The delivery protocol between the Signalbox server and SDKs. The same messages travel over
 * socket.io (event name = `type`), Server-Sent Events (SSE event name = `type`, id = sequence) and
 * the HTTP snapshot endpoint. Sequences only grow, per environment; deletes are tombstones.
 */
import type { EnvironmentConfig, FlagConfig, Segment } from '../core/types.js';

/** socket.io namespace SDKs connect to. */
export const SDK_NAMESPACE = '/sdk';

/** What a client sends in the socket.io handshake (`auth`). */
export interface HandshakeAuth {
  sdkKey: string;
  /** The newest sequence the client has applied; absent or 0 asks for a full snapshot. */
  sequence?: number;
  /** Free text (SDK name and version) for operators. */
  client?: string;
}

/** Everything the environment serves, as of `config.sequence`. Replaces the client's state. */
export interface SnapshotMessage {
  type: 'snapshot';
  sequence: number;
  config: EnvironmentConfig;
}

/** One change. A client applies it only when `sequence` is exactly its own plus one; otherwise it asks for a snapshot. */
export type ChangeMessage =
  | { type: 'change'; sequence: number; kind: 'flag'; key: string; flag: FlagConfig | null }
  | { type: 'change'; sequence: number; kind: 'segment'; key: string; segment: Segment | null };

/** Server → client. */
export type ServerMessage = SnapshotMessage | ChangeMessage;

/** Client → server: the newest sequence applied. Lets operators see "confirmed by N of M SDKs". */
export interface AckMessage {
  type: 'ack';
  sequence: number;
}

/** Client → server: the client lost track (a gap), send a snapshot. */
export interface ResyncMessage {
  type: 'resync';
}

export type ClientMessage = AckMessage | ResyncMessage;

/**
 * Why the server refused or ended a connection (socket.io `connect_error` data or `refused` event,
 * SSE `refused` event, HTTP error body). `UNAUTHENTICATED` and `FORBIDDEN` are about the key and
 * final: retrying cannot help. `UNAVAILABLE` is transient (the server could not check the key or
 * read the config, or is shutting down): retry with backoff, no sooner than `retryAfterMs`.
 */
export type RefusalMessage = { error: 'UNAUTHENTICATED' | 'FORBIDDEN'; message: string } | { error: 'UNAVAILABLE'; message: string; retryAfterMs?: number };

/** True for the refusals that are final (the key itself was refused). */
export const isFinalRefusal = (refusal: RefusalMessage): refusal is Extract<RefusalMessage, { error: 'UNAUTHENTICATED' | 'FORBIDDEN' }> =>
  refusal.error === 'UNAUTHENTICATED' || refusal.error === 'FORBIDDEN';

/** SSE first event: identifies the stream, so HTTP acks can name it. */
export interface StreamHelloMessage {
  type: 'hello';
  connectionId: string;
}
