/** The only place the console talks HTTP. Errors carry the API's `{ error, message, details, requestId }`. */
export interface FieldError {
  field: string;
  reason: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Validation failures name fields like `rules[0].clauses[1].values[0]`; other errors carry none. */
  get fieldErrors(): FieldError[] {
    if (!Array.isArray(this.details)) return [];
    return this.details.filter(
      (d): d is FieldError => typeof d === 'object' && d !== null && typeof (d as FieldError).field === 'string',
    );
  }
}

type Query = Record<string, string | number | boolean | undefined | null>;

const withQuery = (path: string, query?: Query): string => {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
};

export const request = async <T>(method: string, path: string, options: { body?: unknown; query?: Query } = {}): Promise<T> => {
  let res: Response;
  try {
    res = await fetch(`/api/v1${withQuery(path, options.query)}`, {
      method,
      credentials: 'same-origin',
      headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Cannot reach the Signalbox server');
  }
  if (res.status === 204) return undefined as T;
  const body = (await res.json().catch(() => ({}))) as { error?: string; message?: string; details?: unknown; requestId?: string };
  if (!res.ok) throw new ApiError(res.status, body.error ?? 'ERROR', body.message ?? res.statusText, body.details, body.requestId);
  return body as T;
};

export const errorMessage = (error: unknown): string =>
  error instanceof ApiError ? error.message : error instanceof Error ? error.message : 'Something went wrong';
