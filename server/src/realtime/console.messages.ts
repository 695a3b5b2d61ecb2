/**
 * What the console namespace says. Messages only name what changed, never the new state: a console
 * refetches what it shows through the same REST API, with the same access checks, so the channel
 * cannot leak more than the API would.
 */
export const CONSOLE_NAMESPACE = '/console';

/** What changed: a flag's config or definition, a segment, an environment, a rollout plan, an experiment. */
export type ConsoleChangeKind = 'flag' | 'segment' | 'environment' | 'rollout' | 'experiment';

export interface ConsoleChange {
  project: string;
  /** null: the change concerns the project as a whole (a segment is per project, but its log entries are per environment). */
  environment: string | null;
  kind: ConsoleChangeKind;
  key: string;
  /** The environment's change-log sequence, or null for changes the log does not carry (rollout status, experiments). */
  sequence: number | null;
}

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

/** The session cookie's value from a Cookie header, if it carries one. */
export const cookieValue = (header: string | undefined, name: string): string | undefined => {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) {
      const raw = part.slice(at + 1).trim();
      try {
        return decodeURIComponent(raw) || undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
};
