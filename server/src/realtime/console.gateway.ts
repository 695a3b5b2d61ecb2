import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { type OnGatewayDisconnect, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { crossSiteRefusal, permits, SESSION_COOKIE } from '../auth/auth.guard.js';
import { CredentialsService } from '../auth/credentials.service.js';
import type { Principal } from '../auth/principal.js';
import { DomainError } from '../common/errors/domain-error.js';
import {
  CONSOLE_EVENTS,
  CONSOLE_NAMESPACE,
  type ConsoleChange,
  type ConsoleRefusal,
  type ConsoleSubscribeResult,
  cookieValue,
  parseSubscribeRequest,
} from './console.messages.js';
import { ConsoleService } from './console.service.js';

/** How often a connected console's credential is checked again (sign-out, expiry, a disabled user). */
const RECHECK_MS = 60_000;

interface ConsoleSocketData {
  secret: string;
  principal: Principal;
  /** The project watched now, if any. */
  project?: string;
  /** Counts subscribe requests: only the newest one may take effect. */
  generation: number;
  rooms: string[];
}

// Project-wide messages go to everyone on the project; an environment's to those watching all
// environments or that one.
const projectRoom = (project: string) => `p:${project}`;
const environmentRoom = (project: string, environment: string | null) => `p:${project}:e:${environment ?? '*'}`;

const refusal = (error: ConsoleRefusal['error'], message: string): Error & { data: ConsoleRefusal } =>
  Object.assign(new Error(message), { data: { error, message } });

/** The credential a console presents: auth.token or a bearer header (API tokens, CLIs), else the session cookie. */
const presented = (socket: Socket): { secret: string; via: 'token' | 'cookie' } | undefined => {
  const { token } = (socket.handshake.auth ?? {}) as { token?: unknown };
  if (typeof token === 'string' && token.length > 0) return token.length <= 500 ? { secret: token, via: 'token' } : undefined;
  const header = socket.handshake.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match?.[1] ? { secret: match[1], via: 'token' } : undefined;
  }
  const cookie = cookieValue(socket.handshake.headers.cookie, SESSION_COOKIE);
  return cookie ? { secret: cookie, via: 'cookie' } : undefined;
};

/**
 * socket.io namespace for the web console: a signed-in console subscribes to a project and hears
 * which flags, segments, environments, rollout plans and experiments changed, so it refetches
 * only what it shows. Authenticated like the REST API (session cookie or bearer API token) and
 * authorised like its read endpoints (viewer on the project).
 */
@WebSocketGateway({ namespace: CONSOLE_NAMESPACE, transports: ['websocket', 'polling'], serveClient: false })
export class ConsoleGateway implements OnGatewayInit<Namespace>, OnGatewayDisconnect<Socket>, OnModuleDestroy {
  private readonly logger = new Logger('console-gateway');
  private recheck: NodeJS.Timeout | undefined;

  constructor(
    private readonly credentials: CredentialsService,
    private readonly feed: ConsoleService,
  ) {}

  afterInit(namespace: Namespace): void {
    this.feed.registerSink({
      changed: (change: ConsoleChange) => {
        const rooms =
          change.environment === null
            ? [projectRoom(change.project)]
            : [environmentRoom(change.project, null), environmentRoom(change.project, change.environment)];
        namespace.to(rooms).emit(CONSOLE_EVENTS.changed, change);
      },
      resync: () => namespace.emit(CONSOLE_EVENTS.resync, {}),
    });
    namespace.use((socket, next) => {
      const credential = presented(socket);
      if (!credential) return next(refusal('UNAUTHENTICATED', 'Sign in, or send an API token as auth.token'));
      // Browsers attach the cookie to a socket opened by any page; a browser always says which page opened it.
      if (credential.via === 'cookie' && socket.handshake.headers.origin) {
        const crossSite = crossSiteRefusal({ method: 'POST', headers: socket.handshake.headers });
        if (crossSite) return next(refusal('FORBIDDEN', crossSite));
      }
      this.credentials
        .resolve(credential.secret)
        .then((principal) => {
          if (!principal) return next(refusal('UNAUTHENTICATED', 'The credential is unknown, revoked or expired'));
          if (!permits(principal, 'viewer')) {
            return next(
              refusal(
                'FORBIDDEN',
                principal.kind === 'sdk' ? 'SDK keys connect to the SDK namespace; this one is for the console' : 'This needs the viewer role',
              ),
            );
          }
          socket.data = { secret: credential.secret, principal, rooms: [], generation: 0 } satisfies ConsoleSocketData;
          next();
        })
        .catch((err: unknown) => {
          this.logger.warn({ reason: err instanceof Error ? err.message : String(err) }, 'console handshake could not check the credential');
          next(refusal('UNAVAILABLE', 'The credential could not be checked now; retry'));
        });
    });
    namespace.on('connection', (socket: Socket) => {
      socket.on(
        'subscribe',
        (body: unknown, ack?: unknown) =>
          void this.subscribe(socket, body, typeof ack === 'function' ? (ack as (r: ConsoleSubscribeResult) => void) : undefined),
      );
      socket.on('unsubscribe', () => this.leave(socket));
    });
    this.recheck = setInterval(() => void this.recheckAll(namespace), RECHECK_MS);
    this.recheck.unref();
  }

