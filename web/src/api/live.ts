import { type Query, type QueryClient, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { Socket } from 'socket.io-client';
import { queryKeys } from './queryKeys';

/** Changes inside a project, heard by the consoles that watch it. */
type ProjectChangeKind = 'flag' | 'segment' | 'rollout' | 'experiment' | 'trigger';
/** Changes to the project list (projects, environments, SDK keys), heard by every console. */
type ProjectListChangeKind = 'project' | 'environment' | 'sdk-key';
/** Changes only admins hear. */
type AdminChangeKind = 'user' | 'token' | 'webhook';

/**
 * What the server's console namespace says changed (server/src/realtime/console.messages.ts).
 * `key` names the resource; for a rollout plan or an experiment, the flag it runs on.
 */
export type ConsoleChange =
  | {
      kind: ProjectChangeKind | ProjectListChangeKind;
      project: string;
      environment: string | null;
      key: string;
      /** The change-log sequence, or null for a change announced by the audit log. */
      sequence: number | null;
      /** The audit log's action (`flag.archived`, `rollout.paused`, ...), or null for a change-log entry. */
      action: string | null;
    }
  | { kind: AdminChangeKind; project: string | null; environment: null; key: string; sequence: null; action: string };

interface ConsoleRefusal {
  error: 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'VALIDATION_FAILED' | 'UNAVAILABLE';
  message: string;
}

type SubscribeResult = { ok: true; project: string; environments: string[] } | ({ ok: false } & ConsoleRefusal);

/** Which cached queries a change makes stale: a predicate over query keys. */
export type StaleMatcher = (key: readonly unknown[]) => boolean;

const startsWith = (key: readonly unknown[], prefix: readonly unknown[]) => prefix.every((part, i) => key[i] === part);

/** Audit-log queries that may list an entry of `project` (null: an entry of no project). */
const auditOf =
  (project: string | null): StaleMatcher =>
  (k) => {
    if (!startsWith(k, queryKeys.audit)) return false;
    // ['audit', filters, limit]: a list filtered to another project does not show the entry.
    const filtered = (k[1] as { project?: string } | undefined)?.project;
    return filtered === undefined || filtered === project;
  };

/**
 * The queries a change makes stale. Only those on screen refetch (react-query's default for
 * invalidation); the rest refetch when next shown. A flag change leaves other flags' pages alone.
 */
export const staleMatcher = (change: ConsoleChange): StaleMatcher => {
  const audit = auditOf(change.project);
  switch (change.kind) {
    case 'user':
      return (k) => audit(k) || startsWith(k, queryKeys.users);
    case 'token':
      return (k) => audit(k) || startsWith(k, queryKeys.tokens);
    case 'webhook':
      // The list and each subscription's deliveries.
      return (k) => audit(k) || startsWith(k, queryKeys.webhooks);
  }
  const { project, environment, key } = change;
  const flagPage = (k: readonly unknown[]) => startsWith(k, queryKeys.flag(project, key));
  switch (change.kind) {
    case 'flag':
      return (k) =>
        audit(k) ||
        // Every list, search, count and report of the project's flags, and this flag's page.
        (startsWith(k, queryKeys.flags(project)) && !(k[2] === 'detail' && k[3] !== key)) ||
        // A flag change may be a rollout stage moving, and is what SDKs confirm.
        (environment !== null &&
          (startsWith(k, queryKeys.rolloutPlans(project, key, environment)) || startsWith(k, queryKeys.delivery(project, environment)))) ||
        // It may apply a change request, or leave others stale.
        startsWith(k, queryKeys.changeRequests(project));
    case 'segment':
      return (k) => audit(k) || startsWith(k, queryKeys.segments(project)) || (environment !== null && startsWith(k, queryKeys.delivery(project, environment)));
    case 'project':
    case 'environment':
      return (k) => audit(k) || startsWith(k, queryKeys.projects);
    case 'sdk-key':
      // A rotation also ends the SDK connections of the old key.
      return (k) => audit(k) || startsWith(k, queryKeys.projects) || (environment !== null && startsWith(k, queryKeys.delivery(project, environment)));
    case 'rollout':
      return (k) => audit(k) || flagPage(k) || (environment !== null && startsWith(k, queryKeys.rolloutPlans(project, key, environment)));
    case 'experiment':
      return (k) => audit(k) || flagPage(k) || startsWith(k, queryKeys.experiments(project));
    case 'trigger':
      // ['triggers', project, flag, environment]: the change names the trigger, not its flag.
      return (k) => audit(k) || (startsWith(k, ['triggers', project]) && (environment === null || k[3] === environment));
  }
};

/** Changes the console hears whatever project it watches: the project list's, and admins' ones. */
const GLOBAL_KINDS: ReadonlySet<ConsoleChange['kind']> = new Set(['project', 'environment', 'sdk-key', 'user', 'token', 'webhook']);

/** Everything a console may show of a project, and what is not a project's (after a reconnect it may have missed any change). */
export const projectMatcher =
  (project: string): StaleMatcher =>
  (k) =>
    k[1] === project ||
    startsWith(k, queryKeys.audit) ||
    startsWith(k, queryKeys.projects) ||
    startsWith(k, queryKeys.users) ||
    startsWith(k, queryKeys.tokens) ||
    startsWith(k, queryKeys.webhooks);

/**
 * How long changes arriving together are gathered into one invalidation: a segment change comes
 * once per environment, and a config change twice (its change-log entry and its audit entry, 0-16 ms
 * apart when measured), which would otherwise cancel and restart the refetch the first one began.
 */
const GATHER_MS = 25;
/** Backoff after the server could not check the session (socket.io does not retry a refused handshake by itself). */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/** The socket.io client, fetched on the first connection (the browser caches the module after that). */
const loadSocketIo = () => import('socket.io-client');

export interface LiveConnection {
  close(): void;
}

/**
 * Keeps a project's cached queries fresh by push: the server names what changed, and the matching
 * queries are invalidated, so what is on screen refetches through the API and nothing polls. After
 * every (re)subscription, queries fetched before it are invalidated too, since a change may have
 * happened while no subscription was listening.
 */
export const connectLive = (client: QueryClient, project: string, url = '/console'): LiveConnection => {
  let pending: Array<(query: Query) => boolean> = [];
  let gather: ReturnType<typeof setTimeout> | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let retries = 0;
  let closed = false;
  let socket: Socket | undefined;

  const invalidate = (stale: (query: Query) => boolean) => {
    pending.push(stale);
    gather ??= setTimeout(() => {
      const predicates = pending;
      pending = [];
      gather = undefined;
      void client.invalidateQueries({ predicate: (query) => predicates.some((p) => p(query)) });
    }, GATHER_MS);
  };

  const ofProject = projectMatcher(project);
  const listen = (socket: Socket) => {
    const subscribe = () => {
      const since = Date.now();
      void (socket.emitWithAck('subscribe', { project }) as Promise<SubscribeResult>).then((result) => {
        if (closed || !result.ok) return;
        // A query still loading its first answer is left alone: restarting it would only delay it.
        invalidate((query) => ofProject(query.queryKey) && query.state.dataUpdatedAt > 0 && query.state.dataUpdatedAt < since);
      });
    };

    socket.on('connect', () => {
      retries = 0;
      subscribe();
    });
    socket.on('changed', (change: ConsoleChange) => {
      if (!GLOBAL_KINDS.has(change.kind) && change.project !== project) return;
      const stale = staleMatcher(change);
      invalidate((query) => stale(query.queryKey));
    });
    socket.on('resync', () => invalidate((query) => ofProject(query.queryKey)));
    socket.on('connect_error', (err: Error & { data?: ConsoleRefusal }) => {
      // A drop is retried by socket.io itself (socket.active); a refused handshake is not.
      if (socket.active || closed) return;
      if (err.data?.error === 'UNAUTHENTICATED') {
        // The session ended: asking who is signed in shows the sign-in form if so.
        void client.invalidateQueries({ queryKey: queryKeys.me });
        return;
      }
      if (err.data?.error === 'FORBIDDEN') return;
      const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** retries++) * (0.5 + Math.random());
      retry = setTimeout(() => socket.connect(), delay);
    });
    socket.on('refused', () => void client.invalidateQueries({ queryKey: queryKeys.me }));
  };

  // socket.io-client (~45 KB) loads here, once the console is on screen, not with the first screen's code.
  // A failed load (a deploy replaced the file) leaves the console working without push, as when the server is unreachable.
  void loadSocketIo().then(
    ({ io }) => {
      if (closed) return;
      // The session cookie goes with the handshake; socket.io retries with backoff and jitter after a drop.
      socket = io(url, { transports: ['websocket', 'polling'], withCredentials: true, randomizationFactor: 0.5, reconnectionDelayMax: 10_000 });
      listen(socket);
    },
    () => {},
  );

  return {
    close: () => {
      closed = true;
      clearTimeout(gather);
      clearTimeout(retry);
      socket?.close();
    },
  };
};

/** Follows `project` while a signed-in console shows it: one connection per tab, opened again when the project changes. */
export const useLiveUpdates = (project: string | undefined) => {
  const client = useQueryClient();
  useEffect(() => {
    if (project === undefined) return;
    const live = connectLive(client, project);
    return () => live.close();
  }, [client, project]);
};
