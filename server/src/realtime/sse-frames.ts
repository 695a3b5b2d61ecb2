import type { RefusalMessage, ServerMessage } from '@signalbox/sdk/protocol';

/** How often an idle SSE stream gets a comment, so proxies and load balancers keep it open. */
export const SSE_HEARTBEAT_MS = 15_000;

const KEEP_ALIVE = Buffer.from(': keep-alive\n\n');

/** Turns one event into the bytes of the stream (an object, so tests can count its calls). */
export const sseEncoder = {
  encode(event: string, id: number | undefined, data: unknown): Buffer {
    return Buffer.from(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  },
};

// One encoding per message, however many streams it goes to: a change is the same object for every
// subscriber of its environment. Snapshots are keyed by their config, since each connection gets a
// new snapshot message around the same config (the socket.io gateway caches them the same way).
const frames = new WeakMap<object, Buffer>();
const refusals = new WeakMap<RefusalMessage, Buffer>();

/** The event (`id: sequence`, `event: type`, `data: JSON`) of one wire message, encoded once. */
export const sseFrameOf = (message: ServerMessage): Buffer => {
  const key = message.type === 'snapshot' && message.confirm === true && message.sequence === message.config.sequence ? message.config : message;
  let frame = frames.get(key);
  if (frame === undefined) frames.set(key, (frame = sseEncoder.encode(message.type, message.sequence, message)));
  return frame;
};

/** The events of several messages as one write (catch-up after a reconnect). */
export const sseFramesOf = (messages: readonly ServerMessage[]): Buffer =>
  messages.length === 1 ? sseFrameOf(messages[0]!) : Buffer.concat(messages.map(sseFrameOf));

/** The `refused` event that ends a stream; a revocation ends every stream of a key with one refusal object. */
export const sseRefusalFrame = (why: RefusalMessage): Buffer => {
  let frame = refusals.get(why);
  if (frame === undefined) refusals.set(why, (frame = sseEncoder.encode('refused', undefined, why)));
  return frame;
};

/** What the heartbeat needs of a stream (an HTTP response). */
export interface HeartbeatStream {
  readonly writableEnded: boolean;
  readonly destroyed: boolean;
  write(chunk: Buffer): unknown;
}

/**
 * One timer for every open stream, instead of one per stream: it runs only while a stream is open
 * and writes the same bytes to each. Set `intervalMs` before the first stream opens to change it.
 */
export class SseHeartbeat {
  private readonly streams = new Set<HeartbeatStream>();
  private timer: NodeJS.Timeout | undefined;

  constructor(public intervalMs = SSE_HEARTBEAT_MS) {}

  get size(): number {
    return this.streams.size;
  }

  add(stream: HeartbeatStream): void {
    this.streams.add(stream);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.beat(), this.intervalMs);
      // Open streams keep the process alive by their sockets; the timer alone must not.
      this.timer.unref();
    }
  }

  /** Idempotent. */
  delete(stream: HeartbeatStream): void {
    this.streams.delete(stream);
    if (this.streams.size === 0) this.stop();
  }

  /** Writes a keep-alive comment to every open stream; a stream that fails is its own problem. */
  beat(): void {
    for (const stream of this.streams) {
      if (stream.writableEnded || stream.destroyed) continue;
      try {
        stream.write(KEEP_ALIVE);
      } catch {
        // A response that throws on write is gone; its close event removes it.
      }
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
