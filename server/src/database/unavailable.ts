/**
 * Whether an error means the database could not be reached or dropped the session (a restart, a
 * failover, a network cut, a pool that could not connect in time) rather than a fault in the request
 * or the code. Callers answer those with 503 and Retry-After: the same request will work later.
 */
export const isDatabaseUnavailable = (err: unknown): boolean => {
  for (let e: unknown = err, depth = 0; e !== null && typeof e === 'object' && depth < 4; depth++) {
    const { code, message, name } = e as { code?: unknown; message?: unknown; name?: unknown };
    // TypeORM's answer to a query on a transaction whose connection the database just cut.
    if (name === 'QueryRunnerAlreadyReleasedError' || name === 'QueryRunnerProviderAlreadyReleasedError') return true;
    if (typeof code === 'string' && (NODE_CODES.has(code) || code.startsWith('08') || POSTGRES_CODES.has(code))) return true;
    if (typeof message === 'string' && MESSAGES.test(message)) return true;
    e = (e as { driverError?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
  }
  return false;
};

/** Seconds a client should wait before retrying: a PostgreSQL restart takes about this long. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// 57P01-03: shutdown / crash / cannot connect now; 53300: too many connections; class 08: connection exceptions.
const POSTGRES_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
// `pg` and `pg-pool` raise plain errors for these.
const MESSAGES = new RegExp(
  [
    'Connection terminated',
    'timeout exceeded when trying to connect',
    'Client has encountered a connection error',
    'not queryable',
    'Connection ended unexpectedly',
    'the database system is (starting up|shutting down|in recovery mode)',
  ].join('|'),
  'i',
);
