import type { Server as HttpServer } from 'node:http';
import { type AckMessage, type HandshakeAuth, PROTOCOL_VERSION, type RefusalMessage, SDK_NAMESPACE, type SocketHelloMessage } from '@signalbox/sdk/protocol';
import { Server, type Socket } from 'socket.io';
import { emitToRoom } from '../realtime/pre-encoded.js';
import type { Downstream, DownstreamHub } from './downstream-hub.js';
import type { KeyRing } from './key-ring.js';
import { RELAY_HEADER } from './relay-http.js';
import { reasonOf, type RelayLogger } from './relay-logger.js';
import type { UpstreamLink } from './upstream-link.js';

const RETRY_AFTER_MS = 1_000;

const refusal = (data: RefusalMessage): Error & { data: RefusalMessage } => Object.assign(new Error(data.message), { data });

/**
 * The `/sdk` socket.io namespace, as the server's SdkGateway serves it: the same handshake, the
 * same refusals, `snapshot`/`change` events and `ack`/`resync` from the client. Live messages go to
 * a room per environment, so each is encoded once whatever the number of clients.
 */
export const attachSdkSockets = (
  http: HttpServer,
  keys: KeyRing,
  hub: DownstreamHub,
  links: readonly UpstreamLink[],
  relayId: string,
  logger: RelayLogger,
): Server => {
  const io = new Server(http, { transports: ['websocket', 'polling'], serveClient: false });
  const roomOf = (link: UpstreamLink) => `env:${links.indexOf(link)}`;
  const namespace = io.of(SDK_NAMESPACE);
  io.engine.on('initial_headers', (headers: Record<string, string>) => {
    headers[RELAY_HEADER] = relayId;
  });
  hub.registerBroadcast((link, messages) => {
    for (const message of messages) emitToRoom(namespace, roomOf(link), message.type, message);
  });
  const checked = new WeakMap<Socket, { link: UpstreamLink; keyHash: string; sequence: number; protocol: number }>();

  namespace.use((socket, next) => {
    const auth = (socket.handshake.auth ?? {}) as Partial<HandshakeAuth>;
    if (typeof auth.sdkKey !== 'string' || auth.sdkKey.length > 200)
      return next(refusal({ error: 'UNAUTHENTICATED', message: "Send the environment's SDK key as auth.sdkKey" }));
    keys
      .check(auth.sdkKey)
      .then((result) => {
        if (!result.ok && result.error === 'UNAVAILABLE') return next(refusal({ error: 'UNAVAILABLE', message: result.message, retryAfterMs: RETRY_AFTER_MS }));
        if (!result.ok) return next(refusal({ error: 'UNAUTHENTICATED', message: 'The SDK key is unknown or was revoked' }));
        const sequence = Number.isSafeInteger(auth.sequence) && auth.sequence! > 0 ? auth.sequence! : 0;
        const protocol = Number.isSafeInteger(auth.protocol) && auth.protocol! > 1 ? Math.min(auth.protocol!, PROTOCOL_VERSION) : 1;
        checked.set(socket, { link: result.link, keyHash: result.keyHash, sequence, protocol });
        next();
      })
      .catch((err: unknown) => {
        logger.warn('SDK handshake could not check the key', { reason: reasonOf(err) });
        next(refusal({ error: 'UNAVAILABLE', message: 'The SDK key could not be checked now; retry', retryAfterMs: RETRY_AFTER_MS }));
      });
  });

  namespace.on('connection', (socket: Socket) => {
    const { link, keyHash, sequence, protocol } = checked.get(socket)!;
    const room = roomOf(link);
    const downstream: Downstream = {
      id: `ws:${socket.id}`,
      keyHash,
      link,
      transport: 'socket.io',
      acked: sequence,
      send: (messages) => {
        for (const message of messages) socket.emit(message.type, message);
      },
      close: (why) => {
        if (why) socket.emit('refused', why);
        socket.disconnect(true);
      },
      group: { join: () => void socket.join(room), leave: () => void socket.leave(room) },
    };
    socket.on('ack', (message: Partial<AckMessage>) => {
      if (typeof message?.sequence === 'number') hub.ack(downstream.id, message.sequence);
    });
    socket.on('resync', () => hub.resync(downstream));
    socket.on('disconnect', () => hub.remove(downstream));
    // As the server: version-1 clients get no hello and ack every change; version 2 acks at once
    // only what carries `confirm` (relayed as the upstream set it), lazily the rest.
    if (protocol >= 2) socket.emit('hello', { type: 'hello', protocol } satisfies SocketHelloMessage);
    hub.subscribe(downstream, sequence);
  });
  return io;
};
