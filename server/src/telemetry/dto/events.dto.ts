import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HISTOGRAM_MAX_INDEX, HISTOGRAM_MIN_INDEX, HISTOGRAM_SCHEME, type HistogramBuckets } from '@signalbox/sdk/telemetry';
import { Type } from 'class-transformer';
import { IsInstant } from '../../common/validation/is-instant.decorator.js';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  registerDecorator,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ApiJsonValue } from '../../common/openapi/api-json-value.decorator.js';

export const MAX_BATCHES_PER_REQUEST = 100;
export const MAX_SERIES_PER_BATCH = 5_000;
export const MAX_SAMPLES_PER_BATCH = 100;
/**
 * Values (or evaluations) one record may count: 2^32 − 1, past what one SDK process records in a
 * window (the evaluator does ~50 million a second). It keeps a request's in-process merge exact
 * (a 1 MB body holds under 10,000 records: < 2^53) and a rollup row far from bigint's 2^63.
 */
export const MAX_RECORD_COUNT = 2 ** 32 - 1;
/**
 * A record's |sum| and sum of squares. No metric comes near (1e100 is past any latency, count or
 * score); the bounds leave rollups, which add records up without limit, 200 orders of magnitude
 * below float8's 1.8e308, and keep sum² finite for the statistics.
 */
export const MAX_ABS_SUM = 1e100;
export const MAX_SUM_SQUARES = 1e200;
// ISO-8601 with an offset and nanoseconds is 35 characters.
export const MAX_TIMESTAMP_LENGTH = 64;
export const MAX_BUCKETS = HISTOGRAM_MAX_INDEX - HISTOGRAM_MIN_INDEX + 1;
// Names SDKs send: printable, no control characters. The set is C0 and DEL (U+0000–U+001F,
// U+007F), as the SDKs check before sending: every Cc character but the C1 ones (U+0080–U+009F).
export const NAME = /^(?:[^\p{Cc}]|[\x80-\x9f])+$/u;
const NAME_MESSAGE = '$property must not contain control characters';

/** A flag, variant or metric name: 1–128 printable characters. */
const IsTelemetryName = () => applyDecorators(IsString(), MinLength(1), MaxLength(128), Matches(NAME, { message: NAME_MESSAGE }));

/** Present, and either null or a telemetry name. */
const IsNullableTelemetryName = () =>
  applyDecorators(
    ValidateIf((_, value) => value !== null),
    IsTelemetryName(),
  );

const IsCount = () => applyDecorators(IsInt(), Min(0), Max(MAX_RECORD_COUNT));

/**
 * The bucket index a key names, if it is written as `/^-?(0|[1-9][0-9]{0,3})$/` (no sign but a
 * leading minus, no leading zero, at most four digits); NaN otherwise. By character codes: this
 * runs for every bucket of every series SDKs send.
 */
export const bucketIndexOf = (key: string): number => {
  const length = key.length;
  let i = key.charCodeAt(0) === 0x2d ? 1 : 0;
  const digits = length - i;
  if (digits < 1 || digits > 4) return NaN;
  const first = key.charCodeAt(i);
  if (first < 0x30 || first > 0x39 || (first === 0x30 && digits > 1)) return NaN;
  let n = first - 0x30;
  for (i++; i < length; i++) {
    const c = key.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return NaN;
    n = n * 10 + (c - 0x30);
  }
  return key.charCodeAt(0) === 0x2d ? -n : n;
};

/** Whether one bucket is valid: its index (see bucketIndexOf) in the scheme's range, its count a positive integer of at most MAX_RECORD_COUNT. */
export const isValidBucket = (index: number, count: unknown): count is number =>
  index >= HISTOGRAM_MIN_INDEX && index <= HISTOGRAM_MAX_INDEX && Number.isSafeInteger(count) && (count as number) > 0 && (count as number) <= MAX_RECORD_COUNT;

/** What `IsHistogramBuckets` accepts (the telemetry route's one pass checks each bucket with isValidBucket too). */
export const isHistogramBuckets = (value: unknown): boolean => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  let entries = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (++entries > MAX_BUCKETS || !isValidBucket(bucketIndexOf(key), (value as Record<string, unknown>)[key])) return false;
  }
  return true;
};

/** `{ "<index>": count }` with `log2-16` indexes and positive integer counts. */
const IsHistogramBuckets = (): PropertyDecorator => (target: object, key: string | symbol) =>
  registerDecorator({
    name: 'isHistogramBuckets',
    target: target.constructor,
    propertyName: key as string,
    options: {
      message:
        `$property must map log2-16 bucket indexes (${HISTOGRAM_MIN_INDEX}..${HISTOGRAM_MAX_INDEX}) to positive integer counts of at most ` +
        `${MAX_RECORD_COUNT}`,
    },
    validator: { validate: isHistogramBuckets },
  });

