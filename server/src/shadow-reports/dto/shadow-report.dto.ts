import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ApiJsonValue } from '../../common/openapi/api-json-value.decorator.js';
import { everyMember } from '../../common/openapi/every-member.js';
import { IsVariantKey } from '../../common/validation/is-key.decorator.js';
import type { ShadowCheck, ShadowRecommendation } from '../shadow-report.js';

const SHADOW_RECOMMENDATIONS = everyMember<ShadowRecommendation>()([
  'promote-to-canary',
  'collect-more-samples',
  'fix-errors',
  'investigate-disagreements',
  'optimise-latency',
]);
const SHADOW_CHECKS = everyMember<ShadowCheck['name']>()(['samples', 'errors', 'agreement', 'latency']);

export class ShadowReportQueryDto {
  @ApiPropertyOptional({ description: 'ISO-8601, inclusive; default 24 hours before `to`' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'from must be an ISO-8601 date' })
  from?: Date;

  @ApiPropertyOptional({ description: 'ISO-8601, exclusive; default now' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'to must be an ISO-8601 date' })
  to?: Date;

  @ApiPropertyOptional({ description: 'Only shadow runs made while the flag served this variant (default: all)' })
  @IsOptional()
  @IsVariantKey()
  variant?: string;

  @ApiPropertyOptional({ description: 'Disagreement and failure examples to include (newest first)', default: 10, maximum: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(50)
  sampleLimit?: number;
}

export class ShadowSideResponse {
  @ApiProperty({ description: 'Calls measured' }) count: number;
  @ApiProperty() errors: number;
  @ApiProperty({ type: Number, nullable: true }) errorRate: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'ms' }) p50: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'ms' }) p95: number | null;
}

export class ShadowCheckResponse implements ShadowCheck {
  @ApiProperty({ enum: SHADOW_CHECKS }) name: ShadowCheck['name'];
  @ApiProperty() passed: boolean;
  @ApiProperty() detail: string;
}

export class ShadowExampleResponse {
  @ApiProperty({ enum: ['shadow.disagreement', 'shadow.candidate_error'] }) kind: string;
  @ApiProperty({ type: String, nullable: true }) variant: string | null;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiJsonValue({ required: false, nullable: true }) input?: unknown;
  @ApiJsonValue({ required: false, nullable: true }) primary?: unknown;
  @ApiJsonValue({ required: false, nullable: true }) candidate?: unknown;
  @ApiPropertyOptional() error?: string;
}

export class ShadowReportResponse {
  @ApiProperty() flag: string;
  @ApiProperty() environment: string;
  @ApiProperty({ type: String, nullable: true }) variant: string | null;
  @ApiProperty({ format: 'date-time' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({ description: 'Calls where the candidate ran' }) samples: number;
  @ApiProperty({ description: 'Calls where both answered and were compared' }) comparisons: number;
  @ApiProperty({ type: Number, nullable: true }) agreementRate: number | null;
  @ApiProperty({ type: ShadowSideResponse }) primary: ShadowSideResponse;
  @ApiProperty({ type: ShadowSideResponse }) candidate: ShadowSideResponse;
  @ApiProperty({ type: [ShadowExampleResponse], description: 'Newest disagreements and candidate failures (the server keeps the last 50 per flag)' })
  examples: ShadowExampleResponse[];
  @ApiProperty({ enum: SHADOW_RECOMMENDATIONS }) recommendation: ShadowRecommendation;
  @ApiProperty({ type: [ShadowCheckResponse] }) checks: ShadowCheckResponse[];
  @ApiProperty({ type: [String] }) notes: string[];
}
