import type { CompiledEnvironment, CompiledPrerequisite, CompiledRule } from './compile.js';
import { asContextRecord, type ContextRecord } from './context.js';
import { decide, typeMismatch, unexpectedError, type EvaluationTrace } from './evaluate.js';
import { attributeValueSeen, isSegmentClause } from './operators.js';
import { resultOf, type DecisionStep, type Outcome } from './outcome.js';
import type { CompiledRollout } from './rollout.js';
import { EXCLUDED, INCLUDED, NO_RULE_MATCHED } from './segments.js';
import type { Clause, EvaluationContext, EvaluationResult, FlagKind, FlagValue, Reason } from './types.js';

/** How one prerequisite fared. */
export interface PrerequisiteExplanation {
  flag: string;
  requiredVariant: string;
  passed: boolean;
  /** What the prerequisite flag served; absent when it does not exist or the chain is cyclic or too deep. */
  servedVariant?: string;
  servedReason?: Reason;
}

/** Why the context is or is not in a segment named by a failed segment clause. */
export interface SegmentExplanation {
  segment: string;
  member: boolean;
  by: 'included' | 'excluded' | 'rule' | 'no-rule-matched';
  ruleIndex?: number;
}

/** One rule the evaluation tried, in order. */
export interface RuleExplanation {
  index: number;
  id?: string;
  description?: string;
  matched: boolean;
  /** The first clause that did not match (clauses are ANDed, later ones were not checked). */
  failedClause?: {
    index: number;
    clause: Clause;
    /** The attribute value seen in the context (absent when missing; not set for segment clauses). */
    attributeValue?: unknown;
    segments?: SegmentExplanation[];
  };
}

/** The bucketing of the rollout that served (or failed to). */
export interface RolloutExplanation {
  bucketBy: string;
  /** The hashed unit value; absent when the context has no usable value. */
  unit?: string;
  /** In [0, 100000). */
  bucket?: number;
  /** Cumulative weights in listed order: the first above `bucket` served. */
  cumulativeWeights: number[];
}

/** Which step decided an evaluation, and why earlier steps did not. */
export interface Explanation {
  flagKey: string;
  result: EvaluationResult;
  decidedBy: DecisionStep;
  /** The deciding rule, when `decidedBy` is `RULE`. */
  ruleIndex?: number;
  prerequisites: PrerequisiteExplanation[];
  /** Whether the targetingKey is individually targeted; absent when the targets step was not reached or is empty. */
  targetMatched?: boolean;
  rules: RuleExplanation[];
  rollout?: RolloutExplanation;
}

/** Collects trace events; the explanation is built from them after the evaluation. */
class TraceRecorder implements EvaluationTrace {
  readonly prerequisites: PrerequisiteExplanation[] = [];
  readonly rules: { index: number; failedClause: number }[] = [];
  targetMatched: boolean | undefined;
  rollout: RolloutExplanation | undefined;

  prerequisite(prerequisite: CompiledPrerequisite, outcome: Outcome | undefined, passed: boolean): void {
    const explanation: PrerequisiteExplanation = { flag: prerequisite.flagKey, requiredVariant: prerequisite.variant, passed };
    if (outcome !== undefined) {
      if (outcome.variant !== undefined) explanation.servedVariant = outcome.variant;
      explanation.servedReason = outcome.reason;
    }
    this.prerequisites.push(explanation);
  }

  target(matched: boolean): void {
    this.targetMatched = matched;
  }

  rule(index: number, failedClause: number): void {
    this.rules.push({ index, failedClause });
  }

  bucket(rollout: CompiledRollout, unit: string | undefined, bucket: number | undefined): void {
    const explanation: RolloutExplanation = { bucketBy: rollout.bucketBy, cumulativeWeights: [...rollout.cumulative] };
    if (unit !== undefined) explanation.unit = unit;
    if (bucket !== undefined) explanation.bucket = bucket;
    this.rollout = explanation;
  }
}

const SEGMENT_REASONS = new Map<number, SegmentExplanation['by']>([
  [INCLUDED, 'included'],
  [EXCLUDED, 'excluded'],
  [NO_RULE_MATCHED, 'no-rule-matched'],
]);

/**
 * Evaluates a flag exactly as `evaluate` does (same code, with a trace) and reports which step
 * decided, which rule matched, and for each earlier rule the first clause that failed with the
 * attribute value it saw. Never throws.
 */
export function explain(
  environment: CompiledEnvironment,
  flagKey: string,
  context: EvaluationContext | undefined,
  defaultValue: FlagValue = null,
  expectedKind?: FlagKind,
): Explanation {
  const explanation: Explanation = { flagKey, result: { value: defaultValue, reason: 'ERROR' }, decidedBy: 'FLAG_NOT_FOUND', prerequisites: [], rules: [] };
  try {
    const flag = environment.flags.get(flagKey);
    if (flag === undefined) {
      explanation.result = { value: defaultValue, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND', errorMessage: 'no flag with this key' };
      return explanation;
    }
    if (expectedKind !== undefined && flag.broken === null && expectedKind !== flag.kind) {
      explanation.result = typeMismatch(flag, expectedKind, defaultValue);
      explanation.decidedBy = 'TYPE_MISMATCH';
      return explanation;
    }
    const record = asContextRecord(context);
    const recorder = new TraceRecorder();
    const outcome = decide(flag, record, recorder);
    explanation.result = { ...resultOf(outcome, defaultValue) };
    explanation.decidedBy = outcome.step;
    if (outcome.step === 'RULE' && outcome.ruleIndex !== undefined) explanation.ruleIndex = outcome.ruleIndex;
    const sourceRules: unknown[] = Array.isArray(flag.source.rules) ? flag.source.rules : [];
    explanation.prerequisites = recorder.prerequisites;
    if (recorder.targetMatched !== undefined) explanation.targetMatched = recorder.targetMatched;
    explanation.rules = recorder.rules.map(({ index, failedClause }) => explainRule(flag.rule(index), sourceRules[index], index, failedClause, record));
    if (recorder.rollout !== undefined) explanation.rollout = recorder.rollout;
  } catch (error) {
    explanation.result = unexpectedError(error, defaultValue);
    explanation.decidedBy = 'UNEXPECTED_ERROR';
  }
  return explanation;
}

function explainRule(rule: CompiledRule, source: unknown, index: number, failedClause: number, context: ContextRecord): RuleExplanation {
  const explanation: RuleExplanation = { index, matched: failedClause < 0 };
  if (typeof source === 'object' && source !== null) {
    const { id, description } = source as { id?: unknown; description?: unknown };
    if (typeof id === 'string') explanation.id = id;
    if (typeof description === 'string') explanation.description = description;
  }
  const clause = rule.clauses[failedClause];
  if (clause === undefined) return explanation;
  const failed: NonNullable<RuleExplanation['failedClause']> = { index: failedClause, clause: clause.source };
  if (isSegmentClause(clause)) {
    failed.segments = clause.segments.map((segment) => {
      const decision = segment.membership(context);
      const by = SEGMENT_REASONS.get(decision) ?? 'rule';
      const item: SegmentExplanation = { segment: segment.key, member: decision >= 0 || decision === INCLUDED, by };
      if (decision >= 0) item.ruleIndex = decision;
      return item;
    });
  } else {
    const value = attributeValueSeen(clause, context);
    if (value !== undefined) failed.attributeValue = value;
  }
  explanation.failedClause = failed;
  return explanation;
}
