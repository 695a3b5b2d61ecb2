import type { RefusalMessage, ServerMessage } from '@signalbox/sdk/protocol';

/** One connected SDK, whatever its transport. The relay sends it messages in sequence order. */
export interface Subscriber {
  readonly id: string;
  readonly keyId: string;
  readonly environmentId: string;
  readonly transport: 'socket.io' | 'sse';
  readonly client: string | null;
  /** Newest sequence sent to it. */
  sent: number;
  /** The protocol version spoken with it (absent: 1, which acknowledges every change at once). */
  readonly protocol?: number;
  /** Newest sequence it confirmed (kept by the relay). */
  acked?: number;
  send(messages: ServerMessage[]): void;
  /**
   * Ends the connection, telling the client why when there is a reason (a refused key); without
   * one the client simply reconnects (to this or another instance). Called at most once by the relay.
   */
  close(refusal?: RefusalMessage): void;
  /**
   * For transports with rooms (socket.io): joining makes the subscriber receive the environment's
   * broadcasts, so the relay encodes each change once for all of them instead of once per client.
   */
  broadcastGroup?: { join(): void; leave(): void };
}

/** Sends messages to every subscriber of an environment that joined its broadcast group. */
export type Broadcast = (environmentId: string, messages: ServerMessage[]) => void;