export class HistogramDto {
  @ApiProperty({ enum: [HISTOGRAM_SCHEME] })
  @IsIn([HISTOGRAM_SCHEME])
  scheme: typeof HISTOGRAM_SCHEME;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'Bucket index → count; index = 16·e + floor((m − 1)·16) for a value m·2^e, 1 ≤ m < 2',
    example: { '53': 12, '54': 3 },
  })
  @IsHistogramBuckets()
  buckets: HistogramBuckets;
}

export class SeriesDto {
  @ApiProperty({ nullable: true, type: String, description: 'null: a metric of no flag' })
  @IsNullableTelemetryName()
  flag: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'null: no variant (no flag, or the default was served)' })
  @IsNullableTelemetryName()
  variant: string | null;

  @ApiProperty({ example: 'step.duration_ms' })
  @IsTelemetryName()
  metric: string;

  @ApiProperty()
  @IsCount()
  count: number;

  @ApiProperty()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-MAX_ABS_SUM)
  @Max(MAX_ABS_SUM)
  sum: number;

  @ApiProperty()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_SUM_SQUARES)
  sumSquares: number;

  @ApiProperty({ description: 'How many of `count` were failures' })
  @IsCount()
  errors: number;

  @ApiProperty({ type: HistogramDto })
  @ValidateNested()
  @Type(() => HistogramDto)
  histogram: HistogramDto;
}

export class EvaluationCountDto {
  @ApiProperty()
  @IsTelemetryName()
  flag: string;

  @ApiProperty({ nullable: true, type: String })
  @IsNullableTelemetryName()
  variant: string | null;

  @ApiProperty({ example: 'TARGETING_MATCH' })
  @IsString()
  @MaxLength(32)
  @Matches(/^[A-Z][A-Z0-9_]{0,31}$/, { message: 'reason must be an upper-case reason name of at most 32 characters' })
  reason: string;

  @ApiProperty()
  @IsCount()
  count: number;
}

export class SampleDto {
  @ApiProperty({ example: 'shadow.disagreement' })
  @IsString()
  @MaxLength(64)
  @Matches(/^[a-z][a-z0-9._-]{0,63}$/, { message: 'kind must be a lower-case name of at most 64 characters' })
  kind: string;

  @ApiProperty()
  @IsTelemetryName()
  flag: string;

  @ApiProperty({ nullable: true, type: String })
  @IsNullableTelemetryName()
  variant: string | null;

  @ApiProperty({ description: 'ISO-8601 with a zone (Z or an offset)' })
  @IsInstant()
  @MaxLength(MAX_TIMESTAMP_LENGTH)
  at: string;

  @ApiJsonValue({ required: false, nullable: true })
  @IsOptional()
  input?: unknown;

  @ApiJsonValue({ required: false, nullable: true })
  @IsOptional()
  primary?: unknown;

  @ApiJsonValue({ required: false, nullable: true })
  @IsOptional()
  candidate?: unknown;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  error?: string;
}

export class TelemetryBatchDto {
  @ApiProperty({ description: 'ISO-8601 with a zone (Z or an offset); the batch is filed under this minute' })
  @IsInstant()
  @MaxLength(MAX_TIMESTAMP_LENGTH)
  windowStart: string;

  @ApiProperty({ description: 'ISO-8601 with a zone (Z or an offset), not before windowStart' })
  @IsInstant()
  @MaxLength(MAX_TIMESTAMP_LENGTH)
  windowEnd: string;

  @ApiProperty({ type: [SeriesDto] })
  @IsArray()
  @ArrayMaxSize(MAX_SERIES_PER_BATCH)
  @ValidateNested({ each: true })
  @Type(() => SeriesDto)
  series: SeriesDto[];

  @ApiProperty({ type: [EvaluationCountDto] })
  @IsArray()
  @ArrayMaxSize(MAX_SERIES_PER_BATCH)
  @ValidateNested({ each: true })
  @Type(() => EvaluationCountDto)
  evaluations: EvaluationCountDto[];

  @ApiPropertyOptional({ type: [SampleDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SAMPLES_PER_BATCH)
  @ValidateNested({ each: true })
  @Type(() => SampleDto)
  samples?: SampleDto[];
}

/** `POST /sdk/events`: the telemetry wire format (see `@signalbox/sdk/telemetry`). */
export class EventsDto {
  @ApiProperty({ example: 'signalbox-sdk-js/0.1.0' })
  @IsString()
  @MaxLength(100)
  sdk: string;

  @ApiProperty({ type: [TelemetryBatchDto] })
  @IsArray()
  @ArrayMaxSize(MAX_BATCHES_PER_REQUEST)
  @ValidateNested({ each: true })
  @Type(() => TelemetryBatchDto)
  batches: TelemetryBatchDto[];

  @ApiProperty({ description: 'Batches the SDK discarded since its last accepted request' })
  @IsCount()
  dropped: number;
}
