import type { Manager, Socket } from 'socket.io-client';
import type { AckMessage, HandshakeAuth, RefusalMessage, ResyncMessage, ServerMessage } from '../protocol/messages.js';
import { isFinalRefusal, LAZY_ACK_MS, PROTOCOL_VERSION, SDK_NAMESPACE } from '../protocol/messages.js';
import { Backoff } from './backoff.js';
import { describeError } from './logger.js';
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
  /** The protocol version to ask for (tests of older clients set 1). */
  protocol?: number;
}

/**
 * Receives config over the `/sdk` socket.io namespace. socket.io reconnects after transport
 * failures by itself (exponential backoff with jitter); this class adds the retries socket.io
 * leaves to the application (an `UNAVAILABLE` refusal: the server could not check the key now; a
 * server-side disconnect: a restart or shutdown) and stops for good only when the key itself is
 * refused (`UNAUTHENTICATED`, `FORBIDDEN`). Every (re)connection sends the newest
 * applied sequence, so the server can answer with just the missing changes.
 */
export class SocketTransport implements Transport {
  private manager: Manager | undefined;
  private socket: Socket | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private started = false;
  private stopped = false;
  private readonly backoff: Backoff;
  /** The version the server speaks on this connection: 1 until its `hello` says more. */
  private serverProtocol = 1;
  /** The newest sequence the server asked to be confirmed at once, until an ack covers it. */
  private confirmDue = 0;
  private lastAcked = 0;
  private lazySequence = 0;
  private lazyTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly options: SocketTransportOptions,
    private readonly sink: TransportSink,
  ) {
    this.backoff = new Backoff(options.reconnectionDelayMs, options.reconnectionDelayMaxMs);
  }

  start(): void {
    if (this.stopped || this.started) return;
    this.started = true;
    // socket.io-client is most of the SDK's load time: a process that never starts a socket
    // transport (bootstrap only, polling, the core) never loads it.
    import('socket.io-client').then(
      ({ Manager }) => this.connect(Manager),
      (error: unknown) => {
        if (!this.stopped) this.sink.error(new SignalboxConnectionError(`cannot load socket.io-client: ${describeError(error)}`));
      },
    );
  }

  private connect(ManagerClass: typeof Manager): void {
    if (this.stopped) return;
    const { endpoints, sdkKey, clientName } = this.options;
    const manager = new ManagerClass(endpoints.origin, {
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
        const protocol = this.options.protocol ?? PROTOCOL_VERSION;
        const auth: HandshakeAuth = sequence > 0 ? { sdkKey, sequence, client: clientName, protocol } : { sdkKey, client: clientName, protocol };
        send(auth);
      },
    });
    this.manager = manager;
    this.socket = socket;

    socket.on('connect', () => {
      this.backoff.reset();
      this.newConnection();
      this.sink.connected();
    });
    // Sent before anything else on the connection, so it is known before the first message arrives.
    socket.on('hello', (message: { protocol?: unknown }) => {
      if (typeof message?.protocol === 'number' && message.protocol >= 2) this.serverProtocol = Math.min(message.protocol, PROTOCOL_VERSION);
    });
    const receive = (message: ServerMessage) => {
      if (message?.confirm === true && typeof message.sequence === 'number') this.confirmDue = Math.max(this.confirmDue, message.sequence);
      this.sink.message(message);
    };
    socket.on('snapshot', receive);
    socket.on('change', receive);
    socket.on('refused', (message: unknown) => {
      const refusal = asRefusal(message) ?? { error: 'UNAUTHENTICATED', message: 'refused by the server' };
      // A transient refusal is followed by a disconnect, which brings this client back.
      if (isFinalRefusal(refusal)) this.refuse(refusal);
    });
    socket.on('connect_error', (error: Error & { data?: unknown }) => {
      if (this.stopped) return;
      const refusal = asRefusal(error.data);
      if (refusal !== undefined && isFinalRefusal(refusal)) {
        this.refuse(refusal);
        return;
      }
      this.sink.error(new SignalboxConnectionError(`cannot connect to ${endpoints.origin}: ${error.message}`));
      this.sink.disconnected('connect_error');
      // An inactive socket was turned away by a middleware (the server could not check the key now);
      // socket.io will not retry it by itself.
      if (!socket.active) this.retryLater(refusal?.error === 'UNAVAILABLE' ? refusal.retryAfterMs : undefined);
    });
    socket.on('disconnect', (reason: string) => {
      if (this.stopped) return;
      this.sink.disconnected(reason);
      // The server ended the session without refusing the key (a restart, a rebalance): come back.
      if (reason === 'io server disconnect') this.retryLater();
    });
    manager.on('ping', () => this.sink.contact());
  }

  /**
   * Version 1: sends the ack now. Version 2: now when it covers a sequence the server asked to
   * have confirmed, else once, for the newest sequence, at a random moment between half of
   * `LAZY_ACK_MS` and all of it from now (see the protocol).
   */
  acknowledge(sequence: number): void {
    if (this.serverProtocol < 2 || (this.confirmDue > 0 && sequence >= this.confirmDue)) {
      this.sendAck(sequence);
      return;
    }
    this.lazySequence = sequence;
    if (this.lazyTimer !== undefined) return;
    this.lazyTimer = setTimeout(
      () => {
        this.lazyTimer = undefined;
        if (this.lazySequence !== this.lastAcked) this.sendAck(this.lazySequence);
      },
      LAZY_ACK_MS / 2 + Math.random() * (LAZY_ACK_MS / 2),
    );
    this.lazyTimer.unref?.();
  }

  private sendAck(sequence: number): void {
    const socket = this.socket;
    // Not buffered while offline: the handshake of the next connection carries the sequence.
    if (socket === undefined || !socket.connected) return;
    socket.emit('ack', { type: 'ack', sequence } satisfies AckMessage);
    this.lastAcked = sequence;
    if (sequence >= this.confirmDue) this.confirmDue = 0;
    this.cancelLazyAck();
  }

  /** A new connection starts at version 1 (until the server's `hello`) with nothing pending: its handshake carried our sequence. */
  private newConnection(): void {
    this.serverProtocol = 1;
    this.confirmDue = 0;
    this.lastAcked = this.sink.currentSequence();
    this.cancelLazyAck();
  }

  private cancelLazyAck(): void {
    if (this.lazyTimer !== undefined) clearTimeout(this.lazyTimer);
    this.lazyTimer = undefined;
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

  /** Connects again after the next backoff delay, and no sooner than the server asked (`retryAfterMs`, capped at the longest delay). */
  private retryLater(retryAfterMs = 0): void {
    if (this.stopped || this.retryTimer !== undefined) return;
    const delay = Math.max(this.backoff.next(), Math.min(retryAfterMs, this.options.reconnectionDelayMaxMs));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) this.socket?.connect();
    }, delay);
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.cancelLazyAck();
    const socket = this.socket;
    if (socket?.connected) {
      // Close the connection itself rather than send a namespace DISCONNECT first: a socket.io server
      // drops events that arrive in the same read as a DISCONNECT, which would lose the ack close()
      // has just flushed. The engine writes what it holds, then closes.
      socket.io.reconnection(false);
      socket.io.engine.close();
    }
    // Disconnecting the manager's only socket closes the manager: engine, reconnection timers and all.
    socket?.disconnect();
    this.manager?.removeAllListeners();
  }
}

function asRefusal(value: unknown): RefusalMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { error, message, retryAfterMs } = value as { error?: unknown; message?: unknown; retryAfterMs?: unknown };
  const text = typeof message === 'string' ? message : '';
  if (error === 'UNAVAILABLE') return { error, message: text, retryAfterMs: typeof retryAfterMs === 'number' && retryAfterMs > 0 ? retryAfterMs : undefined };
  if (error !== 'UNAUTHENTICATED' && error !== 'FORBIDDEN') return undefined;
  return { error, message: text };
}
