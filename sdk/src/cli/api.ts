/** Exit codes, so shell pipelines and runbooks can branch on what went wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2, auth: 3, notFound: 4, conflict: 5, unreachable: 6 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** The server's error code (`error` in its body), when the server answered. */
    readonly code?: string,
  ) {
    super(message);
  }
}

const exitCodeOf = (status: number): number =>
  status === 401 || status === 403 ? EXIT.auth : status === 404 ? EXIT.notFound : status === 409 ? EXIT.conflict : status === 400 ? EXIT.usage : EXIT.failed;

/** The answer's body as JSON, or undefined when it is empty or not JSON (a proxy's HTML page, say). */
const parsedJson = (text: string): unknown => {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
};

/** A CliError for an answer that is not a success, in the server's words when it gave any. */
export const answerError = (status: number, statusText: string, text: string): CliError => {
  const problem = parsedJson(text) as { error?: string; message?: string; details?: Array<{ field: string; reason: string }> } | undefined;
  const details = Array.isArray(problem?.details) ? problem.details.map((d) => `\n  ${d.field}: ${d.reason}`).join('') : '';
  return new CliError(`${status}: ${typeof problem?.message === 'string' ? problem.message : statusText}${details}`, exitCodeOf(status), problem?.error);
};

/** A thin client of the Signalbox HTTP API; errors become CliErrors with the server's message. */
export const apiClient = (url: string | undefined, token: string | undefined) => {
  if (!url) throw new CliError('No server configured: run `signalbox login --url <url> --token <token>` or set SIGNALBOX_URL', EXIT.usage);
  if (!token) throw new CliError('No token configured: run `signalbox login --url <url> --token <token>` or set SIGNALBOX_TOKEN', EXIT.usage);
  const base = url.replace(/\/+$/, '');
  return async <T>(method: string, pathname: string, body?: unknown): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(`${base}/api/v1${pathname}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'user-agent': 'signalbox-cli' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new CliError(`Cannot reach ${base}: ${(err as Error).message}`, EXIT.unreachable);
    }
    const text = await res.text();
    if (!res.ok) throw answerError(res.status, res.statusText, text);
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch {
      throw new CliError(`${base} answered ${res.status} with a body that is not JSON: is it a Signalbox server?`, EXIT.failed);
    }
  };
};

/** A commander argument parser for an option that takes a whole number of at least `min`. */
export const wholeNumber = (name: string, min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${name} must be a whole number of at least ${min}; got '${value}'`, EXIT.usage);
  return n;
};
