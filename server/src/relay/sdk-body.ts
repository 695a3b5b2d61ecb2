import type { IncomingMessage } from 'node:http';
import type { EvaluationContext, FlagKind, FlagValue } from '@signalbox/sdk/core';
import type { FieldProblem } from '../common/errors/domain-error.js';
import { readLimitedBody } from '../common/http/read-limited-body.js';
import { jsonNestingExceeds, MAX_RAW_JSON_DEPTH, TOO_DEEP_BODY } from '../common/http/json-depth.js';
import { inputShapeProblems } from '../common/validation/input-bounds.js';
import { invalid, RelayError } from './relay-errors.js';

const MAX_BODY_BYTES = 1024 * 1024;
// The server's validation pipe's cap (common/validation/validation-pipe.ts, which loads Nest: not imported here).
const MAX_REPORTED_PROBLEMS = 100;
const KINDS: readonly FlagKind[] = ['boolean', 'string', 'number', 'json'];

export interface EvaluateBody {
  context: EvaluationContext;
  defaultValue?: FlagValue;
  type?: FlagKind;
}

const capped = (problems: FieldProblem[]): RelayError => {
  if (problems.length <= MAX_REPORTED_PROBLEMS) return invalid(problems);
  const shown = problems.slice(0, MAX_REPORTED_PROBLEMS);
  return new RelayError('VALIDATION_FAILED', `${invalid(shown).message}; and ${problems.length - MAX_REPORTED_PROBLEMS} more problems`, shown);
};

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The body of a remote evaluation, refused as the server refuses it (same order of checks, same
 * codes, fields and reasons): size, nesting, JSON, shape bounds, unknown fields, then the fields.
 */
/** A request body up to 1 MB, as the server takes them; past that a 413. */
export const readSdkBody = (req: IncomingMessage): Promise<Buffer> =>
  readLimitedBody(req, MAX_BODY_BYTES, () => new RelayError('PAYLOAD_TOO_LARGE', 'The request body is larger than 1 MB'));

export const readEvaluateBody = async (req: IncomingMessage, single: boolean): Promise<EvaluateBody> => {
  const raw = await readSdkBody(req);
  let body: unknown = {};
  if (raw.length > 0) {
    if (jsonNestingExceeds(raw, MAX_RAW_JSON_DEPTH)) throw capped([TOO_DEEP_BODY]);
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new RelayError('BAD_REQUEST', 'The request body is not valid JSON');
    }
  }
  if (!isObject(body)) throw new RelayError('VALIDATION_FAILED', 'The body must be a JSON object', []);
  const allowed = single ? ['context', 'defaultValue', 'type'] : ['context'];
  const unknown: FieldProblem[] = Object.keys(body)
    .filter((key) => !allowed.includes(key))
    .map((field) => ({ field, reason: 'is not a known field' }));
  for (const problem of unknown) delete body[problem.field];
  const shape = inputShapeProblems(body);
  if (shape.length > 0) throw capped(shape);
  const problems: FieldProblem[] = [...unknown];
  if (!isObject(body.context)) problems.push({ field: 'context', reason: 'context must be an object of attributes' });
  if (single && body.type !== undefined && (typeof body.type !== 'string' || !KINDS.includes(body.type as FlagKind)))
    problems.push({ field: 'type', reason: `type must be one of the following values: ${KINDS.join(', ')}` });
  if (problems.length > 0) throw capped(problems);
  return body as unknown as EvaluateBody;
};

/** A flag key from the path; a malformed escape (`%FF`, a lone `%`) names no flag. */
export const flagKeyOf = (encoded: string): string => {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw capped([{ field: 'flag', reason: 'is not valid percent-encoded UTF-8' }]);
  }
};

/** `{ connectionId, sequence }` of an SSE client's ack. */
export const readAckBody = async (req: IncomingMessage): Promise<{ connectionId: string; sequence: number }> => {
  const raw = await readSdkBody(req);
  let body: unknown;
  try {
    body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
  } catch {
    throw new RelayError('BAD_REQUEST', 'The request body is not valid JSON');
  }
  if (!isObject(body)) throw new RelayError('VALIDATION_FAILED', 'The body must be a JSON object', []);
  const problems: FieldProblem[] = Object.keys(body)
    .filter((key) => key !== 'connectionId' && key !== 'sequence')
    .map((field) => ({ field, reason: 'is not a known field' }));
  const { connectionId, sequence } = body;
  if (typeof connectionId !== 'string') problems.push({ field: 'connectionId', reason: 'connectionId must be a string' });
  else if (connectionId.length > 64) problems.push({ field: 'connectionId', reason: 'connectionId must be shorter than or equal to 64 characters' });
  if (!Number.isInteger(sequence)) problems.push({ field: 'sequence', reason: 'sequence must be an integer number' });
  else if ((sequence as number) < 0) problems.push({ field: 'sequence', reason: 'sequence must not be less than 0' });
  else if ((sequence as number) > Number.MAX_SAFE_INTEGER)
    problems.push({ field: 'sequence', reason: `sequence must not be greater than ${Number.MAX_SAFE_INTEGER}` });
  if (problems.length > 0) throw capped(problems);
  return { connectionId: connectionId as string, sequence: sequence as number };
};
