/** Something in a config the engine could not use; evaluation reports it as an ERROR where it matters. */
export interface ConfigProblem {
  flagKey?: string;
  segmentKey?: string;
  message: string;
}

/** Told about problems as they are found: the config's shape at once, a flag's or segment's when it compiles. Must not throw. */
export type ProblemListener = (problems: readonly ConfigProblem[]) => void;

export function tell(listener: ProblemListener | undefined, problems: readonly ConfigProblem[]): void {
  try {
    listener?.(problems);
  } catch {
    // A listener that throws must not break evaluation.
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : 'unreadable config';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
