import type { IncomingMessage } from 'node:http';
import type { EvaluationContext } from '@signalbox/sdk/core';
import { jsonNestingExceeds, MAX_RAW_JSON_DEPTH } from '../common/http/json-depth.js';
import { INPUT_LIMITS, inputShapeProblems, isRecord } from '../common/validation/input-bounds.js';
import type { OfrepErrorCode, OfrepGeneralError, OfrepRequestFailure } from './dto/ofrep.dto.js';
import { readLimitedBody } from '../common/http/read-limited-body.js';

export const MAX_BODY_BYTES = 1024 * 1024;

/** A request OFREP refuses, with the status and body the protocol gives it. */
export class OfrepRefusal extends Error {
  constructor(
    readonly status: number,
    readonly body: OfrepRequestFailure | OfrepGeneralError,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(body.errorDetails);
  }
}

const refuse = (errorCode: OfrepErrorCode, errorDetails: string): OfrepRefusal => new OfrepRefusal(400, { errorCode, errorDetails });

const readRaw = (req: IncomingMessage): Promise<Buffer> =>
  readLimitedBody(req, MAX_BODY_BYTES, () => new OfrepRefusal(413, { errorCode: 'PARSE_ERROR', errorDetails: 'the request body is larger than 1 MB' }));

/**
 * The evaluation context of an OFREP request: `{ "context": { ... } }`, an empty body or no
 * `context` meaning an empty one. Unknown top-level fields are ignored (the protocol may grow).
 * Unreadable JSON is PARSE_ERROR; a context that is not an object, or past the bounds every
 * Signalbox route has (depth, sizes), is INVALID_CONTEXT naming the field. Never a 500.
 */
export const readEvaluationContext = async (req: IncomingMessage): Promise<EvaluationContext> => {
  const raw = await readRaw(req);
  if (raw.length === 0) return {};
  // JSON.parse alone takes about a second for the nesting 1 MB can hold; refuse on the bytes first.
  if (jsonNestingExceeds(raw, MAX_RAW_JSON_DEPTH)) throw refuse('PARSE_ERROR', `body: is nested more than ${INPUT_LIMITS.maxDepth} levels deep`);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw refuse('PARSE_ERROR', 'body: is not valid JSON');
  }
  if (!isRecord(body)) throw refuse('PARSE_ERROR', 'body: must be a JSON object');
  const context = body.context;
  if (context === undefined || context === null) return {};
  if (!isRecord(context)) throw refuse('INVALID_CONTEXT', 'context: must be an object of attributes');
  const problems = inputShapeProblems(context, { root: 'context' });
  if (problems.length > 0) throw refuse('INVALID_CONTEXT', problems.map((p) => `${p.field}: ${p.reason}`).join('; '));
  if (context.targetingKey !== undefined && typeof context.targetingKey !== 'string') throw refuse('INVALID_CONTEXT', 'context.targetingKey: must be a string');
  return context as EvaluationContext;
};
