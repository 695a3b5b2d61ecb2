import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { everyMember } from '../../common/openapi/every-member.js';
import { ApiVariantKeyProperty } from '../../common/validation/is-key.decorator.js';
import type { GuardMetricNote } from '../guard-metrics.js';
import type { GuardRow, StageStatus, StageVerdict, StageWindow } from '../rollout-guards.js';
import type { SequentialGuardFigures } from '../sequential-guards.js';
import type { GuardMetricSources, MetricBound, MetricSource, RolloutGuards, RolloutHistoryEntry, RolloutStage, RolloutStatus } from '../rollout-plan.entity.js';
import { IsDecimalNumber } from '../../common/validation/is-decimal-number.decorator.js';

const METRIC_STATS = everyMember<MetricBound['stat']>()(['mean', 'p50', 'p95', 'p99', 'errorRate']);
const ROLLOUT_STATUSES = everyMember<RolloutStatus>()(['waiting-for-baseline', 'running', 'paused', 'completed', 'rolled-back', 'aborted']);
const HISTORY_EVENTS = everyMember<RolloutHistoryEntry['event']>()([
  'created',
  'started',
  'advanced',
  'completed',
  'paused',
  'resumed',
  'rolled-back',
  'aborted',
]);
const GUARDS = everyMember<GuardRow['guard']>()(['stage samples', 'error rate', 'latency p95', 'bound']);
const GUARD_UNITS = everyMember<GuardRow['unit']>()(['rate', 'ms', 'count', 'value']);
const GUARD_DECISIONS = everyMember<GuardRow['decision']>()(['fail', 'pass', 'wait']);
const DECIDED_BY = everyMember<NonNullable<GuardRow['decidedBy']>>()(['sequential', 'fixed-horizon']);
const SEQUENTIAL_DECISIONS = everyMember<SequentialGuardFigures['decision']>()(['fail', 'pass', 'undecided']);
const STAGE_DECISIONS = everyMember<StageVerdict['decision']>()(['fail', 'advance', 'wait']);
const METRIC_SOURCES = everyMember<MetricSource>()(['request', 'reported', 'fallback']);
const GUARD_METRICS = everyMember<keyof GuardMetricSources>()(['errorMetric', 'latencyMetric']);
const CHOSEN = 'Left out: chosen from the metrics the flag reported (see GET …/rollout-plans/defaults of the flag)';

export class RolloutStageDto {
  @ApiProperty({ description: 'Candidate share of the traffic, in percent (0.001 steps)', minimum: 0.001, maximum: 100 })
  @IsDecimalNumber(3)
  @Min(0.001)
  @Max(100)
  percent: number;

  @ApiProperty({ minimum: 0, maximum: 10080 })
  @IsInt()
  @Min(0)
  @Max(10080)
  minDurationMinutes: number;

  @ApiProperty({ minimum: 0, description: 'Candidate observations of the error metric needed before advancing' })
  @IsInt()
  @Min(0)
  minSamples: number;
}

export class MetricBoundDto {
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  metric: string;

  @ApiProperty({ enum: ['mean', 'p50', 'p95', 'p99', 'errorRate'] })
  @IsIn(['mean', 'p50', 'p95', 'p99', 'errorRate'])
  stat: 'mean' | 'p50' | 'p95' | 'p99' | 'errorRate';

  @ApiPropertyOptional()
  @IsOptional()
  @IsNumber()
  min?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsNumber()
  max?: number;
}

export class RolloutGuardsDto {
  @ApiPropertyOptional({ description: `Metric whose counts are the samples and whose errors give the error rate. ${CHOSEN}` })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  errorMetric?: string;

  @ApiPropertyOptional({ default: 2, description: 'Candidate error rate ≤ k × control error rate + errorRateAllowance' })
  @IsOptional()
  @IsNumber()
  @Min(1)
  @Max(100)
  maxErrorRateRatio?: number;

