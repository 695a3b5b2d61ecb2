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
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) {
      const problem = parsed as { error?: string; message?: string; details?: Array<{ field: string; reason: string }> } | undefined;
      const details = Array.isArray(problem?.details) ? problem.details.map((d) => `\n  ${d.field}: ${d.reason}`).join('') : '';
      throw new CliError(`${res.status}: ${problem?.message ?? res.statusText}${details}`, exitCodeOf(res.status), problem?.error);
    }
    return parsed as T;
  };
};

/** A commander argument parser for an option that takes a whole number of at least `min`. */
export const wholeNumber = (name: string, min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${name} must be a whole number of at least ${min}; got '${value}'`, EXIT.usage);
  return n;
};
