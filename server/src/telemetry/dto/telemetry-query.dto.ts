import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class TimeRangeQueryDto {
  @ApiPropertyOptional({ description: 'ISO-8601, inclusive; default an hour before `to`' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'from must be an ISO-8601 date' })
  from?: Date;

  @ApiPropertyOptional({ description: 'ISO-8601, exclusive; default now' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'to must be an ISO-8601 date' })
  to?: Date;

  @ApiPropertyOptional({ description: 'Only this flag' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  flag?: string;
}

export class SeriesQueryDto extends TimeRangeQueryDto {
  @ApiPropertyOptional({ description: 'Only this metric, e.g. step.duration_ms' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  metric?: string;

  @ApiPropertyOptional({ description: 'Only this variant' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  variant?: string;

  @ApiPropertyOptional({ description: 'Minutes per point', default: 1, minimum: 1, maximum: 1440 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1440)
  stepMinutes?: number;
}

export class EvaluationsQueryDto extends TimeRangeQueryDto {
  @ApiPropertyOptional({ description: 'Also answer `steps`: counts per this many minutes (a chart in one request)', minimum: 1, maximum: 1440 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1440)
  stepMinutes?: number;
}

export class SamplesQueryDto {
  @ApiPropertyOptional({ description: 'Only this flag' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  flag?: string;

  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}