  @ApiPropertyOptional({ default: 0.005, description: 'Absolute slack so a control without errors does not fail every candidate error' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  errorRateAllowance?: number;

  @ApiPropertyOptional({ description: `Metric whose p95 is compared. ${CHOSEN}` })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  latencyMetric?: string;

  @ApiPropertyOptional({ default: 1.5, description: 'Candidate p95 ≤ k × control p95' })
  @IsOptional()
  @IsNumber()
  @Min(1)
  @Max(100)
  maxLatencyRatio?: number;

  @ApiPropertyOptional({ default: 1, description: 'Latency differences below this many ms never fail the guard (timer noise)' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  minLatencyIncreaseMs?: number;

  @ApiPropertyOptional({ type: [MetricBoundDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => MetricBoundDto)
  bounds?: MetricBoundDto[];

  @ApiPropertyOptional({ default: 50, description: 'Observations of candidate and control needed before guards judge' })
  @IsOptional()
  @IsInt()
  @Min(1)
  minSamples?: number;

  @ApiPropertyOptional({ default: 60, description: 'Window before the first stage in which control must have minSamples observations' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10080)
  baselineMinutes?: number;
}

export class CreateRolloutPlanDto {
  @ApiVariantKeyProperty('The variant being rolled out')
  candidateVariant: string;

  @ApiVariantKeyProperty('The variant serving today, and where a rollback returns')
  controlVariant: string;

  @ApiPropertyOptional({ description: 'Context attribute to bucket by (default targetingKey)', maxLength: 128 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  bucketBy?: string;

  @ApiPropertyOptional({ type: [RolloutStageDto], description: 'Default: 1% 30 min, 5% 1 h, 10% 2 h, 25% 4 h, 50% 6 h, 100%' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => RolloutStageDto)
  stages?: RolloutStageDto[];

  @ApiPropertyOptional({ type: RolloutGuardsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => RolloutGuardsDto)
  guards?: RolloutGuardsDto;
}

export class RolloutActionDto {
  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export class RolloutStageResponse implements RolloutStage {
  @ApiProperty() percent: number;
  @ApiProperty() minDurationMinutes: number;
  @ApiProperty() minSamples: number;
}

export class MetricBoundResponse implements MetricBound {
  @ApiProperty() metric: string;
  @ApiProperty({ enum: METRIC_STATS }) stat: MetricBound['stat'];
  @ApiPropertyOptional() min?: number;
  @ApiPropertyOptional() max?: number;
}

export class GuardMetricSourcesResponse implements GuardMetricSources {
  @ApiProperty({ enum: METRIC_SOURCES }) errorMetric: MetricSource;
  @ApiProperty({ enum: METRIC_SOURCES }) latencyMetric: MetricSource;
}

/** The guards a plan runs with: what its request gave, the defaults for the rest. */
export class RolloutGuardsResponse implements RolloutGuards {
  @ApiProperty() errorMetric: string;
  @ApiProperty() maxErrorRateRatio: number;
  @ApiProperty() errorRateAllowance: number;
  @ApiProperty() latencyMetric: string;
  @ApiProperty() maxLatencyRatio: number;
  @ApiProperty() minLatencyIncreaseMs: number;
  @ApiProperty({ type: [MetricBoundResponse] }) bounds: MetricBoundResponse[];
  @ApiProperty() minSamples: number;
  @ApiProperty() baselineMinutes: number;
  @ApiPropertyOptional({
    type: GuardMetricSourcesResponse,
    description: 'How each guard metric was set: named in the request, chosen from reported metrics, or the default for a flag that reported none',
  })
  metricSource?: GuardMetricSourcesResponse;
}

export class GuardMetricNoteResponse implements GuardMetricNote {
  @ApiProperty({ enum: GUARD_METRICS }) guard: keyof GuardMetricSources;
  @ApiProperty() metric: string;
  @ApiProperty({ enum: METRIC_SOURCES }) chosenBy: MetricSource;
  @ApiProperty({ description: 'Observations under the flag in the baseline window' }) samples: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null: never reported under the flag (in the last 7 days)' })
  lastSeen: string | null;
  @ApiProperty({ description: 'Why this metric, in words' }) why: string;
  @ApiProperty({ type: String, nullable: true, description: 'What the plan waits for or cannot judge for lack of data; null when the metric has data' })
  warning: string | null;
}

export class RolloutHistoryResponse implements RolloutHistoryEntry {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ enum: HISTORY_EVENTS }) event: RolloutHistoryEntry['event'];
  @ApiProperty() stage: number;
  @ApiProperty() percent: number;
  @ApiProperty() actor: string;
  @ApiPropertyOptional() reason?: string;
}

export class GuardIntervalResponse {
  @ApiProperty() lower: number;
  @ApiProperty() upper: number;
}

export class GuardSequentialResponse implements SequentialGuardFigures {
  @ApiProperty({ enum: ['msprt'], description: 'mixture sequential probability ratio test (normal mixture), as experiments use' }) method: 'msprt';
  @ApiProperty({ description: 'The quantity tested, in words: the candidate figure minus its limit' }) tested: string;
  @ApiProperty({ description: 'Point estimate of the excess over the limit; above 0 is worse than the limit' }) excess: number;
  @ApiProperty({ type: GuardIntervalResponse, description: 'Confidence sequence for the excess: valid however often it is read' })
  interval: GuardIntervalResponse;
  @ApiProperty({ enum: ['confidence-sequence'] }) intervalMethod: 'confidence-sequence';
  @ApiProperty({ description: 'Always-valid p-value for an excess of 0' }) pValue: number;
  @ApiProperty({ description: 'τ of the N(0, τ²) mixture' }) mixingStdDev: number;
  @ApiProperty({ description: "This guard's share of the plan's α (Bonferroni over its tested guards)" }) alpha: number;
  @ApiProperty({ enum: SEQUENTIAL_DECISIONS, description: 'fail: the sequence lies above 0; pass: at or below 0; undecided: it straddles 0' })
  decision: SequentialGuardFigures['decision'];
}

export class GuardRowResponse implements GuardRow {
  @ApiProperty({ enum: GUARDS }) guard: GuardRow['guard'];
  @ApiProperty() metric: string;
  @ApiPropertyOptional({ enum: METRIC_STATS, description: 'For a bound: the statistic it limits' }) stat?: MetricBound['stat'];
  @ApiProperty({ type: Number, nullable: true }) candidate: number | null;
  @ApiProperty({ type: Number, nullable: true }) control: number | null;
  @ApiProperty({ description: 'The limit in words, with the number it comes to' }) limit: string;
  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: 'Fixed-horizon verdict (the point estimate against the limit); null: not enough observations to judge yet',
  })
  passing: boolean | null;
  @ApiProperty({
    type: GuardSequentialResponse,
    nullable: true,
    description: 'The always-valid figures; null for stage samples, quantile bounds (p50/p95/p99 of a bound) and before the minimum samples',
  })
  sequential: GuardSequentialResponse | null;
  @ApiProperty({ enum: GUARD_DECISIONS, description: 'What the scheduler does with this guard now' }) decision: GuardRow['decision'];
  @ApiProperty({ enum: DECIDED_BY, nullable: true, description: 'Which figures decided; null while it waits' }) decidedBy: GuardRow['decidedBy'];
  @ApiProperty({ description: 'Why this decision, in words' }) why: string;
  @ApiPropertyOptional({ description: 'Set when the guard fails: the rollback reason' }) failure?: string;
  @ApiProperty({ enum: GUARD_UNITS }) unit: GuardRow['unit'];
}

export class StageWindowResponse implements StageWindow {
  @ApiProperty() elapsedMinutes: number;
  @ApiProperty() minDurationMinutes: number;
  @ApiProperty({ description: "Candidate observations of the error metric in the stage's window" }) candidateSamples: number;
  @ApiProperty() minSamples: number;
  @ApiProperty({ description: 'Minimum duration and samples both met: undecided guards may pass on their fixed-horizon figures' }) horizonReached: boolean;
}

export class GuardSampleRatioResponse {
  @ApiProperty() chiSquare: number;
  @ApiProperty() degreesOfFreedom: number;
  @ApiProperty() pValue: number;
  @ApiProperty({ type: [Number], description: 'Candidate, control' }) observed: number[];
  @ApiProperty({ type: [Number], description: "Candidate, control, from the stage's percent" }) expected: number[];
  @ApiProperty({ description: 'p < 0.001: the stage waits (its figures compare groups the split did not make)' }) mismatch: boolean;
}

export class StageVerdictResponse implements StageVerdict {
  @ApiProperty({ enum: STAGE_DECISIONS }) decision: StageVerdict['decision'];
  @ApiProperty({ type: [String], description: 'Why: the failures, what the stage waits for, or why it advances' }) reasons: string[];
}

export class GuardStatusResponse implements StageStatus {
  @ApiProperty({ format: 'date-time', description: "Start of the window: the current stage's start" }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({ type: StageWindowResponse }) window: StageWindowResponse;
  @ApiProperty({ type: [GuardRowResponse] }) rows: GuardRowResponse[];
  @ApiProperty({
    type: GuardSampleRatioResponse,
    nullable: true,
    description: "Sample-ratio check of the error metric's observations; null before both sides have any",
  })
  sampleRatio: GuardSampleRatioResponse | null;
  @ApiProperty({ type: StageVerdictResponse, description: 'What the scheduler does at its next pass' }) verdict: StageVerdictResponse;
  @ApiProperty({ description: "The plan's false-rollback budget, shared between its tested guards" }) alpha: number;
}

export class PlanPauseResponse {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty() actor: string;
  @ApiPropertyOptional() reason?: string;
  @ApiProperty({ description: "true: the plan paused itself because the flag's default rule was edited outside it" }) handEdit: boolean;
}

export class RolloutPlanResponse {
  @ApiProperty() id: string;
  @ApiProperty() flag: string;
  @ApiProperty() environment: string;
  @ApiProperty() candidateVariant: string;
  @ApiProperty() controlVariant: string;
  @ApiProperty({ type: String, nullable: true }) bucketBy: string | null;
  @ApiProperty({ type: [RolloutStageResponse] }) stages: RolloutStageResponse[];
  @ApiProperty({ type: RolloutGuardsResponse }) guards: RolloutGuardsResponse;
  @ApiProperty({ enum: ROLLOUT_STATUSES }) status: RolloutStatus;
  @ApiProperty({ description: 'Index of the stage being served; -1 before the first' }) currentStage: number;
  @ApiProperty({ description: 'Candidate percent served now' }) currentPercent: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) stageStartedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'Metrics the rollback decision saw' }) snapshot: Record<
    string,
    unknown
  > | null;
  @ApiProperty({ type: [RolloutHistoryResponse] }) history: RolloutHistoryResponse[];
  @ApiProperty() createdBy: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt: string | null;
  @ApiProperty({
    type: GuardStatusResponse,
    nullable: true,
    description: 'Running or paused plans: every guard over the current stage, as the scheduler judges it now',
  })
  guardStatus: GuardStatusResponse | null;
  @ApiProperty({ type: PlanPauseResponse, nullable: true, description: 'Paused plans: who paused it, when and why' }) pause: PlanPauseResponse | null;
  @ApiProperty({
    type: [GuardMetricNoteResponse],
    description: 'Active plans: each guard metric, why it was chosen, and a warning when it has no data yet; empty for finished plans',
  })
  guardMetrics: GuardMetricNoteResponse[];
}

export class RolloutDefaultsResponse {
  @ApiProperty({ type: [RolloutStageResponse] }) stages: RolloutStageResponse[];
  @ApiProperty({ type: RolloutGuardsResponse }) guards: RolloutGuardsResponse;
}

export class FlagRolloutDefaultsResponse extends RolloutDefaultsResponse {
  @ApiProperty({ type: [GuardMetricNoteResponse], description: 'The guard metrics a plan created now would watch, why, and whether they have data' })
  guardMetrics: GuardMetricNoteResponse[];
}

export class SchedulerTickResponse {
  @ApiProperty({ description: 'false when another instance holds the scheduler lock' }) ran: boolean;
  @ApiProperty() plans: number;
}
