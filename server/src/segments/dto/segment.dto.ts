import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { ApiKeyProperty } from '../../common/validation/is-key.decorator.js';
import { IsOmittable } from '../../common/validation/is-omittable.decorator.js';
import { ClauseDto } from '../../targeting/clause.dto.js';

/**
 * How much one segment may hold: its key lists are what a segment is for (100,000 each still fits
 * in 1 MB and is answered in well under a second); rules and clauses are nested objects every
 * check visits, bounded like a flag's (see flag-config.dto.ts).
 */
export const MAX_SEGMENT_KEYS = 100_000;
export const MAX_SEGMENT_RULES = 100;
export const MAX_SEGMENT_CLAUSES_PER_RULE = 20;

export class SegmentRuleDto {
  @ApiProperty({ type: [ClauseDto], description: 'ANDed; attribute clauses only' })
  @IsArray()
  @ArrayMaxSize(MAX_SEGMENT_CLAUSES_PER_RULE)
  @ValidateNested({ each: true })
  @Type(() => ClauseDto)
  clauses: ClauseDto[];
}

class SegmentFields {
  @ApiPropertyOptional({ type: [String], description: 'targetingKeys always in' })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(MAX_SEGMENT_KEYS)
  @IsString({ each: true })
  @MaxLength(512, { each: true })
  included?: string[];

  @ApiPropertyOptional({ type: [String], description: 'targetingKeys always out (unless included)' })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(MAX_SEGMENT_KEYS)
  @IsString({ each: true })
  @MaxLength(512, { each: true })
  excluded?: string[];

  @ApiPropertyOptional({ type: [SegmentRuleDto], description: 'A context matching any rule is in' })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(MAX_SEGMENT_RULES)
  @ValidateNested({ each: true })
  @Type(() => SegmentRuleDto)
  rules?: SegmentRuleDto[];

  @ApiPropertyOptional()
  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export class CreateSegmentDto extends SegmentFields {
  @ApiKeyProperty('Unique in the project, e.g. beta-testers')
  key: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;
}

/** PATCH: absent = unchanged, value = set. */
export class UpdateSegmentDto extends SegmentFields {
  @ApiProperty({ description: 'The version this change is based on; a stale one gets 409' })
  @IsInt()
  @Min(1)
  version: number;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;
}

export class DeleteSegmentQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}
