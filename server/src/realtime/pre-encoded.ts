import type { Namespace, Socket } from 'socket.io';

/** socket.io's packet type for an event. */
const EVENT = 2;

interface EncodingAdapter {
  _encode(packet: object, options: object): unknown[];
}

interface EngineClient {
  writeToEngine(encoded: unknown[], options: object): void;
}

/**
 * A socket.io event encoded once and written as is to many sockets: what socket.io's own room
 * broadcast does (one JSON encoding and one WebSocket frame for all), for a message that goes to
 * sockets one at a time, such as the snapshot every new connection of an environment gets. Uses the
 * in-memory adapter's encoder, so it returns `undefined` where that is not available (then emit as usual).
 */
export class PreEncodedEvent {
  private constructor(
    private readonly encoded: unknown[],
    private readonly options: object,
  ) {}

  static of(namespace: Namespace, event: string, data: unknown): PreEncodedEvent | undefined {
    const adapter = namespace.adapter as unknown as Partial<EncodingAdapter>;
    if (typeof adapter._encode !== 'function') return undefined;
    const options = { preEncoded: true };
    const encoded = adapter._encode({ type: EVENT, nsp: namespace.name, data: [event, data] }, options);
    return new PreEncodedEvent(encoded, options);
  }

  /** False when the socket cannot take pre-encoded packets (emit instead). */
  writeTo(socket: Socket): boolean {
    const client = socket.client as unknown as Partial<EngineClient>;
    if (typeof client.writeToEngine !== 'function' || !socket.connected) return false;
    client.writeToEngine(this.encoded, this.options);
    return true;
  }
}

/** What the fast path reads of socket.io, engine.io and ws internals (all checked before use). */
interface WireSocket {
  readonly readyState: number;
  _sender?: { _state?: number; _queue?: unknown[] };
  _socket?: { writable: boolean; destroyed: boolean; write(chunk: Buffer): boolean };
}
interface EngineConnection {
  readyState: string;
  upgrading: boolean;
  writeBuffer: unknown[];
  transport: { name: string; writable: boolean; perMessageDeflate?: unknown; socket?: WireSocket };
}
interface RoomAdapter extends EncodingAdapter {
  rooms: Map<string, Set<string>>;
}

const WS_OPEN = 1;

/**
 * The net.Socket under a socket.io connection when one pre-built WebSocket frame may be written
 * straight to it: a WebSocket transport, open and not upgrading, with nothing queued in engine.io
 * (its write buffer empty, its transport writable) nor in ws (sender idle, no compression). Then
 * everything sent before is already in the net.Socket, so the frame lands after it, as engine.io
 * would have written it. Anything else (long-polling, a transport mid-send, a closing socket):
 * undefined, and the caller goes through engine.io.
 */
const idleWireOf = (socket: Socket): WireSocket['_socket'] | undefined => {
  const conn = (socket.client as unknown as { conn?: Partial<EngineConnection> }).conn;
  const transport = conn?.transport;
  if (conn?.readyState !== 'open' || conn.upgrading !== false || conn.writeBuffer?.length !== 0) return undefined;
  if (transport?.name !== 'websocket' || transport.writable !== true || transport.perMessageDeflate) return undefined;
  const ws = transport.socket;
  const wire = ws?._socket;
  if (ws?.readyState !== WS_OPEN || ws._sender?._state !== 0 || ws._sender._queue?.length !== 0) return undefined;
  if (!wire || !wire.writable || wire.destroyed) return undefined;
  return wire;
};

/** How a room broadcast reached its sockets (for the bench and the tests). */
export const roomBroadcastStats = { direct: 0, engine: 0 };

/**
 * `namespace.to(room).emit(event, data)` for the in-memory adapter, at a lower cost per socket:
 * socket.io encodes the event once and pre-builds one WebSocket frame, then hands it to each
 * socket through engine.io (a packet object, a write buffer, four events and a write callback per
 * socket). Here the frame, joined into one Buffer, is written straight to each socket's
 * net.Socket when engine.io and ws have nothing queued for it (see `idleWireOf`), and through
 * engine.io as socket.io would otherwise, so the order of what a socket receives never changes.
 * Falls back to the plain emit when the adapter is not socket.io's in-memory one.
 */
export const emitToRoom = (namespace: Namespace, room: string, event: string, data: unknown): void => {
  const adapter = namespace.adapter as unknown as Partial<RoomAdapter>;
  if (typeof adapter._encode !== 'function' || !(adapter.rooms instanceof Map)) {
    namespace.to(room).emit(event, data);
    return;
  }
  const members = adapter.rooms.get(room);
  if (members === undefined || members.size === 0) return;
  const options: { preEncoded: true; wsPreEncodedFrame?: Buffer[] } = { preEncoded: true };
  const encoded = adapter._encode({ type: EVENT, nsp: namespace.name, data: [event, data] }, options);
  const frame = options.wsPreEncodedFrame === undefined ? undefined : Buffer.concat(options.wsPreEncodedFrame);
  for (const id of members) {
    const socket = namespace.sockets.get(id);
    if (socket === undefined) continue;
    const wire = frame === undefined ? undefined : idleWireOf(socket);
    if (wire !== undefined) {
      wire.write(frame!);
      roomBroadcastStats.direct++;
    } else {
      (socket.client as unknown as EngineClient).writeToEngine(encoded, options);
      roomBroadcastStats.engine++;
    }
  }
};
