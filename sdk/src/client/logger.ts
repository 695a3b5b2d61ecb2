/** Where the client writes diagnostics. Every method is optional in spirit; all three are called. */
export interface Logger {
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
  debug(message: string, ...details: unknown[]): void;
}

const MAX_REMEMBERED = 100;

/**
 * The default logger: warnings and errors go to `console.warn`, each distinct message once, so a
 * client retrying against a dead server does not flood a pipeline's log. Debug output is dropped.
 */
export function createDefaultLogger(): Logger {
  const seen = new Set<string>();
  const once = (message: string): void => {
    if (seen.has(message)) return;
    if (seen.size >= MAX_REMEMBERED) seen.clear();
    seen.add(message);
    console.warn(`[signalbox] ${message}`);
  };
  return { warn: once, error: once, debug: () => undefined };
}

/** Wraps a caller's logger so a throwing logger cannot break the client. */
export function guardLogger(logger: Logger): Logger {
  const guard =
    (write: (message: string, ...details: unknown[]) => void) =>
    (message: string, ...details: unknown[]): void => {
      try {
        write.call(logger, message, ...details);
      } catch {
        // A logger that throws is not worth failing for.
      }
    };
  return { warn: guard(logger.warn), error: guard(logger.error), debug: guard(logger.debug) };
}

/** The message of anything thrown. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
