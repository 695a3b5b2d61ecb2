import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiJsonValue } from '../../common/openapi/api-json-value.decorator.js';
import type { MetricStats } from '../metric-stats.js';

/** What an ingestion stored. */
export class IngestResultResponse {
  @ApiProperty() batches: number;
  @ApiProperty({ description: 'Metric series stored (empty ones are skipped)' }) series: number;
  @ApiProperty({ description: 'Evaluation counts stored' }) evaluations: number;
  @ApiProperty() samples: number;
}

/** Aggregates of a metric over some span. */
export class MetricStatsResponse implements MetricStats {
  @ApiProperty() count: number;
  @ApiProperty({ description: 'Values per second over the span' }) rate: number;
  @ApiProperty() sum: number;
  @ApiProperty({ type: Number, nullable: true, description: 'null when there are no values' }) mean: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Population standard deviation; null when there are no values' }) stddev: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Estimated from the merged histogram (within ~3.1 %)' }) p50: number | null;
  @ApiProperty({ type: Number, nullable: true }) p95: number | null;
  @ApiProperty({ type: Number, nullable: true }) p99: number | null;
  @ApiProperty() errors: number;
  @ApiProperty({ type: Number, nullable: true, description: 'errors / count; null when there are no values' }) errorRate: number | null;
}

export class MetricPointResponse extends MetricStatsResponse {
  @ApiProperty({ format: 'date-time', description: "Start of the point's step" }) start: string;
}

/** One (flag, variant, metric): totals over the range and one point per step that has data. */
export class MetricSeriesResponse {
  @ApiProperty({ type: String, nullable: true }) flag: string | null;
  @ApiProperty({ type: String, nullable: true }) variant: string | null;
  @ApiProperty() metric: string;
  @ApiProperty({ type: MetricStatsResponse }) total: MetricStatsResponse;
  @ApiProperty({ type: [MetricPointResponse] }) points: MetricPointResponse[];
}

export class MetricSeriesResultResponse {
  @ApiProperty({ format: 'date-time', description: 'Start of the range, rounded down to the minute' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty() stepMinutes: number;
  @ApiProperty({ type: [MetricSeriesResponse] }) series: MetricSeriesResponse[];
}

export class EvaluationCountResponse {
  @ApiProperty() flag: string;
  @ApiProperty({ type: String, nullable: true, description: "null: the caller's default was served" }) variant: string | null;
  @ApiProperty({ description: 'As the SDK reported it, e.g. TARGETING_MATCH' }) reason: string;
  @ApiProperty() count: number;
}

/** Evaluation counts of one step `[start, end)`. */
export class EvaluationStepResponse {
  @ApiProperty({ format: 'date-time' }) start: string;
  @ApiProperty({ format: 'date-time' }) end: string;
  @ApiProperty({ type: [EvaluationCountResponse] }) counts: EvaluationCountResponse[];
}

export class EvaluationCountsResponse {
  @ApiProperty({ type: [EvaluationCountResponse], description: 'Over the whole range' }) evaluations: EvaluationCountResponse[];
  @ApiPropertyOptional({ type: [EvaluationStepResponse], description: 'With stepMinutes: one entry per step, empty steps included' })
  steps?: EvaluationStepResponse[];
}

export class ShadowSampleResponse {
  @ApiProperty() flag: string;
  @ApiProperty({ type: String, nullable: true }) variant: string | null;
  @ApiProperty({ description: 'e.g. shadow.disagreement, shadow.candidate_error' }) kind: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiJsonValue({ required: false, nullable: true }) input?: unknown;
  @ApiJsonValue({ required: false, nullable: true }) primary?: unknown;
  @ApiJsonValue({ required: false, nullable: true }) candidate?: unknown;
  @ApiPropertyOptional() error?: string;
  @ApiPropertyOptional({ description: 'The `sdk` of the request that sent it' }) sdk?: string;
}

export class ShadowSamplesResponse {
  @ApiProperty({ type: [ShadowSampleResponse], description: 'Newest first' }) samples: ShadowSampleResponse[];
}

export class FlagLastEvaluatedResponse {
  @ApiProperty() flag: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string', format: 'date-time' },
    description: 'When an SDK last evaluated the flag, by environment key',
  })
  environments: Record<string, string>;
}

export class LastEvaluatedResponse {
  @ApiProperty({ type: [FlagLastEvaluatedResponse], description: 'Flags never evaluated are absent' }) flags: FlagLastEvaluatedResponse[];
}
