import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { DEFAULT_SINGLE_VARIANT_HOURS, DEFAULT_UNUSED_DAYS, type StaleReason, type StaleReasonCode } from '../stale-flags.js';

export class StaleFlagsQueryDto {
  @ApiPropertyOptional({
    description: 'Hours a temporary flag must have served one variant to everyone to count as stale',
    default: DEFAULT_SINGLE_VARIANT_HOURS,
    minimum: 1,
    maximum: 24 * 365,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(24 * 365)
  singleVariantHours?: number;

  @ApiPropertyOptional({
    description: 'Days without any SDK evaluation after which a temporary flag counts as unused',
    default: DEFAULT_UNUSED_DAYS,
    minimum: 1,
    maximum: 365,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(365)
  unusedDays?: number;
}

export class StaleReasonResponse implements StaleReason {
  @ApiProperty({ enum: ['EXPIRED', 'SINGLE_VARIANT', 'UNUSED'] })
  code: StaleReasonCode;

  @ApiProperty()
  message: string;

  @ApiProperty({ format: 'date-time' })
  since: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string', nullable: true } })
  servedByEnvironment?: Record<string, string | null>;
}

export class StaleFlagResponse {
  @ApiProperty() key: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) owner: string | null;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ enum: ['temporary', 'permanent'] }) lifecycle: 'temporary' | 'permanent';
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expiresAt: string | null;
  @ApiProperty({ type: [StaleReasonResponse] }) reasons: StaleReasonResponse[];
}

export class StaleFlagsReportResponse {
  @ApiProperty({ format: 'date-time' })
  generatedAt: string;

  @ApiProperty()
  singleVariantHours: number;

  @ApiProperty()
  unusedDays: number;

  @ApiProperty({ description: 'Criteria that could not be applied, and why (empty when all apply)' })
  notEvaluated: string[];

  @ApiProperty({ type: [StaleFlagResponse] })
  flags: StaleFlagResponse[];
}
