/**
 * The flag configuration model shared by the Signalbox server, the SDK and the wire protocol.
 * Everything here is plain JSON so a snapshot can be stored, sent and cached as is.
 */
import type { AttributeOperator } from './operator-table.js';

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The type of value a flag serves. */
export type FlagKind = 'boolean' | 'string' | 'number' | 'json';

/** The value a flag of a given kind serves. */
export type FlagValue = boolean | string | number | JsonValue;

/** A named value a flag can serve. `value` matches the flag's kind. */
export interface Variant {
  key: string;
  value: FlagValue;
  name?: string;
  description?: string;
}

// The operators are declared in operator-table.ts; their names are re-exported here with the model.
export { ATTRIBUTE_OPERATORS, type AttributeOperator } from './operator-table.js';

/** A scalar a clause compares with. Dates for before/after are ISO-8601 strings or epoch milliseconds. */
export type ClauseValue = string | number | boolean;

/** `attribute op values`: true when the attribute matches any of the values (`exists` ignores values). */
export interface AttributeClause {
  attribute: string;
  op: AttributeOperator;
  values: ClauseValue[];
  negate?: boolean;
}

/** True when the context is a member of any of the named segments. */
export interface SegmentClause {
  op: 'segment';
  segments: string[];
  negate?: boolean;
}

export type Clause = AttributeClause | SegmentClause;

/** One slice of a rollout. Weights are thousandths of a percent: 100000 = 100%. */
export interface WeightedVariant {
  variant: string;
  weight: number;
}

/** A weighted split, bucketed by a context attribute (default `targetingKey`). Weights sum to 100000. */
export interface Rollout {
  bucketBy?: string;
  variants: WeightedVariant[];
}

/** What a rule (or the default rule) serves: one variant, or a weighted rollout. */
export type Serve = { variant: string } | { rollout: Rollout };

/** Clauses are ANDed; the first matching rule in order decides. */
export interface Rule {
  id?: string;
  description?: string;
  clauses: Clause[];
  serve: Serve;
}

/** Context keys (the `targetingKey`) that always get `variant`. */
export interface Target {
  variant: string;
  values: string[];
}

/** The flag `flag` must serve `variant` for this flag to go on evaluating. */
export interface Prerequisite {
  flag: string;
  variant: string;
}

/** One flag's configuration in one environment: everything evaluation needs. */
export interface FlagConfig {
  key: string;
  kind: FlagKind;
  /** Random per flag, so two flags bucket a unit independently. */
  salt: string;
  variants: Variant[];
  /** Increments on every change of this config. */
  version: number;
  on: boolean;
  killed: boolean;
  offVariant: string | null;
  targets: Target[];
  rules: Rule[];
  /** The fallthrough. `null` serves the caller's default. */
  defaultRule: Serve | null;
  prerequisites: Prerequisite[];
}

/** A segment's rules have no nested segment clauses. */
export interface SegmentRule {
  clauses: AttributeClause[];
}

/** A reusable audience: included keys are in, then excluded keys are out, then any matching rule is in. */
export interface Segment {
  key: string;
  included: string[];
  excluded: string[];
  rules: SegmentRule[];
}

/** Everything an environment serves, as of change-log sequence `sequence`. */
export interface EnvironmentConfig {
  sequence: number;
  flags: FlagConfig[];
  segments: Segment[];
}

/** Attributes of whatever is being evaluated: a user, a pipeline run, a batch, a request. */
export interface EvaluationContext {
  targetingKey?: string;
  [attribute: string]: unknown;
}

/** OpenFeature's reasons plus Signalbox's `KILLED` and `PREREQUISITE_FAILED`. */
export type Reason = 'STATIC' | 'TARGETING_MATCH' | 'SPLIT' | 'DEFAULT' | 'DISABLED' | 'ERROR' | 'KILLED' | 'PREREQUISITE_FAILED';

/** OpenFeature's error codes. */
export type ErrorCode = 'FLAG_NOT_FOUND' | 'TYPE_MISMATCH' | 'TARGETING_KEY_MISSING' | 'PARSE_ERROR' | 'GENERAL';

/** The outcome of one evaluation. `variant` is absent when the caller's default was served. */
export interface EvaluationResult<T = FlagValue> {
  value: T;
  variant?: string;
  reason: Reason;
  ruleIndex?: number;
  errorCode?: ErrorCode;
  errorMessage?: string;
}
