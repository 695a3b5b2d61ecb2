/** Where the relay's diagnostics go: one JSON line per event on stderr, like the server's logs. */
export interface RelayLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const line = (level: string, message: string, fields?: Record<string, unknown>) =>
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, name: 'relay', msg: message, ...fields })}\n`);

export const stderrLogger: RelayLogger = {
  info: (message, fields) => line('info', message, fields),
  warn: (message, fields) => line('warn', message, fields),
  error: (message, fields) => line('error', message, fields),
};

export const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
