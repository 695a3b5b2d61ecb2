/** The only place the console talks HTTP. Errors carry the API's `{ error, message, details }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
  const res = await fetch(`/api/v1${path}`, {
    ...init,
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
  });
  if (res.status === 204) return undefined as T;
  const body = (await res.json().catch(() => ({}))) as { error?: string; message?: string; details?: unknown };
  if (!res.ok) throw new ApiError(res.status, body.error ?? 'ERROR', body.message ?? res.statusText, body.details);
  return body as T;
};

export interface EnvironmentView {
  key: string;
  name: string;
}
export interface ProjectView {
  key: string;
  name: string;
  environments: EnvironmentView[];
}
export interface FlagConfigView {
  on: boolean;
  killed: boolean;
  kill: { reason: string; by: string; at: string } | null;
  version: number;
}
export interface FlagView {
  key: string;
  name: string;
  description: string;
  owner: string | null;
  tags: string[];
  kind: string;
  environments: Record<string, FlagConfigView>;
}
export interface Me {
  kind: string;
  name: string;
  role: string;
}
