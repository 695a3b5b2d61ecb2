import { writeSync } from 'node:fs';
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
  _socket?: Wire;
}
interface Wire {
  writable: boolean;
  destroyed: boolean;
  encrypted?: boolean;
  writableLength: number;
  /** libuv's TCP handle: its descriptor (POSIX) and what it still holds to write. */
  _handle?: { fd?: number; writeQueueSize?: number } | null;
  write(chunk: Buffer): boolean;
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
const idleWireOf = (socket: Socket): Wire | undefined => {
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
export const roomBroadcastStats = { direct: 0, engine: 0, partial: 0 };

/**
 * Writes the frame to an idle wire. When the socket holds nothing unsent (neither its stream nor
 * libuv), the bytes go out with one synchronous `write(2)` on its descriptor: the same system call
 * `net.Socket.write` ends in, without the stream machinery around it (a write request, a callback,
 * a `nextTick`, and, with AsyncLocalStorage in use, async hooks for each), which cost the server more
 * than the system call itself per connection. Whatever the kernel did not take (a full send buffer,
 * `EAGAIN`) or any error goes through `net.Socket.write`, which queues the rest in order and reports
 * errors as usual. TLS sockets and sockets without a descriptor always take the stream.
 */
const writeFrame = (wire: Wire, frame: Buffer): void => {
  const handle = wire._handle;
  const fd = handle?.fd;
  if (typeof fd !== 'number' || fd < 0 || wire.encrypted === true || wire.writableLength !== 0 || handle!.writeQueueSize !== 0) {
    wire.write(frame);
    return;
  }
  let written = 0;
  try {
    written = writeSync(fd, frame);
  } catch {
    // EAGAIN (send buffer full), EPIPE, ECONNRESET: the stream retries or reports it.
  }
  if (written === frame.length) return;
  roomBroadcastStats.partial++;
  wire.write(written === 0 ? frame : frame.subarray(written));
};

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
      writeFrame(wire, frame!);
      roomBroadcastStats.direct++;
    } else {
      (socket.client as unknown as EngineClient).writeToEngine(encoded, options);
      roomBroadcastStats.engine++;
    }
  }
};
