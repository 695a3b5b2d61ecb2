import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import type { EnvironmentConfig, FlagConfig, Segment } from '../src/core/types.js';
import type { AckMessage, ChangeMessage, HandshakeAuth, RefusalMessage, ServerMessage } from '../src/protocol/messages.js';

/**
 * A stand-in for the Signalbox server's `/sdk` namespace that speaks the delivery protocol and
 * records what clients send. Not the product server: just enough to test the client's side.
 */
export class ProtocolHarness {
  readonly handshakes: HandshakeAuth[] = [];
  readonly acks: number[] = [];
  resyncs = 0;
  /** Whether a connecting client that holds an older sequence gets the missing changes (else a snapshot). */
  replayChanges = true;
  /** The protocol version announced in a `hello` before anything else (undefined: none, as a version-1 server). */
  hello: number | undefined = undefined;
  private readonly validKeys = new Set<string>(['good-key']);
  private sequence: number;
  private flags = new Map<string, FlagConfig>();
  private segments = new Map<string, Segment>();
  private readonly log: ChangeMessage[] = [];

  private constructor(
    readonly io: Server,
    private readonly http: HttpServer,
    readonly url: string,
    config: EnvironmentConfig,
  ) {
    this.sequence = config.sequence;
    for (const flag of config.flags) this.flags.set(flag.key, flag);
    for (const segment of config.segments) this.segments.set(segment.key, segment);
    const sdk = io.of('/sdk');
    sdk.use((socket, next) => {
      const auth = socket.handshake.auth as HandshakeAuth;
      this.handshakes.push(auth);
      if (this.validKeys.has(auth.sdkKey)) return next();
      next(Object.assign(new Error('unknown SDK key'), { data: { error: 'UNAUTHENTICATED', message: 'unknown SDK key' } satisfies RefusalMessage }));
    });
    sdk.on('connection', (socket) => this.welcome(socket));
  }

  static async start(config: EnvironmentConfig, options: { pingIntervalMs?: number } = {}): Promise<ProtocolHarness> {
    const http = createServer();
    const io = new Server(http, { pingInterval: options.pingIntervalMs ?? 25_000 });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    return new ProtocolHarness(io, http, `http://127.0.0.1:${port}`, config);
  }

  get currentSequence(): number {
    return this.sequence;
  }

  get connectedSockets(): number {
    return this.io.of('/sdk').sockets.size;
  }

  /** Publishes a flag change (or a tombstone) to every client. */
  publishFlag(key: string, flag: FlagConfig | null): ChangeMessage {
    this.sequence++;
    if (flag === null) this.flags.delete(key);
    else this.flags.set(key, flag);
    return this.broadcast({ type: 'change', sequence: this.sequence, kind: 'flag', key, flag });
  }

  publishSegment(key: string, segment: Segment | null): ChangeMessage {
    this.sequence++;
    if (segment === null) this.segments.delete(key);
    else this.segments.set(key, segment);
    return this.broadcast({ type: 'change', sequence: this.sequence, kind: 'segment', key, segment });
  }

  /** Changes the state without telling anyone, as if the messages were lost. */
  changeSilently(key: string, flag: FlagConfig): void {
    this.sequence++;
    this.flags.set(key, flag);
    this.log.push({ type: 'change', sequence: this.sequence, kind: 'flag', key, flag });
  }

  /** A flag change the server asks to have confirmed at once (as kill switches and restores are). */
  publishConfirmedFlag(key: string, flag: FlagConfig): ChangeMessage {
    this.sequence++;
    this.flags.set(key, flag);
    return this.broadcast({ type: 'change', sequence: this.sequence, kind: 'flag', key, flag, confirm: true });
  }

  /** Sends a message as is (duplicates, out-of-order messages). */
  sendRaw(message: ServerMessage): void {
    this.io.of('/sdk').emit(message.type, message);
  }

  snapshot(): ServerMessage {
    return {
      type: 'snapshot',
      sequence: this.sequence,
      config: { sequence: this.sequence, flags: [...this.flags.values()], segments: [...this.segments.values()] },
    };
  }

  /** Revokes a key: connected clients get `refused` and are disconnected; new handshakes fail. */
  revoke(key: string): void {
    this.validKeys.delete(key);
    for (const socket of this.io.of('/sdk').sockets.values()) {
      if ((socket.handshake.auth as HandshakeAuth).sdkKey !== key) continue;
      socket.emit('refused', { error: 'UNAUTHENTICATED', message: 'the SDK key was revoked' } satisfies RefusalMessage);
      socket.disconnect(true);
    }
  }

  /** Ends every session from the server side without a refusal (`io server disconnect`). */
  disconnectAll(): void {
    this.io.of('/sdk').disconnectSockets(true);
  }

  /** Drops every connection at the transport level, as a network failure would. */
  dropConnections(): void {
    for (const socket of this.io.of('/sdk').sockets.values()) socket.conn.close();
  }

  async close(): Promise<void> {
    await this.io.close();
    this.http.closeAllConnections();
    await new Promise((resolve) => this.http.close(resolve));
  }

  private broadcast(change: ChangeMessage): ChangeMessage {
    this.log.push(change);
    this.io.of('/sdk').emit('change', change);
    return change;
  }

  private welcome(socket: Socket): void {
    if (this.hello !== undefined) socket.emit('hello', { type: 'hello', protocol: this.hello });
    const held = (socket.handshake.auth as HandshakeAuth).sequence ?? 0;
    const missing = this.log.filter((change) => change.sequence > held);
    const canReplay = this.replayChanges && held > 0 && held <= this.sequence && (missing[0]?.sequence ?? held + 1) === held + 1;
    if (canReplay) for (const change of missing) socket.emit('change', change);
    else socket.emit('snapshot', this.snapshot());
    socket.on('ack', (message: AckMessage) => this.acks.push(message.sequence));
    socket.on('resync', () => {
      this.resyncs++;
      socket.emit('snapshot', this.snapshot());
    });
  }
}

/** Resolves once `condition` holds, polling every few milliseconds; rejects after `timeoutMs`. */
export async function eventually(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
