import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { ApiKeyProperty } from '../../common/validation/is-key.decorator.js';
import { IsOmittable } from '../../common/validation/is-omittable.decorator.js';
import { ClauseDto } from '../../targeting/clause.dto.js';

export class SegmentRuleDto {
  @ApiProperty({ type: [ClauseDto], description: 'ANDed; attribute clauses only' })
  @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => ClauseDto)
  clauses: ClauseDto[];
}

class SegmentFields {
  @ApiPropertyOptional({ type: [String], description: 'targetingKeys always in' })
  @IsOmittable() @IsArray() @ArrayMaxSize(100_000) @IsString({ each: true }) @MaxLength(512, { each: true })
  included?: string[];

  @ApiPropertyOptional({ type: [String], description: 'targetingKeys always out (unless included)' })
  @IsOmittable() @IsArray() @ArrayMaxSize(100_000) @IsString({ each: true }) @MaxLength(512, { each: true })
  excluded?: string[];

  @ApiPropertyOptional({ type: [SegmentRuleDto], description: 'A context matching any rule is in' })
  @IsOmittable() @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => SegmentRuleDto)
  rules?: SegmentRuleDto[];

  @ApiPropertyOptional() @IsOmittable() @IsString() @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000)
  reason?: string;
}

export class CreateSegmentDto extends SegmentFields {
  @ApiKeyProperty('Unique in the project, e.g. beta-testers')
  key: string;

  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200)
  name: string;
}

/** PATCH: absent = unchanged, value = set. */
export class UpdateSegmentDto extends SegmentFields {
  @ApiProperty({ description: 'The version this change is based on; a stale one gets 409' }) @IsInt() @Min(1)
  version: number;

  @ApiPropertyOptional() @IsOmittable() @IsString() @MinLength(1) @MaxLength(200)
  name?: string;
}

export class DeleteSegmentQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000)
  reason?: string;
}