  handleDisconnect(socket: Socket): void {
    this.leave(socket);
  }

  /** Ends the recheck timer when the app closes (the namespace's sockets are closed by socket.io). */
  onModuleDestroy(): void {
    clearInterval(this.recheck);
  }

  private async subscribe(socket: Socket, body: unknown, ack: ((result: ConsoleSubscribeResult) => void) | undefined): Promise<void> {
    const data = socket.data as ConsoleSocketData;
    const refuse = (error: ConsoleRefusal['error'], message: string) => {
      const answer: ConsoleRefusal = { error, message };
      socket.emit(CONSOLE_EVENTS.subscriptionRefused, answer);
      ack?.({ ok: false, ...answer });
    };
    const request = parseSubscribeRequest(body);
    if (typeof request === 'string') return refuse('VALIDATION_FAILED', request);
    // The same rule as the REST read endpoints of the project.
    if (!permits(data.principal, 'viewer', request.project)) return refuse('FORBIDDEN', 'This needs the viewer role');
    this.leave(socket);
    const generation = ++data.generation;
    let environments: string[];
    try {
      environments = await this.feed.watch(request.project);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'NOT_FOUND') return refuse('NOT_FOUND', err.message);
      this.logger.warn({ reason: err instanceof Error ? err.message : String(err) }, 'console subscription failed');
      return refuse('UNAVAILABLE', 'The subscription could not be set up now; retry');
    }
    if (request.environment !== undefined && !environments.includes(request.environment)) {
      this.feed.unwatch(request.project);
      return refuse('NOT_FOUND', `Environment '${request.project}/${request.environment}' does not exist`);
    }
    // Disconnected, or subscribed again, while the project was looked up: the newer request wins.
    if (!socket.connected || generation !== data.generation) {
      this.feed.unwatch(request.project);
      return;
    }
    data.project = request.project;
    data.rooms = [projectRoom(request.project), environmentRoom(request.project, request.environment ?? null)];
    await socket.join(data.rooms);
    ack?.({ ok: true, project: request.project, environments: request.environment !== undefined ? [request.environment] : environments });
  }

  private leave(socket: Socket): void {
    const data = socket.data as ConsoleSocketData | undefined;
    if (!data?.project) return;
    this.feed.unwatch(data.project);
    data.rooms.forEach((room) => void socket.leave(room));
    data.project = undefined;
    data.rooms = [];
  }

  // A session that ended (sign-out, expiry, a disabled user) or a revoked token stops hearing changes.
  private async recheckAll(namespace: Namespace): Promise<void> {
    for (const socket of namespace.sockets.values()) {
      const data = socket.data as ConsoleSocketData;
      try {
        if (await this.credentials.resolve(data.secret)) continue;
      } catch {
        continue; // not a verdict: the database did not answer
      }
      socket.emit(CONSOLE_EVENTS.refused, { error: 'UNAUTHENTICATED', message: 'The session ended or the token was revoked' } satisfies ConsoleRefusal);
      socket.disconnect(true);
    }
  }
}
