import { Injectable, type PipeTransform } from '@nestjs/common';
import { HISTOGRAM_SCHEME } from '@signalbox/sdk/telemetry';
import { validate } from 'class-validator';
import { isInstant } from '../../common/validation/is-instant.decorator.js';
import { type FieldProblem, validationFailed } from '../../common/errors/domain-error.js';
// UNSTORABLE: what PostgreSQL cannot store (U+0000, unpaired surrogates), as the global pipe's unstorableInputProblems checks.
import { declaredBoundsProblems, type DtoClass, INPUT_LIMITS, removeUnknownFields, UNSTORABLE } from '../../common/validation/input-bounds.js';
import {
  flattenValidationErrors,
  toDtoInstance,
  unstorableInputProblems,
  validatedByOwnPipe,
  VALIDATOR_OPTIONS,
  validationFailedCapped,
} from '../../common/validation/validation-pipe.js';
import { addBucket, boundsProblems, emptyBounds, seriesProblems } from '../series-consistency.js';
import {
  bucketIndexOf,
  EvaluationCountDto,
  EventsDto,
  isValidBucket,
  MAX_BUCKETS,
  MAX_ABS_SUM,
  MAX_BATCHES_PER_REQUEST,
  MAX_RECORD_COUNT,
  MAX_SERIES_PER_BATCH,
  MAX_SUM_SQUARES,
  MAX_TIMESTAMP_LENGTH,
  NAME,
  SampleDto,
  SeriesDto,
} from './events.dto.js';

/**
 * The one validation of `POST /sdk/events` bodies, used by both fronts (the node:http fast path in
 * SdkReadHandler and Nest's route through EventsBodyPipe): the DTO's rules, the bounds every
 * input has (INPUT_LIMITS, storable strings), and what the schema cannot say (`eventsProblems`).
 *
 * A body an SDK plainly sends is accepted in one pass (`acceptsPlainly`); anything else, and every
 * body it refuses, goes the full way (class-validator on EventsDto, then `eventsProblems`), which
 * names each problem. The one pass accepts nothing the full way would refuse: it checks the same
 * constants, and refuses to decide (handing over to the full way) whenever it is not sure.
 */

type Plain = Record<string, unknown>;

const MINUTE_MS = 60_000;
export const MAX_WINDOW_AGE_MS = 7 * 24 * 3_600_000;
export const MAX_CLOCK_SKEW_MS = 5 * MINUTE_MS;
const MAX_SAMPLE_JSON_CHARS = 16 * 1024;
const MAX_PROBLEMS = 20;
const REASON = /^[A-Z][A-Z0-9_]{0,31}$/;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

