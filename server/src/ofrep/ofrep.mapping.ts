import type { ErrorCode, EvaluationResult, Reason } from '@signalbox/sdk/core';
import type { OfrepErrorCode, OfrepEvaluationFailure, OfrepFlagResult, OfrepMetadata, OfrepReason } from './dto/ofrep.dto.js';

/**
 * Signalbox reason → OFREP reason. OFREP clients in other languages know OpenFeature's standard
 * reasons; Signalbox's own two both serve the off variant, which is what DISABLED means, and the
 * original reason travels in `metadata.signalboxReason` so nothing is lost.
 */
const REASONS: Readonly<Record<Exclude<Reason, 'ERROR'>, OfrepReason>> = {
  STATIC: 'STATIC',
  TARGETING_MATCH: 'TARGETING_MATCH',
  SPLIT: 'SPLIT',
  DEFAULT: 'DEFAULT',
  DISABLED: 'DISABLED',
  KILLED: 'DISABLED',
  PREREQUISITE_FAILED: 'DISABLED',
};

/**
 * Signalbox error code → OFREP error code. TYPE_MISMATCH cannot come from OFREP (no expected type
 * is sent; the providers check the type themselves), so it only appears here for completeness.
 */
const ERROR_CODES: Readonly<Record<ErrorCode, OfrepErrorCode>> = {
  FLAG_NOT_FOUND: 'FLAG_NOT_FOUND',
  TARGETING_KEY_MISSING: 'TARGETING_KEY_MISSING',
  PARSE_ERROR: 'PARSE_ERROR',
  TYPE_MISMATCH: 'GENERAL',
  GENERAL: 'GENERAL',
};

const DEFAULT_DETAILS: Readonly<Record<OfrepErrorCode, string>> = {
  FLAG_NOT_FOUND: 'no flag with this key',
  TARGETING_KEY_MISSING: 'the context has no value for the attribute this flag buckets by',
  PARSE_ERROR: 'the flag configuration cannot be read',
  INVALID_CONTEXT: 'the context is not valid',
  GENERAL: 'the flag could not be evaluated',
};

/**
 * One evaluation as OFREP answers it. Any result carrying an error code is a failure, even one
 * that served the off variant (a missing bucketing attribute): OFREP has no "value with error",
 * and its providers then serve the caller's default, as OpenFeature specifies for errors.
 */
export const toOfrepResult = (key: string, result: Readonly<EvaluationResult>, flagVersion: number | undefined): OfrepFlagResult => {
  if (result.errorCode !== undefined || result.reason === 'ERROR') {
    const errorCode = result.errorCode === undefined ? 'GENERAL' : ERROR_CODES[result.errorCode];
    const failure: OfrepEvaluationFailure = { key, errorCode, errorDetails: result.errorMessage ?? DEFAULT_DETAILS[errorCode] };
    return failure;
  }
  const reason = REASONS[result.reason];
  const metadata: OfrepMetadata = {};
  if (flagVersion !== undefined) metadata.flagVersion = flagVersion;
  if (result.ruleIndex !== undefined) metadata.ruleIndex = result.ruleIndex;
  if (reason !== result.reason) metadata.signalboxReason = result.reason;
  // No variant: the flag serves the caller's default, which OFREP says by leaving out `value`.
  if (result.variant === undefined) return { key, reason, metadata };
  return { key, value: result.value, reason, variant: result.variant, metadata };
};

export const isFailure = (result: OfrepFlagResult): result is OfrepEvaluationFailure => 'errorCode' in result;

/** The status of a single-flag failure: 404 for an unknown flag, 500 for an evaluation fault, else 400 (OFREP's table). */
export const failureStatus = (errorCode: OfrepErrorCode): number => (errorCode === 'FLAG_NOT_FOUND' ? 404 : errorCode === 'GENERAL' ? 500 : 400);
