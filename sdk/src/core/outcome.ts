import type { ErrorCode, EvaluationResult, FlagValue, Reason } from './types.js';

/** The evaluation step that decided a result, as reported by `explain`. */
export type DecisionStep =
  'FLAG_NOT_FOUND' | 'INVALID_CONFIG' | 'TYPE_MISMATCH' | 'KILLED' | 'DISABLED' | 'PREREQUISITES' | 'TARGETS' | 'RULE' | 'DEFAULT_RULE' | 'UNEXPECTED_ERROR';

/**
 * A possible end of an evaluation, built once at compile time. When it serves a variant its
 * frozen `result` is returned as is, so a hot evaluation allocates nothing; when it serves the
 * caller's default (`result === null`) the result is built per call around the caller's value.
 */
export class Outcome {
  /** True when this serves a variant normally: what a prerequisite requires. */
  readonly servesVariant: boolean;

  constructor(
    readonly result: Readonly<EvaluationResult> | null,
    readonly reason: Reason,
    readonly variant: string | undefined,
    readonly step: DecisionStep,
    readonly ruleIndex: number | undefined,
    readonly errorCode: ErrorCode | undefined,
    readonly errorMessage: string | undefined,
  ) {
    this.servesVariant = result !== null && variant !== undefined && errorCode === undefined && isServingReason(reason);
  }
}

function isServingReason(reason: Reason): boolean {
  return reason === 'STATIC' || reason === 'TARGETING_MATCH' || reason === 'SPLIT' || reason === 'DEFAULT';
}

/** An outcome that serves `value` of variant `variant`. */
export function servedOutcome(
  variant: string,
  value: FlagValue,
  reason: Reason,
  step: DecisionStep,
  ruleIndex?: number,
  errorCode?: ErrorCode,
  errorMessage?: string,
): Outcome {
  const result: EvaluationResult = { value, variant, reason };
  if (ruleIndex !== undefined) result.ruleIndex = ruleIndex;
  if (errorCode !== undefined) result.errorCode = errorCode;
  if (errorMessage !== undefined) result.errorMessage = errorMessage;
  return new Outcome(Object.freeze(result), reason, variant, step, ruleIndex, errorCode, errorMessage);
}

/** An outcome that serves the caller's default value. */
export function callerDefaultOutcome(reason: Reason, step: DecisionStep, errorCode?: ErrorCode, errorMessage?: string, ruleIndex?: number): Outcome {
  return new Outcome(null, reason, undefined, step, ruleIndex, errorCode, errorMessage);
}

/** An outcome for a config problem: the caller's default with reason `ERROR`. */
export function errorOutcome(errorCode: ErrorCode, errorMessage: string, step: DecisionStep, ruleIndex?: number): Outcome {
  return callerDefaultOutcome('ERROR', step, errorCode, errorMessage, ruleIndex);
}

/** The result of an outcome for a caller whose default is `defaultValue`. */
export function resultOf(outcome: Outcome, defaultValue: FlagValue): EvaluationResult {
  if (outcome.result !== null) return outcome.result;
  const result: EvaluationResult = { value: defaultValue, reason: outcome.reason };
  if (outcome.errorCode !== undefined) result.errorCode = outcome.errorCode;
  if (outcome.errorMessage !== undefined) result.errorMessage = outcome.errorMessage;
  return result;
}
