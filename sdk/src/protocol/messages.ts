/**
 * The delivery protocol between the Signalbox server and SDKs. The same messages travel over
 * socket.io (event name = `type`), Server-Sent Events (SSE event name = `type`, id = sequence) and
 * the HTTP snapshot endpoint. Sequences only grow, per environment; deletes are tombstones.
 */
import type { EnvironmentConfig, FlagConfig, Segment } from '../core/types.js';

/** socket.io namespace SDKs connect to. */
export const SDK_NAMESPACE = '/sdk';

/**
 * The protocol version this SDK speaks. Version 1: the client acknowledges every applied sequence
 * (at most every 50 ms). Version 2 (a client says so in its handshake, the server answers with a
 * `hello` naming the version it speaks): the client acknowledges at once only what the server
 * asks to be confirmed (`confirm: true`: snapshots, kill switches and their restores), and every
 * other applied sequence lazily, coalesced into one ack within {@link LAZY_ACK_MS}. A server
 * delivers the same messages to both; version-1 clients ignore `confirm`.
 */
export const PROTOCOL_VERSION = 2;

/**
 * A version-2 client acknowledges what it applied without being asked no later than this after
 * applying it: one ack covers every change in that window, at a random moment in its second half,
 * so a fleet's acks spread out instead of arriving together.
 */
export const LAZY_ACK_MS = 10_000;

/** What a client sends in the socket.io handshake (`auth`). */
export interface HandshakeAuth {
  sdkKey: string;
  /** The newest sequence the client has applied; absent or 0 asks for a full snapshot. */
  sequence?: number;
  /** Free text (SDK name and version) for operators. */
  client?: string;
  /** The newest protocol version the client speaks; absent means 1. */
  protocol?: number;
}

/** Server → version-2 client, first on a socket.io connection: the protocol version the server speaks with it. */
export interface SocketHelloMessage {
  type: 'hello';
  protocol: number;
}

/** Everything the environment serves, as of `config.sequence`. Replaces the client's state. */
export interface SnapshotMessage {
  type: 'snapshot';
  sequence: number;
  config: EnvironmentConfig;
  /** Acknowledge at once after applying (version 2). */
  confirm?: true;
}

/**
 * One change. A client applies it only when `sequence` is exactly its own plus one; otherwise it
 * asks for a snapshot. `confirm`: acknowledge at once after applying (version 2; a kill switch or
 * its restore, which the kill-switch API reports as "confirmed by N of M").
 */
export type ChangeMessage =
  | { type: 'change'; sequence: number; kind: 'flag'; key: string; flag: FlagConfig | null; confirm?: true }
  | { type: 'change'; sequence: number; kind: 'segment'; key: string; segment: Segment | null; confirm?: true };

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
