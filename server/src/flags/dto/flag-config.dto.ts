import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsKey } from '../../common/validation/is-key.decorator.js';
import { ClauseDto } from '../../targeting/clause.dto.js';

/**
 * How much one config may hold. Each rule and clause is a nested object that validation, the
 * config checks, compilation and the audit log all visit; 500 rules of 50 clauses fit in 1 MB and
 * kept the event loop busy for seconds. 100 × 20 is far past what anyone reads or maintains, and
 * is answered in a fraction of a second. The README's "Limits" lists them.
 */
export const MAX_RULES = 100;
export const MAX_CLAUSES_PER_RULE = 20;
export const MAX_TARGETS = 100;
export const MAX_TARGET_VALUES = 10_000;
export const MAX_PREREQUISITES = 20;
export const MAX_ROLLOUT_VARIANTS = 100;

export class WeightedVariantDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  variant: string;

  @ApiProperty({ description: 'Thousandths of a percent: 100000 = 100%', minimum: 0, maximum: 100000 })
  @IsInt({ message: 'weight must be a whole number of thousandths of a percent' })
  @Min(0)
  @Max(100_000)
  weight: number;
}

export class RolloutDto {
  @ApiPropertyOptional({ description: 'Attribute to bucket by', default: 'targetingKey' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  bucketBy?: string;

  @ApiProperty({ type: [WeightedVariantDto], description: 'Weights sum to 100000' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ROLLOUT_VARIANTS)
  @ValidateNested({ each: true })
  @Type(() => WeightedVariantDto)
  variants: WeightedVariantDto[];
}

/** Exactly one of `variant` or `rollout`. */
export class ServeDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  variant?: string;

  @ApiPropertyOptional({ type: RolloutDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => RolloutDto)
  rollout?: RolloutDto;
}

export class RuleDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  id?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiProperty({ type: [ClauseDto], description: 'ANDed' })
  @IsArray()
  @ArrayMaxSize(MAX_CLAUSES_PER_RULE)
  @ValidateNested({ each: true })
  @Type(() => ClauseDto)
  clauses: ClauseDto[];

  @ApiProperty({ type: ServeDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => ServeDto)
  serve: ServeDto;
}

export class TargetDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  variant: string;

  @ApiProperty({ type: [String], description: 'targetingKey values that get this variant' })
  @IsArray()
  @ArrayMaxSize(MAX_TARGET_VALUES)
  @IsString({ each: true })
  @MaxLength(512, { each: true })
  values: string[];
}

export class PrerequisiteDto {
  @ApiProperty({ description: 'Key of a flag in the same project' })
  @IsKey()
  flag: string;

  @ApiProperty({ description: 'The variant it must serve' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  variant: string;
}

/** Fields every config write carries. */
class ConfigWriteBase {
  @ApiProperty({ description: 'The version this change is based on; a stale one gets 409' })
  @IsInt()
  @Min(0)
  version: number;

  @ApiPropertyOptional({ description: 'Why; required in environments that ask for it' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

/** PUT: the whole config. */
export class ReplaceFlagConfigDto extends ConfigWriteBase {
  @ApiProperty()
  @IsBoolean()
  on: boolean;

  @ApiProperty({ nullable: true, type: String })
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(128)
  offVariant: string | null;

  @ApiProperty({ type: [TargetDto] })
  @IsArray()
  @ArrayMaxSize(MAX_TARGETS)
  @ValidateNested({ each: true })
  @Type(() => TargetDto)
  targets: TargetDto[];

  @ApiProperty({ type: [RuleDto] })
  @IsArray()
  @ArrayMaxSize(MAX_RULES)
  @ValidateNested({ each: true })
  @Type(() => RuleDto)
  rules: RuleDto[];

  @ApiProperty({ type: ServeDto, nullable: true })
  @ValidateIf((_, v) => v !== null)
  @ValidateNested()
  @Type(() => ServeDto)
  defaultRule: ServeDto | null;

  @ApiProperty({ type: [PrerequisiteDto] })
  @IsArray()
  @ArrayMaxSize(MAX_PREREQUISITES)
  @ValidateNested({ each: true })
  @Type(() => PrerequisiteDto)
  prerequisites: PrerequisiteDto[];
}

/** PATCH: absent = unchanged, null = cleared (where clearing means anything), value = set. */
export class PatchFlagConfigDto extends ConfigWriteBase {
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  on?: boolean;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  offVariant?: string | null;

  @ApiPropertyOptional({ type: [TargetDto], nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_TARGETS)
  @ValidateNested({ each: true })
  @Type(() => TargetDto)
  targets?: TargetDto[] | null;

  @ApiPropertyOptional({ type: [RuleDto], nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_RULES)
  @ValidateNested({ each: true })
  @Type(() => RuleDto)
  rules?: RuleDto[] | null;

  @ApiPropertyOptional({ type: ServeDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => ServeDto)
  defaultRule?: ServeDto | null;

  @ApiPropertyOptional({ type: [PrerequisiteDto], nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_PREREQUISITES)
  @ValidateNested({ each: true })
  @Type(() => PrerequisiteDto)
  prerequisites?: PrerequisiteDto[] | null;
}
