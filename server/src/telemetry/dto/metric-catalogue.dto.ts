import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

export const CATALOGUE_LOOKBACK_DAYS = 7;
export const CATALOGUE_DEFAULT_LIMIT = 50;
export const CATALOGUE_MAX_LIMIT = 200;
export const CATALOGUE_DEFAULT_WINDOW_MINUTES = 60;

export class MetricCatalogueQueryDto {
  @ApiPropertyOptional({ description: 'Only metrics reported under this flag' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  flag?: string;

  @ApiPropertyOptional({
    description: 'Minutes back from now that `samples` and `errors` count (a rollout guard looks at its baseline window the same way)',
    default: CATALOGUE_DEFAULT_WINDOW_MINUTES,
    minimum: 1,
    maximum: CATALOGUE_LOOKBACK_DAYS * 1440,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(CATALOGUE_LOOKBACK_DAYS * 1440)
  windowMinutes?: number;

  @ApiPropertyOptional({ default: CATALOGUE_DEFAULT_LIMIT, minimum: 1, maximum: CATALOGUE_MAX_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(CATALOGUE_MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'Page after this metric name (the previous page’s `nextAfter`)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  after?: string;
}

/** One metric name SDKs reported in the environment. */
export class CatalogueMetricResponse {
  @ApiProperty() metric: string;
  @ApiProperty({ format: 'date-time', description: 'Start of the newest minute with an observation (within the last 7 days)' }) lastSeen: string;
  @ApiProperty({ description: 'Observations in the window' }) samples: number;
  @ApiProperty({ description: 'Observations recorded as failures in the window' }) errors: number;
  @ApiProperty({
    description:
      'true when observations carry magnitudes (durations, scores), so p50/p95 mean something and it can guard latency; ' +
      'false when every observation is 0 or 1 (a count or a rate, e.g. shadow.agreement)',
  })
  carriesValues: boolean;
}

export class MetricCatalogueResponse {
  @ApiProperty({ type: String, nullable: true, description: 'The flag the list is limited to' }) flag: string | null;
  @ApiProperty({ format: 'date-time', description: 'Start of the window `samples` and `errors` count' }) windowFrom: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({ type: [CatalogueMetricResponse], description: 'By metric name' }) metrics: CatalogueMetricResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `after` for the next page; null on the last page' }) nextAfter: string | null;
}
