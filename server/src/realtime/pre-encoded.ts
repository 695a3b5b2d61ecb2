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
