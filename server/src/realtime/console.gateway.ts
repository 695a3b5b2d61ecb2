import type { IncomingMessage } from 'node:http';
import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { type OnGatewayDisconnect, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import cookieParser from 'cookie-parser';
import type { Namespace, Socket } from 'socket.io';
import { crossSiteRefusal, permits, SESSION_COOKIE } from '../auth/auth.guard.js';
import { CredentialsService } from '../auth/credentials.service.js';
import type { Principal } from '../auth/principal.js';
import { DomainError } from '../common/errors/domain-error.js';
import {
  audienceOf,
  CONSOLE_EVENTS,
  CONSOLE_NAMESPACE,
  type ConsoleChange,
  type ConsoleRefusal,
  type ConsoleSubscribeResult,
  parseSubscribeRequest,
  presentedCredential,
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
// Users, tokens and webhooks: what only admins may read, whatever project they watch.
const ADMIN_ROOM = 'admins';

const refusal = (error: ConsoleRefusal['error'], message: string): Error & { data: ConsoleRefusal } =>
  Object.assign(new Error(message), { data: { error, message } });

/** The credential of a handshake; its cookies were read by cookie-parser (see afterInit). */
const presented = (socket: Socket) =>
  presentedCredential(
    {
      auth: socket.handshake.auth,
      authorization: socket.handshake.headers.authorization,
      cookies: (socket.request as IncomingMessage & { cookies?: Record<string, unknown> }).cookies,
    },
    SESSION_COOKIE,
  );

/**
 * socket.io namespace for the web console: a signed-in console subscribes to a project and hears
 * which of its flags, segments, rollout plans, experiments and triggers changed, every console
 * hears changes to the project list (projects, environments, SDK keys), and admins hear users,
 * tokens and webhooks; so it refetches only what it shows. Authenticated like the REST API (session
 * cookie or bearer API token) and authorised like its read endpoints (viewer on the project; admin
 * for what only admins may read).
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
    // The handshake's request gets `.cookies`, parsed as the REST API's are (app.ts).
    namespace.server.engine.use(cookieParser());
    this.feed.registerSink({
      changed: (change: ConsoleChange) => {
        const audience = audienceOf(change);
        // Every console may read the project list (a viewer reads every project).
        if (audience.to === 'everyone') namespace.emit(CONSOLE_EVENTS.changed, change);
        else if (audience.to === 'admins') namespace.to(ADMIN_ROOM).emit(CONSOLE_EVENTS.changed, change);
        else
          namespace
            .to(
              audience.environment === null
                ? [projectRoom(audience.project)]
                : [environmentRoom(audience.project, null), environmentRoom(audience.project, audience.environment)],
            )
            .emit(CONSOLE_EVENTS.changed, change);
        // A user or token changed (a role, a revocation, a disabled user): check every console's credential now, not at the next recheck.
        if (change.kind === 'user' || change.kind === 'token') void this.recheckAll(namespace);
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
        .authenticate(credential.secret)
        .then((checked) => {
          if (!checked.ok) return next(refusal('UNAUTHENTICATED', checked.message));
          const principal = checked.principal;
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
      if (permits((socket.data as ConsoleSocketData).principal, 'admin')) void socket.join(ADMIN_ROOM);
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
      let principal: Principal | undefined;
      let message = 'The session ended or the token was revoked';
      try {
        const checked = await this.credentials.authenticate(data.secret);
        if (checked.ok) principal = checked.principal;
        // An expired API token says so; other refusals keep the general message.
        else if (checked.refusal === 'expired') message = checked.message;
      } catch {
        continue; // not a verdict: the database did not answer
      }
      if (principal && permits(principal, 'viewer')) {
        // A changed role takes effect here: an admin made editor stops hearing users and tokens.
        data.principal = principal;
        if (permits(principal, 'admin')) void socket.join(ADMIN_ROOM);
        else void socket.leave(ADMIN_ROOM);
        continue;
      }
      socket.emit(CONSOLE_EVENTS.refused, { error: 'UNAUTHENTICATED', message } satisfies ConsoleRefusal);
      socket.disconnect(true);
    }
  }
}
