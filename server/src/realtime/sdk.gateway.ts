import { Logger } from '@nestjs/common';
import { type OnGatewayDisconnect, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import {
  type AckMessage,
  type HandshakeAuth,
  PROTOCOL_VERSION,
  type RefusalMessage,
  SDK_NAMESPACE,
  type ServerMessage,
  type SocketHelloMessage,
} from '@signalbox/sdk/protocol';
import type { Namespace, Socket } from 'socket.io';
import { CredentialsService } from '../auth/credentials.service.js';
import { ChangeRelay } from './change-relay.service.js';
import { emitToRoom, PreEncodedEvent } from './pre-encoded.js';
import type { Subscriber } from './subscriber.js';

interface SocketData {
  keyId: string;
  environmentId: string;
  sequence: number;
  client: string | null;
  protocol: number;
}

/** How long an SDK should wait before retrying a handshake the server could not complete. */
const RETRY_AFTER_MS = 1_000;

const roomOf = (environmentId: string) => `env:${environmentId}`;

const refusal = (error: 'UNAUTHENTICATED' | 'FORBIDDEN', message: string): Error & { data: RefusalMessage } =>
  Object.assign(new Error(message), { data: { error, message } });

const unavailable = (message: string): Error & { data: RefusalMessage } =>
  Object.assign(new Error(message), { data: { error: 'UNAVAILABLE' as const, message, retryAfterMs: RETRY_AFTER_MS } });

/**
 * socket.io namespace for SDKs. The handshake carries the SDK key and the newest sequence the
 * client holds; a bad key is refused before the connection opens (`connect_error` with data).
 */
@WebSocketGateway({ namespace: SDK_NAMESPACE, transports: ['websocket', 'polling'], serveClient: false })
export class SdkGateway implements OnGatewayInit<Namespace>, OnGatewayDisconnect<Socket> {
  private readonly logger = new Logger('sdk-gateway');
  private readonly bySocket = new WeakMap<Socket, Subscriber>();
  /**
   * Snapshots encoded once per config: every connection of an environment gets the same one, and
   * encoding a large environment for each of thousands of reconnecting SDKs is what a reconnect storm costs most.
   */
  private readonly encodedSnapshots = new WeakMap<object, PreEncodedEvent | null>();
  private namespace: Namespace | undefined;

  constructor(
    private readonly credentials: CredentialsService,
    private readonly relay: ChangeRelay,
  ) {}

  afterInit(namespace: Namespace): void {
    this.namespace = namespace;
    this.relay.registerBroadcast((environmentId, messages) => {
      for (const message of messages) emitToRoom(namespace, roomOf(environmentId), message.type, message);
    });
    namespace.use((socket, next) => {
      const auth = (socket.handshake.auth ?? {}) as Partial<HandshakeAuth>;
      if (typeof auth.sdkKey !== 'string' || auth.sdkKey.length > 200) return next(refusal('UNAUTHENTICATED', "Send the environment's SDK key as auth.sdkKey"));
      this.credentials
        .resolve(auth.sdkKey)
        .then((principal) => {
          if (!principal) return next(refusal('UNAUTHENTICATED', 'The SDK key is unknown or was revoked'));
          if (principal.kind !== 'sdk') return next(refusal('FORBIDDEN', 'This channel takes an SDK key'));
          const sequence = Number.isSafeInteger(auth.sequence) && auth.sequence! > 0 ? auth.sequence! : 0;
          const client = typeof auth.client === 'string' ? auth.client.slice(0, 200) : null;
          const protocol = Number.isSafeInteger(auth.protocol) && auth.protocol! > 1 ? Math.min(auth.protocol!, PROTOCOL_VERSION) : 1;
          socket.data = { keyId: principal.keyId, environmentId: principal.environmentId, sequence, client, protocol } satisfies SocketData;
          next();
        })
        .catch((err: unknown) => {
          // Not a verdict on the key (the database did not answer): the SDK retries with backoff.
          this.logger.warn({ reason: err instanceof Error ? err.message : String(err) }, 'SDK handshake could not check the key');
          next(unavailable('The SDK key could not be checked now; retry'));
        });
    });
    namespace.on('connection', (socket: Socket) => this.onConnection(socket));
  }

  handleDisconnect(socket: Socket): void {
    const subscriber = this.bySocket.get(socket);
    if (subscriber) this.relay.unsubscribeSubscriber(subscriber);
  }

  private encodedSnapshot(message: ServerMessage & { type: 'snapshot' }): PreEncodedEvent | undefined {
    const cached = this.encodedSnapshots.get(message.config);
    if (cached !== undefined) return cached ?? undefined;
    const encoded = this.namespace === undefined ? undefined : PreEncodedEvent.of(this.namespace, 'snapshot', message);
    this.encodedSnapshots.set(message.config, encoded ?? null);
    return encoded;
  }

  private onConnection(socket: Socket): void {
    const data = socket.data as SocketData;
    const subscriber: Subscriber = {
      id: `ws:${socket.id}`,
      keyId: data.keyId,
      environmentId: data.environmentId,
      transport: 'socket.io',
      client: data.client,
      sent: 0,
      protocol: data.protocol,
      send: (messages: ServerMessage[]) => {
        for (const message of messages) {
          if (message.type !== 'snapshot' || !this.encodedSnapshot(message)?.writeTo(socket)) socket.emit(message.type, message);
        }
      },
      close: (why?: RefusalMessage) => {
        if (why) socket.emit('refused', why);
        socket.disconnect(true);
      },
      broadcastGroup: { join: () => void socket.join(roomOf(data.environmentId)), leave: () => void socket.leave(roomOf(data.environmentId)) },
    };
    this.bySocket.set(socket, subscriber);
    // Version 1 clients get no hello (they would not know it) and ack every change, as they always did.
    if (data.protocol >= 2) socket.emit('hello', { type: 'hello', protocol: data.protocol } satisfies SocketHelloMessage);
    socket.on('ack', (message: Partial<AckMessage>) => {
      if (typeof message?.sequence === 'number') this.relay.ack(subscriber.id, message.sequence);
    });
    socket.on('resync', () => void this.relay.resync(subscriber).catch((err: unknown) => this.logger.warn({ err }, 'resync failed')));
    this.relay.subscribe(subscriber, data.sequence).catch((err: unknown) => {
      this.logger.error({ err }, 'could not bring an SDK up to date');
      socket.disconnect(true);
    });
  }
}
