import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Matches,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { everyMember } from '../../common/openapi/every-member.js';
import { ApiKeyProperty, ApiVariantKeyProperty, IsKey, IsVariantKey } from '../../common/validation/is-key.decorator.js';
import type { AnalysisMethod, Recommendation } from '../experiment-analysis.js';
import type { ExperimentDecision, ExperimentStatus } from '../experiment.entity.js';

const RECOMMENDATIONS = everyMember<Recommendation>()(['promote', 'keep-collecting', 'keep-control', 'no-difference']);
const ANALYSIS_METHODS = everyMember<AnalysisMethod>()(['sequential', 'fixed-horizon']);

export class ExperimentMetricDto {
  @ApiProperty({ description: 'A metric the SDK tracks (model.track / flags.track), e.g. converted or accuracy', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({
    enum: ['rate', 'mean', 'ratio'],
    description:
      "'rate': tracked values are 0/1 and the rate is their mean; 'mean': any numeric values; 'ratio': Σnumerator / Σdenominator over the " +
      'units the SDK reports with trackRatio (errors per row), compared by the delta method (primary metric only)',
  })
  @IsIn(['rate', 'mean', 'ratio'])
  type: 'rate' | 'mean' | 'ratio';

  @ApiPropertyOptional({ description: "Ratio metrics: the numerator's metric name, e.g. pipeline.errors", maxLength: 100 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  numerator?: string;

  @ApiPropertyOptional({ description: "Ratio metrics: the denominator's metric name, e.g. pipeline.rows", maxLength: 100 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  denominator?: string;

  @ApiPropertyOptional({ enum: ['increase', 'decrease'], default: 'increase', description: 'Which direction is an improvement' })
  @IsOptional()
  @IsIn(['increase', 'decrease'])
  better?: 'increase' | 'decrease';
}

export class CreateExperimentDto {
  @ApiKeyProperty('Unique in the project, e.g. sentiment-v2-vs-v1')
  key: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiKeyProperty('The flag whose variants are compared')
  flag: string;

  @ApiKeyProperty('The environment whose traffic is measured')
  environment: string;

  @ApiVariantKeyProperty('The variant serving today')
  controlVariant: string;

  @ApiProperty({ type: [String], description: 'One or more variants compared with control' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsVariantKey({ each: true })
  treatmentVariants: string[];

  @ApiProperty({ type: ExperimentMetricDto })
  @ValidateNested()
  @Type(() => ExperimentMetricDto)
  primaryMetric: ExperimentMetricDto;

  @ApiPropertyOptional({ type: [ExperimentMetricDto], description: 'Metrics that must not get significantly worse' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => ExperimentMetricDto)
  guardrailMetrics?: ExperimentMetricDto[];

  @ApiPropertyOptional({ default: 0.05, minimum: 0.001, maximum: 0.2, description: 'Significance level (two-sided)' })
  @IsOptional()
  @IsNumber()
  @Min(0.001)
  @Max(0.2)
  alpha?: number;

  @ApiPropertyOptional({ default: 0.8, minimum: 0.5, maximum: 0.99, description: 'Probability of detecting an effect of the minimum size' })
  @IsOptional()
  @IsNumber()
  @Min(0.5)
  @Max(0.99)
  power?: number;

  @ApiProperty({
    description:
      'Smallest difference worth detecting, ABSOLUTE in the metric unit: 0.02 = two percentage points for a rate; 5 = 5 ms for a latency mean. ' +
      'Refused when no sample size can follow from it: a rate difference that leaves [0, 1] both ways from baselineRate, an effect fewer ' +
      'than two observations would detect, or one needing more observations than an exact integer holds.',
    minimum: 1e-9,
    maximum: 1e100,
  })
  @IsNumber()
  @Min(1e-9)
  // Telemetry keeps sums within 1e100, so no larger difference of means can ever be observed.
  @Max(1e100)
  minimumDetectableEffect: number;

  @ApiPropertyOptional({ description: 'Rates: the control rate assumed for the sample size (default: the observed control rate)', minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  baselineRate?: number;

  @ApiPropertyOptional({ description: 'Means: the standard deviation assumed for the sample size (default: the observed pooled one)' })
  @IsOptional()
  @IsNumber()
  @Min(1e-12)
  assumedStdDev?: number;

  @ApiPropertyOptional({
    enum: ANALYSIS_METHODS,
    default: 'sequential',
    description:
      "Which figures decide. 'sequential': the mSPRT's always-valid p-value and confidence sequence, valid however often the results are read, " +
      "and able to decide before the sample size. 'fixed-horizon': the z or t test, valid only when read once, at the sample size.",
  })
  @IsOptional()
  @IsIn(ANALYSIS_METHODS)
  analysis?: AnalysisMethod;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 8760,
    description: 'Conclude on its own after this many hours: promote the winner if there is one, otherwise roll back to control (experiment.decided webhook)',
  })
  @IsOptional()
  @IsNumber()
  @Min(1)
  @Max(8760)
  maxDurationHours?: number;

  @ApiPropertyOptional({ default: false, description: 'Roll back to control as soon as a guardrail is significantly worse (by the deciding figures)' })
  @IsOptional()
  @IsBoolean()
  autoRollback?: boolean;

  @ApiPropertyOptional({
    default: false,
    description:
      'Also report the primary metric adjusted by CUPED, from the pre-exposure covariate the SDK sends with it (track(..., { covariate })). ' +
      'The adjusted figures decide when every observation carries a covariate. Rates and means only.',
  })
  @IsOptional()
  @IsBoolean()
  cuped?: boolean;

  @ApiPropertyOptional({
    description:
      "Also analyse the primary metric per value of this context attribute, as the SDK reports it (track(..., { segmentBy: 'region' }); at most " +
      '20 values per SDK process), with Holm-adjusted p-values. Rates and means only.',
    maxLength: 64,
    example: 'region',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'segmentBy must be a context attribute name of 1-64 letters, digits, _ . : or -' })
  segmentBy?: string;
}

/** What can change while an experiment runs; every change is audited with its reason. */
export class UpdateExperimentDto {
  @ApiPropertyOptional({ description: 'See CreateExperimentDto.minimumDetectableEffect', minimum: 1e-9, maximum: 1e100 })
  @IsOptional()
  @IsNumber()
  @Min(1e-9)
  @Max(1e100)
  minimumDetectableEffect?: number;

  @ApiPropertyOptional({ type: [ExperimentMetricDto], description: 'Replaces the guardrail metrics' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => ExperimentMetricDto)
  guardrailMetrics?: ExperimentMetricDto[];

  @ApiPropertyOptional({ minimum: 0.001, maximum: 0.2 })
  @IsOptional()
  @IsNumber()
  @Min(0.001)
  @Max(0.2)
  alpha?: number;

  @ApiPropertyOptional({ minimum: 0.5, maximum: 0.99 })
  @IsOptional()
  @IsNumber()
  @Min(0.5)
  @Max(0.99)
  power?: number;

  @ApiPropertyOptional({ enum: ANALYSIS_METHODS })
  @IsOptional()
  @IsIn(ANALYSIS_METHODS)
  analysis?: AnalysisMethod;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, maximum: 8760, description: 'null removes the limit' })
  @IsOptional()
  @IsNumber()
  @Min(1)
  @Max(8760)
  maxDurationHours?: number | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  autoRollback?: boolean;

  @ApiPropertyOptional({ description: 'See CreateExperimentDto.cuped' })
  @IsOptional()
  @IsBoolean()
  cuped?: boolean;

  @ApiProperty({ maxLength: 1000, description: 'Why it changes (audited)' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason: string;
}

export class StopExperimentDto {
  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export class ListExperimentsQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsKey()
  flag?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsKey()
  environment?: string;

  @ApiPropertyOptional({ enum: ['running', 'closed'] })
  @IsOptional()
  @IsIn(['running', 'closed'])
  status?: 'running' | 'closed';
}

export class PromoteExperimentDto {
  @ApiPropertyOptional({ description: 'The variant to send to 100% (default: the recommended winner)' })
  @IsOptional()
  @IsVariantKey()
  variant?: string;

  @ApiPropertyOptional({
    maxLength: 1000,
    description: 'Why, for the audit log; required with overrideSrm',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;

  @ApiPropertyOptional({
    description:
      'Promote a treatment despite a sample-ratio mismatch (otherwise 409 with details.code SAMPLE_RATIO_MISMATCH). Needs the variant and a reason; the override is audited',
  })
  @IsOptional()
  @IsBoolean()
  overrideSrm?: boolean;
}

export class RollbackExperimentDto {
  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export class ExperimentMetricResponse {
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['rate', 'mean', 'ratio'] }) type: 'rate' | 'mean' | 'ratio';
  @ApiPropertyOptional({ description: 'Ratio metrics only' }) numerator?: string;
  @ApiPropertyOptional({ description: 'Ratio metrics only' }) denominator?: string;
  @ApiProperty({ enum: ['increase', 'decrease'] }) better: 'increase' | 'decrease';
}

export class ExperimentResponse {
  @ApiProperty() key: string;
  @ApiProperty() name: string;
  @ApiProperty() flag: string;
  @ApiProperty() environment: string;
  @ApiProperty() controlVariant: string;
  @ApiProperty({ type: [String] }) treatmentVariants: string[];
  @ApiProperty({ type: ExperimentMetricResponse }) primaryMetric: ExperimentMetricResponse;
  @ApiProperty({ type: [ExperimentMetricResponse] }) guardrailMetrics: ExperimentMetricResponse[];
  @ApiProperty() alpha: number;
  @ApiProperty() power: number;
  @ApiProperty() minimumDetectableEffect: number;
  @ApiProperty({ type: Number, nullable: true }) baselineRate: number | null;
  @ApiProperty({ type: Number, nullable: true }) assumedStdDev: number | null;
  @ApiProperty({ enum: ANALYSIS_METHODS, description: 'Which figures decide: sequential (always valid) or fixed-horizon' }) analysis: AnalysisMethod;
  @ApiProperty({ description: 'CUPED-adjusted figures are reported beside the unadjusted ones' }) cuped: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'The context attribute results are broken down by' }) segmentBy: string | null;
  @ApiProperty({ type: Number, nullable: true }) maxDurationHours: number | null;
  @ApiProperty() autoRollback: boolean;
  @ApiProperty({ enum: ['running', 'closed'] }) status: ExperimentStatus;
  @ApiProperty({ enum: ['promoted', 'rolled-back', 'stopped'], nullable: true, description: "'stopped': closed without a decision" })
  decision: ExperimentDecision | null;
  @ApiProperty({ type: String, nullable: true }) winner: string | null;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt: string | null;
  @ApiProperty() createdBy: string;
}

export class IntervalResponse {
  @ApiProperty() lower: number;
  @ApiProperty() upper: number;
}

export class VariantResultResponse {
  @ApiProperty() variant: string;
  @ApiProperty() n: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Rate or mean' }) value: number | null;
  @ApiProperty({ type: Number, nullable: true }) stdDev: number | null;
  @ApiProperty({ type: IntervalResponse, nullable: true, description: '95% confidence interval' }) interval: IntervalResponse | null;
  @ApiProperty({
    enum: ['wilson', 'student-t', 'delta-method'],
    description: "How `interval` is computed: Wilson's score interval for a rate, Student's t for a mean, the delta method (normal) for a ratio",
  })
  intervalMethod: 'wilson' | 'student-t' | 'delta-method';
  @ApiProperty({ description: "Share of traffic the flag's rollout weights promise, among the experiment variants" }) expectedShare: number;
}

export class SequentialComparisonResponse {
  @ApiProperty({ enum: ['msprt'], description: 'mSPRT with a normal mixture N(0, τ²) over the difference' }) method: 'msprt';
  @ApiProperty({ description: 'Always-valid p-value: valid however often and whenever it is read' }) pValue: number;
  @ApiProperty({ type: IntervalResponse, description: 'Confidence sequence of treatment − control at comparisonAlpha' }) interval: IntervalResponse;
  @ApiProperty({ enum: ['confidence-sequence'] }) intervalMethod: 'confidence-sequence';
  @ApiProperty({ description: "τ: the experiment's minimum detectable effect (guardrails: 0.2 standard deviations of the metric)" }) mixingStdDev: number;
  @ApiProperty() significant: boolean;
}

export class ComparisonResponse {
  @ApiProperty() absoluteDifference: number;
  @ApiProperty({ type: IntervalResponse, description: 'Confidence interval of the difference at comparisonAlpha' }) absoluteInterval: IntervalResponse;
  @ApiProperty({
    enum: ['newcombe', 'welch-t', 'delta-method', 'cuped-welch-t'],
    description:
      "How `absoluteInterval` is computed: Newcombe's hybrid score interval (from the two Wilson intervals) for rates, Welch's t for means, " +
      "the delta method for ratios, Welch's t on the CUPED-adjusted values",
  })
  absoluteIntervalMethod: 'newcombe' | 'welch-t' | 'delta-method' | 'cuped-welch-t';
  @ApiProperty({ type: Number, nullable: true }) relativeDifference: number | null;
  @ApiProperty({ type: IntervalResponse, nullable: true, description: 'Delta-method interval of the relative difference' })
  relativeInterval: IntervalResponse | null;
  @ApiProperty() statistic: number;
  @ApiProperty({ type: Number, nullable: true }) degreesOfFreedom: number | null;
  @ApiProperty({ description: 'Fixed-horizon p-value: valid when read once, at the sample size' }) pValue: number;
  @ApiProperty({
    enum: ['pooled-z', 'welch-t', 'delta-z', 'cuped-welch-t'],
    description:
      "The fixed-horizon test: pooled two-proportion z (rates), Welch's t (means), z with the delta-method variance (ratios), Welch's t on CUPED-adjusted values",
  })
  test: 'pooled-z' | 'welch-t' | 'delta-z' | 'cuped-welch-t';
  @ApiProperty({ description: "Cohen's h (rates) or Cohen's d (means)" }) effectSize: number;
  @ApiProperty({ description: 'Fixed-horizon significance at comparisonAlpha' }) significant: boolean;
  @ApiProperty({ type: SequentialComparisonResponse, nullable: true, description: 'The always-valid figures, beside the fixed-horizon ones' })
  sequential: SequentialComparisonResponse | null;
}

export class CupedComparisonResponse extends ComparisonResponse {
  @ApiProperty({ enum: ['cuped'], description: 'CUPED (Deng et al. 2013): metric − θ·(pre-exposure covariate)' }) method: 'cuped';
  @ApiProperty({ description: 'θ: pooled within-arm regression slope of the metric on the covariate' }) theta: number;
  @ApiProperty({ description: 'Adjusted control mean' }) controlValue: number;
  @ApiProperty({ description: 'Adjusted treatment mean' }) treatmentValue: number;
  @ApiProperty({ description: 'Share of the difference’s variance the covariate removed (0.4 = 40%)' }) varianceReduction: number;
  @ApiProperty({ description: 'Control observations with a covariate' }) controlN: number;
  @ApiProperty({ description: 'Treatment observations with a covariate' }) treatmentN: number;
}

export class GuardrailResultResponse {
  @ApiProperty() metric: string;
  @ApiProperty({ type: ComparisonResponse, nullable: true }) comparison: ComparisonResponse | null;
  @ApiProperty({ description: 'Significantly worse than control' }) harmed: boolean;
}

export class TreatmentResultResponse {
  @ApiProperty() variant: string;
  @ApiProperty({ type: ComparisonResponse, nullable: true, description: 'Unadjusted figures' }) comparison: ComparisonResponse | null;
  @ApiProperty({ type: CupedComparisonResponse, nullable: true, description: 'CUPED-adjusted figures (experiments with cuped), beside the unadjusted ones' })
  adjusted: CupedComparisonResponse | null;
  @ApiProperty({ enum: ['unadjusted', 'cuped'], description: 'Which figures gave the recommendation: CUPED only when every observation carries a covariate' })
  decidedOn: 'unadjusted' | 'cuped';
  @ApiProperty({ type: [GuardrailResultResponse] }) guardrails: GuardrailResultResponse[];
  @ApiProperty({ enum: RECOMMENDATIONS }) recommendation: Recommendation;
  @ApiProperty() explanation: string;
}

export class SampleRatioResponse {
  @ApiProperty() chiSquare: number;
  @ApiProperty() degreesOfFreedom: number;
  @ApiProperty() pValue: number;
  @ApiProperty({ type: [Number] }) observed: number[];
  @ApiProperty({ type: [Number] }) expected: number[];
  @ApiProperty() mismatch: boolean;
}

export class SegmentVariantResponse {
  @ApiProperty() variant: string;
  @ApiProperty() n: number;
  @ApiProperty({ type: Number, nullable: true }) value: number | null;
}

export class SegmentTreatmentResponse {
  @ApiProperty() variant: string;
  @ApiProperty({ type: ComparisonResponse, nullable: true, description: 'Unadjusted for multiplicity' }) comparison: ComparisonResponse | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Holm-adjusted fixed-horizon p-value over the whole family' }) adjustedPValue: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Holm-adjusted always-valid p-value over the whole family' })
  adjustedSequentialPValue: number | null;
  @ApiProperty({ description: "Adjusted p-value (of the experiment's deciding figures) below alpha" }) significant: boolean;
}

export class SegmentResultResponse {
  @ApiProperty({ description: "The attribute's value; '(none)' without it, '(other)' past the SDK's cap, '(rest)' past the server's" }) value: string;
  @ApiProperty({ type: [SegmentVariantResponse] }) variants: SegmentVariantResponse[];
  @ApiProperty({ type: [SegmentTreatmentResponse] }) treatments: SegmentTreatmentResponse[];
}

export class SegmentAnalysisResponse {
  @ApiProperty() attribute: string;
  @ApiProperty({ enum: ['holm'], description: "Holm's step-down method: family-wise error rate at alpha over every (segment, treatment) comparison" })
  multipleComparison: 'holm';
  @ApiProperty() familySize: number;
  @ApiProperty() alpha: number;
  @ApiProperty({ enum: ANALYSIS_METHODS }) decidedBy: AnalysisMethod;
  @ApiProperty({ type: [SegmentResultResponse] }) segments: SegmentResultResponse[];
  @ApiProperty({ type: [String] }) warnings: string[];
}

export class ExperimentResultsResponse {
  @ApiProperty({ type: ExperimentResponse }) experiment: ExperimentResponse;
  @ApiProperty({ format: 'date-time' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Observations needed per variant by the fixed-horizon test; null until a baseline (rate or standard deviation) is known',
  })
  requiredSampleSize: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'Sequential analysis: observations per variant at which the always-valid (mSPRT) test has the requested power for the minimum detectable ' +
      'effect, about twice requiredSampleSize; it may decide earlier, but calls no difference only from here. null in fixed-horizon analysis',
  })
  sequentialSampleSize: number | null;
  @ApiProperty({
    enum: ['unadjusted', 'cuped'],
    description: "'cuped': the sample size uses the standard deviation left after the CUPED adjustment (a mean whose every observation has a covariate)",
  })
  sampleSizeBasis: 'unadjusted' | 'cuped';
  @ApiProperty({ enum: ANALYSIS_METHODS, description: "Whose figures gave the recommendation: the experiment's analysis setting" }) decidedBy: AnalysisMethod;
  @ApiProperty({ description: 'alpha divided by the number of treatments (Bonferroni)' }) comparisonAlpha: number;
  @ApiProperty({ type: [VariantResultResponse] }) variants: VariantResultResponse[];
  @ApiProperty({ type: [TreatmentResultResponse] }) treatments: TreatmentResultResponse[];
  @ApiProperty({ type: SampleRatioResponse, nullable: true }) sampleRatio: SampleRatioResponse | null;
  @ApiProperty({ enum: RECOMMENDATIONS }) recommendation: Recommendation;
  @ApiProperty({ type: String, nullable: true }) winner: string | null;
  @ApiProperty({ type: [String] }) warnings: string[];
  @ApiProperty({
    type: SegmentAnalysisResponse,
    nullable: true,
    description: 'Per-segment results (experiments with segmentBy); they never change the overall recommendation',
  })
  segments: SegmentAnalysisResponse | null;
}

export class ExperimentRecommendationResponse {
  @ApiProperty() experiment: string;
  @ApiProperty({ enum: RECOMMENDATIONS }) recommendation: Recommendation;
  @ApiProperty({ type: String, nullable: true }) winner: string | null;
}
