import type { FlagValue } from '@signalbox/sdk/core';

/**
 * The wire shapes of OFREP, the OpenFeature Remote Evaluation Protocol (open-feature/protocol,
 * service/openapi.yaml). Plain types, not class-validator DTOs: the request is checked by hand in
 * `ofrep-request.ts` so that every refusal answers in OFREP's error shape, not Signalbox's.
 */

/** Body of both evaluation calls. `context` may be absent (an empty context). */
export interface OfrepEvaluationRequest {
  context?: Record<string, unknown>;
}

/** OpenFeature reasons OFREP clients know; Signalbox's own reasons are mapped onto them (see ofrep.mapping.ts). */
export type OfrepReason = 'STATIC' | 'TARGETING_MATCH' | 'SPLIT' | 'DEFAULT' | 'DISABLED';

/** Metadata values are primitives only (OpenFeature's flag metadata). */
export type OfrepMetadata = Record<string, string | number | boolean>;

/**
 * A served flag. `value` is absent when the flag serves no variant (off with no off variant, no
 * default rule): OFREP's "use the code default", which the providers answer with the caller's default.
 */
export interface OfrepEvaluationSuccess {
  key: string;
  value?: FlagValue;
  reason: OfrepReason;
  variant?: string;
  metadata: OfrepMetadata;
}

/** Per-flag error codes of OFREP's evaluationFailure and flagNotFound schemas. */
export type OfrepErrorCode = 'PARSE_ERROR' | 'TARGETING_KEY_MISSING' | 'INVALID_CONTEXT' | 'GENERAL' | 'FLAG_NOT_FOUND';

export interface OfrepEvaluationFailure {
  key: string;
  errorCode: OfrepErrorCode;
  errorDetails: string;
}

export type OfrepFlagResult = OfrepEvaluationSuccess | OfrepEvaluationFailure;

export interface OfrepBulkEvaluationSuccess {
  flags: OfrepFlagResult[];
  metadata: OfrepMetadata;
}

/** A refusal of the whole request (bulkEvaluationFailure; `key` added for single-flag calls). */
export interface OfrepRequestFailure {
  key?: string;
  errorCode: OfrepErrorCode;
  errorDetails: string;
}

/** 401, 403, 429, 5xx: OFREP's generalErrorResponse. */
export interface OfrepGeneralError {
  errorDetails: string;
}
