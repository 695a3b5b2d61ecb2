import { Logger } from '@nestjs/common';
import { type OnGatewayDisconnect, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import { type AckMessage, type HandshakeAuth, type RefusalMessage, SDK_NAMESPACE, type ServerMessage } from '@signalbox/sdk/protocol';
import type { Namespace, Socket } from 'socket.io';
import { CredentialsService } from '../auth/credentials.service.js';
import { ChangeRelay } from './change-relay.service.js';
import type { Subscriber } from './subscriber.js';

interface SocketData {
  keyId: string;
  environmentId: string;
  sequence: number;
  client: string | null;
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

  constructor(
    private readonly credentials: CredentialsService,
    private readonly relay: ChangeRelay,
  ) {}

  afterInit(namespace: Namespace): void {
    this.relay.registerBroadcast((environmentId, messages) => {
      const room = namespace.to(roomOf(environmentId));
      for (const message of messages) room.emit(message.type, message);
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
          socket.data = { keyId: principal.keyId, environmentId: principal.environmentId, sequence, client } satisfies SocketData;
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

  private onConnection(socket: Socket): void {
    const data = socket.data as SocketData;
    const subscriber: Subscriber = {
      id: `ws:${socket.id}`,
      keyId: data.keyId,
      environmentId: data.environmentId,
      transport: 'socket.io',
      client: data.client,
      sent: 0,
      send: (messages: ServerMessage[]) => {
        for (const message of messages) socket.emit(message.type, message);
      },
      close: (why?: RefusalMessage) => {
        if (why) socket.emit('refused', why);
        socket.disconnect(true);
      },
      broadcastGroup: { join: () => void socket.join(roomOf(data.environmentId)), leave: () => void socket.leave(roomOf(data.environmentId)) },
    };
    this.bySocket.set(socket, subscriber);
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