const isRecord = (v: unknown): v is Plain => v !== null && typeof v === 'object' && !Array.isArray(v);
/** Names found valid before: SDKs send the same few flag, variant and metric names in every batch. */
const validNames = new Set<string>();
const MAX_VALID_NAMES_HELD = 10_000;
const isName = (v: unknown): boolean => {
  if (typeof v !== 'string') return false;
  if (validNames.has(v)) return true;
  if (v.length < 1 || v.length > 128 || !NAME.test(v) || UNSTORABLE.test(v)) return false;
  // Bounded: a sender of ever new names only makes the set start over.
  if (validNames.size >= MAX_VALID_NAMES_HELD) validNames.clear();
  validNames.add(v);
  return true;
};
const isNullableName = (v: unknown): boolean => v === null || isName(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_RECORD_COUNT;
const isBetween = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
/** `Date.prototype.toISOString`'s own form (what SDKs send), checked by a round trip instead of isISO8601's regular expression. */
const isCanonicalTimestamp = (v: string): boolean => {
  if (v.length !== 24 || v.charCodeAt(23) !== 0x5a) return false;
  const ms = Date.parse(v);
  return ms === ms && new Date(ms).toISOString() === v;
};
const isTimestamp = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_TIMESTAMP_LENGTH && (isCanonicalTimestamp(v) || isInstant(v));
const keyCount = (o: object): number => {
  let n = 0;
  for (const key in o) if (Object.hasOwn(o, key)) n++;
  return n;
};

/** Values the one pass has counted, against INPUT_LIMITS.maxValues (the root object counts one). */
let values = 0;

/**
 * The histogram buckets of a body the one pass accepted, as numbers: each series' bucket indexes
 * and counts, in body order, where each series' buckets end, and a cursor for the reader (the
 * merge, which then does not walk every histogram object a second time). Filled only when the
 * one pass accepts the body; a body that took the full way leaves it `complete: false`.
 */
export class ParsedBuckets {
  readonly indexes: number[] = [];
  readonly counts: number[] = [];
  readonly seriesEnd: number[] = [];
  complete = false;
  /** The next series to read, over all batches in order. */
  cursor = 0;
}

/** Where the one pass in progress writes buckets (it is synchronous: no other body can interleave). */
let parsing: ParsedBuckets | undefined;

const acceptsSeries = (s: unknown): boolean => {
  if (!isRecord(s) || keyCount(s) !== 8) return false;
  const { flag, variant, metric, count, sum, sumSquares, errors, histogram } = s;
  if (flag === undefined || !isNullableName(flag) || variant === undefined || !isNullableName(variant) || !isName(metric)) return false;
  if (!isCount(count) || !isBetween(sum, -MAX_ABS_SUM, MAX_ABS_SUM) || !isBetween(sumSquares, 0, MAX_SUM_SQUARES) || !isCount(errors)) return false;
  if (!isRecord(histogram) || keyCount(histogram) !== 2 || histogram.scheme !== HISTOGRAM_SCHEME) return false;
  const buckets = histogram.buckets;
  if (!isRecord(buckets) || errors > count) return false;
  // One walk over the buckets: each valid (as isHistogramBuckets checks), their counts adding up
  // to count, and the bounds they put on sum and sumSquares (eventsProblems' checks, which the full way names).
  const bounds = emptyBounds();
  let inHistogram = 0;
  // Object.keys, not for-in: bucket keys are array indexes, which for-in enumerates the slow way
  // (this loop was the validation's largest cost). The same keys, in the same order.
  const keys = Object.keys(buckets);
  const n = keys.length;
  if (n > MAX_BUCKETS) return false;
  for (let k = 0; k < n; k++) {
    const key = keys[k]!;
    const index = bucketIndexOf(key);
    const bucketCount = buckets[key];
    if (!isValidBucket(index, bucketCount)) return false;
    if (parsing !== undefined) {
      parsing.indexes.push(index);
      parsing.counts.push(bucketCount);
    }
    inHistogram += bucketCount;
    addBucket(bounds, index, bucketCount);
  }
  values += 12 + n;
  parsing?.seriesEnd.push(parsing.indexes.length);
  return inHistogram === count && boundsProblems({ count, sum, sumSquares }, bounds).length === 0;
};

const acceptsEvaluation = (e: unknown): boolean => {
  if (!isRecord(e) || keyCount(e) !== 4) return false;
  values += 6;
  return isName(e.flag) && e.variant !== undefined && isNullableName(e.variant) && typeof e.reason === 'string' && REASON.test(e.reason) && isCount(e.count);
};

const acceptsBatch = (b: unknown, now: number): boolean => {
  // Samples are rare and carry free JSON: they take the full way.
  if (!isRecord(b) || keyCount(b) !== 4) return false;
  const { windowStart, windowEnd, series, evaluations } = b;
  if (!isTimestamp(windowStart) || !isTimestamp(windowEnd)) return false;
  const start = Date.parse(windowStart);
  if (Date.parse(windowEnd) < start || start > now + MAX_CLOCK_SKEW_MS || start < now - MAX_WINDOW_AGE_MS) return false;
  if (!Array.isArray(series) || series.length > MAX_SERIES_PER_BATCH || !Array.isArray(evaluations) || evaluations.length > MAX_SERIES_PER_BATCH) return false;
  values += 8;
  for (let i = 0; i < series.length; i++) if (!acceptsSeries(series[i])) return false;
  for (let i = 0; i < evaluations.length; i++) if (!acceptsEvaluation(evaluations[i])) return false;
  return values <= INPUT_LIMITS.maxValues;
};

/**
 * Whether the body is plainly what an SDK sends, in one pass and without allocating: a narrower
 * test than the full way's (every body it accepts, the full way accepts too). It decides nothing else.
 */
export const acceptsPlainly = (body: Plain, now: number): boolean => {
  if (keyCount(body) !== 3) return false;
  const { sdk, batches, dropped } = body;
  if (typeof sdk !== 'string' || sdk.length > 100 || UNSTORABLE.test(sdk) || !isCount(dropped)) return false;
  if (!Array.isArray(batches) || batches.length > MAX_BATCHES_PER_REQUEST) return false;
  values = 4 + batches.length;
  for (let i = 0; i < batches.length; i++) if (!acceptsBatch(batches[i], now)) return false;
  return true;
};

/** What the schema cannot say: windows in time, errors within count, histograms that add up to their record. */
export const eventsProblems = (payload: EventsDto, now: number): FieldProblem[] => {
  const problems: FieldProblem[] = [];
  const add = (field: string, reason: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push({ field, reason });
  };
  payload.batches.forEach((batch, b) => {
    const at = `batches[${b}]`;
    const start = Date.parse(batch.windowStart);
    const end = Date.parse(batch.windowEnd);
    if (end < start) add(`${at}.windowEnd`, 'must not be before windowStart');
    if (start > now + MAX_CLOCK_SKEW_MS) add(`${at}.windowStart`, 'is in the future');
    if (start < now - MAX_WINDOW_AGE_MS) add(`${at}.windowStart`, 'is more than 7 days old');
    batch.series.forEach((s, i) => {
      if (s.errors > s.count) add(`${at}.series[${i}].errors`, 'must not exceed count');
      let inHistogram = 0;
      for (const count of Object.values(s.histogram.buckets)) inHistogram += count;
      if (inHistogram !== s.count) add(`${at}.series[${i}].histogram.buckets`, `bucket counts add up to ${inHistogram}, not count (${s.count})`);
      for (const problem of seriesProblems({ count: s.count, sum: s.sum, sumSquares: s.sumSquares, buckets: s.histogram.buckets }))
        add(`${at}.series[${i}].${problem.field}`, problem.reason);
    });
    (batch.samples ?? []).forEach((sample, i) => {
      const { input, primary, candidate } = sample;
      if (JSON.stringify({ input, primary, candidate }).length > MAX_SAMPLE_JSON_CHARS) add(`${at}.samples[${i}]`, 'is larger than 16 KB');
      if (Date.parse(sample.at) < now - MAX_WINDOW_AGE_MS) add(`${at}.samples[${i}].at`, 'is more than 7 days old');
    });
  });
  return problems;
};

/** Elements of a batch's arrays validated per chunk (see validateEvents). */
const ELEMENT_CHUNK = 100;
type LongArray = 'series' | 'evaluations' | 'samples';
const ELEMENT_TYPES: Record<LongArray, DtoClass> = { series: SeriesDto, evaluations: EvaluationCountDto, samples: SampleDto };

/** Takes each batch's arrays longer than one chunk out of a plain body (leaving them empty), to be validated element by element. */
const detachLongArrays = (value: Plain): Array<{ batch: number; property: LongArray; items: unknown[] }> => {
  const detached: Array<{ batch: number; property: LongArray; items: unknown[] }> = [];
  const batches = value.batches;
  if (!Array.isArray(batches)) return detached;
  batches.forEach((b: unknown, batch) => {
    if (!isRecord(b)) return;
    for (const property of ['series', 'evaluations', 'samples'] as const) {
      const items = b[property];
      if (!Array.isArray(items) || items.length <= ELEMENT_CHUNK) continue;
      detached.push({ batch, property, items });
      b[property] = [];
    }
  });
  return detached;
};

/**
 * Validates a parsed `POST /sdk/events` body: returns it as an EventsDto, or throws the 400 that
 * names every problem (as the global ValidationPipe would for EventsDto, then `eventsProblems`).
 * `buckets`, if given, receives the histograms the one pass read (see ParsedBuckets).
 */
export const validateEvents = async (value: unknown, now: number, buckets?: ParsedBuckets): Promise<EventsDto> => {
  if (!isRecord(value)) throw validationFailed([{ field: 'body', reason: 'must be a JSON object' }]);
  parsing = buckets;
  let plain: boolean;
  try {
    plain = acceptsPlainly(value, now);
  } finally {
    parsing = undefined;
  }
  if (plain) {
    if (buckets !== undefined) buckets.complete = true;
    return value as unknown as EventsDto;
  }
  // The full way, in the order the global pipe took: the DTO's declared sizes, what any input may
  // hold, unknown fields, then the DTO's rules. Over a body of thousands of series it takes tens of
  // milliseconds: it runs in steps, letting other requests (and SDK pushes) through in between.
  const oversized = declaredBoundsProblems(value, EventsDto);
  if (oversized.length > 0) throw validationFailed(oversized);
  const unstorable = unstorableInputProblems(value);
  if (unstorable.length > 0) throw validationFailed(unstorable);
  await yieldToEventLoop();
  const unknownFields = removeUnknownFields(value, EventsDto);
  await yieldToEventLoop();
  // class-transformer and class-validator take about 0.1 ms per series: a batch's long arrays are
  // taken out and done element by element, a chunk at a time, or 1,500 series would block the
  // event loop for 200 ms. The rest of the body (now small) is done in one piece.
  const detached = detachLongArrays(value);
  const instance = toDtoInstance(value, EventsDto) as EventsDto;
  await yieldToEventLoop();
  const errors = await validate(instance, VALIDATOR_OPTIONS);
  const problems = [...unknownFields, ...flattenValidationErrors(errors)];
  for (const { batch, property, items } of detached) {
    const elements: unknown[] = [];
    for (let i = 0; i < items.length; i++) {
      if (i % ELEMENT_CHUNK === 0 && i > 0) await yieldToEventLoop();
      const item = items[i];
      const at = `batches[${batch}].${property}[${i}]`;
      if (!isRecord(item)) {
        // What class-validator's ValidateNested({ each: true }) says of such an element in a short array, where it is named too.
        problems.push({ field: at, reason: `each value in nested property ${property} must be either object or array` });
        elements.push(item);
        continue;
      }
      const element = toDtoInstance(item, ELEMENT_TYPES[property]);
      problems.push(...flattenValidationErrors(await validate(element, VALIDATOR_OPTIONS), at));
      elements.push(element);
    }
    const target = (instance.batches as unknown as Array<Record<string, unknown>> | undefined)?.[batch];
    if (target) target[property] = elements;
  }
  if (problems.length > 0) throw validationFailedCapped(problems);
  const inconsistent = eventsProblems(instance, now);
  if (inconsistent.length > 0) throw validationFailed(inconsistent);
  return instance;
};

/** Nest's route uses the same validation (the global pipe only bounds the body first; see validatedByOwnPipe). */
validatedByOwnPipe(EventsDto);

@Injectable()
export class EventsBodyPipe implements PipeTransform<unknown, Promise<EventsDto>> {
  transform(value: unknown): Promise<EventsDto> {
    return validateEvents(value, Date.now());
  }
}
