/**
 * What the console namespace says. Messages only name what changed, never the new state: a console
 * refetches what it shows through the same REST API, with the same access checks, so the channel
 * cannot leak more than the API would.
 */
export const CONSOLE_NAMESPACE = '/console';

/** Changes every console hears: the project list (projects, their environments and SDK keys) is shown everywhere. */
export const PROJECT_LIST_KINDS = ['project', 'environment', 'sdk-key'] as const;
/** Changes inside a project, for the consoles that watch it. */
export const PROJECT_KINDS = ['flag', 'segment', 'rollout', 'experiment', 'trigger'] as const;
/** Changes only admins hear: what /users, /tokens and /webhooks show, and the audit log shows no one else. */
export const ADMIN_KINDS = ['user', 'token', 'webhook'] as const;

export type ProjectChangeKind = (typeof PROJECT_LIST_KINDS)[number] | (typeof PROJECT_KINDS)[number];
export type AdminChangeKind = (typeof ADMIN_KINDS)[number];
export type ConsoleChangeKind = ProjectChangeKind | AdminChangeKind;

/**
 * What changed. `key` names the resource: a flag, segment, environment, project or SDK key's
 * environment, a trigger or webhook id, a user's email, a token's name; for a rollout plan or an
 * experiment, the flag it runs on.
 */
export type ConsoleChange =
  | {
      kind: ProjectChangeKind;
      project: string;
      /** null: the change concerns the project as a whole (a segment is per project, but its log entries are per environment). */
      environment: string | null;
      key: string;
      /** The environment's change-log sequence, or null for a change announced by the audit log. */
      sequence: number | null;
      /** The audit log's action (`flag.archived`, `rollout.paused`, ...), or null for a change-log entry. */
      action: string | null;
    }
  | {
      kind: AdminChangeKind;
      /** A webhook's project, if it has one; users and tokens belong to no project. */
      project: string | null;
      environment: null;
      key: string;
      sequence: null;
      action: string;
    };

/** Which sockets hear a change. */
export type ConsoleAudience =
  | { to: 'everyone' }
  | { to: 'admins' }
  | {
      to: 'project';
      project: string;
      /** Sockets watching every environment of the project or this one; null: every socket on the project. */
      environment: string | null;
    };

export const audienceOf = (change: ConsoleChange): ConsoleAudience => {
  if (isAdminChange(change)) return { to: 'admins' };
  if ((PROJECT_LIST_KINDS as readonly string[]).includes(change.kind)) return { to: 'everyone' };
  return { to: 'project', project: change.project, environment: change.environment };
};

export const isAdminChange = (change: ConsoleChange): change is Extract<ConsoleChange, { kind: AdminChangeKind }> =>
  (ADMIN_KINDS as readonly string[]).includes(change.kind);

/** Client → server: `subscribe` with this body (and an ack callback). A later subscribe replaces the earlier one. */
export interface ConsoleSubscribeRequest {
  project: string;
  /** Only this environment's changes (and project-wide ones); absent: every environment of the project. */
  environment?: string;
}

export type ConsoleRefusalCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'VALIDATION_FAILED' | 'UNAVAILABLE';

export interface ConsoleRefusal {
  error: ConsoleRefusalCode;
  message: string;
}

/** The ack of `subscribe`; a refusal is also sent as a `subscription-refused` event. */
export type ConsoleSubscribeResult = { ok: true; project: string; environments: string[] } | ({ ok: false } & ConsoleRefusal);

/** Server → client events. */
export const CONSOLE_EVENTS = {
  changed: 'changed',
  /** Changes may have been missed (this instance lost its LISTEN session): refetch everything shown. */
  resync: 'resync',
  subscriptionRefused: 'subscription-refused',
  /** The credential stopped being valid; the server disconnects right after. */
  refused: 'refused',
} as const;

/** Reads the subscribe body; a string naming the bad field when it is not one. */
export const parseSubscribeRequest = (body: unknown): ConsoleSubscribeRequest | string => {
  if (typeof body !== 'object' || body === null) return 'project: send { project, environment? }';
  const { project, environment } = body as Record<string, unknown>;
  if (typeof project !== 'string' || project.length === 0 || project.length > 128) return 'project: must be a project key';
  if (environment !== undefined && environment !== null && (typeof environment !== 'string' || environment.length === 0 || environment.length > 128))
    return 'environment: must be an environment key when given';
  return typeof environment === 'string' ? { project, environment } : { project };
};

/** What a handshake carries: socket.io's `auth`, the Authorization header, and the cookies cookie-parser read. */
export interface ConsoleHandshake {
  auth?: unknown;
  authorization?: string;
  cookies?: Record<string, unknown>;
}

/** The credential a console presents: auth.token or a bearer header (API tokens, CLIs), else the session cookie. */
export const presentedCredential = (handshake: ConsoleHandshake, sessionCookie: string): { secret: string; via: 'token' | 'cookie' } | undefined => {
  const { token } = (handshake.auth ?? {}) as { token?: unknown };
  if (typeof token === 'string' && token.length > 0) return token.length <= 500 ? { secret: token, via: 'token' } : undefined;
  if (handshake.authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(handshake.authorization);
    return match?.[1] ? { secret: match[1], via: 'token' } : undefined;
  }
  const cookie = handshake.cookies?.[sessionCookie];
  return typeof cookie === 'string' && cookie.length > 0 ? { secret: cookie, via: 'cookie' } : undefined;
};
