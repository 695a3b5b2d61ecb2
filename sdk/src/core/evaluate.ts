import type { CompiledEnvironment, CompiledFlag, CompiledPrerequisite } from './compile.js';
import { asContextRecord, type ContextRecord } from './context.js';
import { firstFailingClause } from './operators.js';
import { errorOutcome, resultOf, type Outcome } from './outcome.js';
import type { CompiledRollout } from './rollout.js';
import type { EvaluationContext, EvaluationResult, FlagKind, FlagValue } from './types.js';

/**
 * Receives what an evaluation looked at, for `explain`. Evaluation calls it only when one is
 * passed, so plain evaluation pays nothing for it.
 */
export interface EvaluationTrace {
  prerequisite(prerequisite: CompiledPrerequisite, outcome: Outcome | undefined, passed: boolean): void;
  target(matched: boolean): void;
  /** `failedClause` is the index of the first clause that did not match, -1 when the rule matched. */
  rule(index: number, failedClause: number): void;
  /** `unit` is undefined when the context had no usable `bucketBy` value. */
  bucket(rollout: CompiledRollout, unit: string | undefined, bucket: number | undefined): void;
}

const FLAG_NOT_FOUND = errorOutcome('FLAG_NOT_FOUND', 'no flag with this key', 'FLAG_NOT_FOUND');

/**
 * Evaluates one flag for a context: the single evaluator shared by the SDK and the server.
 * Never throws: unknown flags, type mismatches and unreadable configs serve `defaultValue` with
 * reason `ERROR` and an error code. Served results are frozen and may be shared between calls.
 *
 * @param expectedKind the kind the caller expects; a flag of another kind serves `defaultValue`
 *   with `TYPE_MISMATCH`. Omit it to accept any kind.
 */
export function evaluate(
  environment: CompiledEnvironment,
  flagKey: string,
  context: EvaluationContext | undefined,
  defaultValue: FlagValue,
  expectedKind?: FlagKind,
): Readonly<EvaluationResult> {
  try {
    const flag = environment.flags.get(flagKey);
    if (flag === undefined) return resultOf(FLAG_NOT_FOUND, defaultValue);
    if (expectedKind !== undefined && flag.broken === null && expectedKind !== flag.kind) {
      return typeMismatch(flag, expectedKind, defaultValue);
    }
    return resultOf(decide(flag, asContextRecord(context), undefined), defaultValue);
  } catch (error) {
    return unexpectedError(error, defaultValue);
  }
}

/**
 * Evaluates every flag for a context (a remote "evaluate all"). Flags that would serve a
 * caller's default get `null`. Keys map to results in config order.
 */
export function evaluateAll(environment: CompiledEnvironment, context: EvaluationContext | undefined): Record<string, Readonly<EvaluationResult>> {
  const results: Record<string, Readonly<EvaluationResult>> = Object.create(null) as Record<string, Readonly<EvaluationResult>>;
  try {
    const record = asContextRecord(context);
    for (const flag of environment.flags.values()) {
      let result: Readonly<EvaluationResult>;
      try {
        result = resultOf(decide(flag, record, undefined), null);
      } catch (error) {
        result = unexpectedError(error, null);
      }
      results[flag.key] = result;
    }
  } catch {
    // Not a compiled environment: nothing to evaluate.
  }
  return results;
}

/** @internal The type check as a result, shared with `explain`. */
export function typeMismatch(flag: CompiledFlag, expectedKind: FlagKind, defaultValue: FlagValue): EvaluationResult {
  return {
    value: defaultValue,
    reason: 'ERROR',
    errorCode: 'TYPE_MISMATCH',
    errorMessage: `flag "${flag.key}" is a ${String(flag.kind)} flag, not ${String(expectedKind)}`,
  };
}

/** @internal */
export function unexpectedError(error: unknown, defaultValue: FlagValue): EvaluationResult {
  const detail = error instanceof Error ? error.message : 'unknown error';
  return { value: defaultValue, reason: 'ERROR', errorCode: 'GENERAL', errorMessage: `evaluation failed: ${detail}` };
}

/**
 * @internal The evaluation order. Returns the outcome of the first step that decides; `trace`,
 * when given, hears about every step it passes through.
 */
export function decide(flag: CompiledFlag, context: ContextRecord, trace: EvaluationTrace | undefined): Outcome {
  if (flag.broken !== null) return flag.broken;
  if (flag.killed) return flag.killedOutcome;
  if (!flag.on) return flag.disabledOutcome;

  if (flag.prerequisitesError !== null) return flag.prerequisitesError;
  if (flag.prerequisites.length > 0 && !prerequisitesPass(flag, context, trace)) return flag.prerequisiteFailedOutcome;

  if (flag.targetsError !== null) return flag.targetsError;
  if (flag.hasTargets) {
    const key = context.targetingKey;
    const target = typeof key === 'string' ? flag.targets.get(key) : undefined;
    if (trace !== undefined) trace.target(target !== undefined);
    if (target !== undefined) return target;
  }

  const count = flag.ruleCount;
  for (let i = 0; i < count; i++) {
    const rule = flag.rule(i);
    if (rule.error !== null) return rule.error;
    const failed = firstFailingClause(rule.clauses, context);
    if (trace !== undefined) trace.rule(i, failed);
    if (failed < 0) return rule.serve.rollout === null ? rule.serve.fixed! : serve(rule.serve.rollout, context, trace);
  }
  const fallthrough = flag.defaultServe;
  return fallthrough.rollout === null ? fallthrough.fixed! : serve(fallthrough.rollout, context, trace);
}

function serve(rollout: CompiledRollout, context: ContextRecord, trace: EvaluationTrace | undefined): Outcome {
  if (trace === undefined) return rollout.serve(context);
  const unit = rollout.unitOf(context);
  const bucket = unit === undefined ? undefined : rollout.bucketOf(unit);
  trace.bucket(rollout, unit, bucket);
  return bucket === undefined ? rollout.unitMissing : rollout.outcomeFor(bucket);
}

function prerequisitesPass(flag: CompiledFlag, context: ContextRecord, trace: EvaluationTrace | undefined): boolean {
  if (flag.prerequisitesUnsatisfiable) {
    if (trace !== undefined) for (const prerequisite of flag.prerequisites) trace.prerequisite(prerequisite, undefined, false);
    return false;
  }
  const prerequisites = flag.prerequisites;
  for (let i = 0; i < prerequisites.length; i++) {
    const prerequisite = prerequisites[i]!;
    // A prerequisite passes only when its flag is on and serves the variant normally.
    const outcome = prerequisite.flag === undefined ? undefined : decide(prerequisite.flag, context, undefined);
    const passed = outcome !== undefined && outcome.servesVariant && outcome.variant === prerequisite.variant;
    if (trace !== undefined) trace.prerequisite(prerequisite, outcome, passed);
    if (!passed) return false;
  }
  return true;
}
