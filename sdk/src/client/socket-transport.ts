import { Manager, type Socket } from 'socket.io-client';
import type { AckMessage, HandshakeAuth, RefusalMessage, ResyncMessage, ServerMessage } from '../protocol/messages.js';
import { SDK_NAMESPACE } from '../protocol/messages.js';
import { Backoff } from './backoff.js';
import type { ServerEndpoints } from './server-url.js';
import { SignalboxConnectionError, type Transport, type TransportSink } from './transport.js';

/** Settings of the socket.io transport. */
export interface SocketTransportOptions {
  endpoints: ServerEndpoints;
  sdkKey: string;
  clientName: string;
  /** First reconnection delay (doubles per attempt, ±50 % jitter). */
  reconnectionDelayMs: number;
  reconnectionDelayMaxMs: number;
}

/**
 * Receives config over the `/sdk` socket.io namespace. socket.io reconnects after transport
 * failures by itself (exponential backoff with jitter); this class adds the retries socket.io
 * leaves to the application (a middleware refusal that is not about the key, a server-side
 * disconnect) and stops for good when the key is refused. Every (re)connection sends the newest
 * applied sequence, so the server can answer with just the missing changes.
 */
export class SocketTransport implements Transport {
  private manager: Manager | undefined;
  private socket: Socket | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly backoff: Backoff;

  constructor(
    private readonly options: SocketTransportOptions,
    private readonly sink: TransportSink,
  ) {
    this.backoff = new Backoff(options.reconnectionDelayMs, options.reconnectionDelayMaxMs);
  }

  start(): void {
    if (this.stopped || this.manager !== undefined) return;
    const { endpoints, sdkKey, clientName } = this.options;
    const manager = new Manager(endpoints.origin, {
      path: endpoints.socketPath,
      // WebSocket first: no sticky sessions needed behind a load balancer; long-polling if it fails.
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      reconnectionDelay: this.options.reconnectionDelayMs,
      reconnectionDelayMax: this.options.reconnectionDelayMaxMs,
      randomizationFactor: 0.5,
    });
    const socket = manager.socket(SDK_NAMESPACE, {
      // A function, so every reconnection sends the sequence held at that moment.
      auth: (send: (auth: object) => void) => {
        const sequence = this.sink.currentSequence();
        const auth: HandshakeAuth = sequence > 0 ? { sdkKey, sequence, client: clientName } : { sdkKey, client: clientName };
        send(auth);
      },
    });
    this.manager = manager;
    this.socket = socket;

    socket.on('connect', () => {
      this.backoff.reset();
      this.sink.connected();
    });
    socket.on('snapshot', (message: ServerMessage) => this.sink.message(message));
    socket.on('change', (message: ServerMessage) => this.sink.message(message));
    socket.on('refused', (refusal: unknown) => this.refuse(asRefusal(refusal) ?? { error: 'UNAUTHENTICATED', message: 'refused by the server' }));
    socket.on('connect_error', (error: Error & { data?: unknown }) => {
      if (this.stopped) return;
      const refusal = asRefusal(error.data);
      if (refusal !== undefined) {
        this.refuse(refusal);
        return;
      }
      this.sink.error(new SignalboxConnectionError(`cannot connect to ${endpoints.origin}: ${error.message}`));
      this.sink.disconnected('connect_error');
      // An inactive socket was turned away by a middleware; socket.io will not retry it by itself.
      if (!socket.active) this.retryLater();
    });
    socket.on('disconnect', (reason: string) => {
      if (this.stopped) return;
      this.sink.disconnected(reason);
      // The server ended the session without refusing the key (a restart, a rebalance): come back.
      if (reason === 'io server disconnect') this.retryLater();
    });
    manager.on('ping', () => this.sink.contact());
  }

  acknowledge(sequence: number): void {
    const socket = this.socket;
    // Not buffered while offline: the handshake of the next connection carries the sequence.
    if (socket === undefined || !socket.connected) return;
    socket.emit('ack', { type: 'ack', sequence } satisfies AckMessage);
  }

  requestResync(): void {
    const socket = this.socket;
    if (socket === undefined || !socket.connected) return;
    socket.emit('resync', { type: 'resync' } satisfies ResyncMessage);
  }

  close(): void {
    this.stop();
  }

  private refuse(refusal: RefusalMessage): void {
    if (this.stopped) return;
    this.stop();
    this.sink.refused(refusal);
  }

  private retryLater(): void {
    if (this.stopped || this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) this.socket?.connect();
    }, this.backoff.next());
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    // Disconnecting the manager's only socket closes the manager: engine, reconnection timers and all.
    this.socket?.disconnect();
    this.manager?.removeAllListeners();
  }
}

function asRefusal(value: unknown): RefusalMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { error, message } = value as Partial<RefusalMessage>;
  if (error !== 'UNAUTHENTICATED' && error !== 'FORBIDDEN') return undefined;
  return { error, message: typeof message === 'string' ? message : '' };
}
