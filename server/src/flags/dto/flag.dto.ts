import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDate,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import type { FlagKind, FlagValue } from '@signalbox/sdk/core';
import { FLAG_SORT_FIELDS, FLAG_STATUSES, type FlagSortField, type FlagStatus, type SortDirection } from '../flag-changes.js';
import { ApiJsonValue } from '../../common/openapi/api-json-value.decorator.js';
import { ApiKeyProperty, ApiVariantKeyProperty, IsKey } from '../../common/validation/is-key.decorator.js';
import { IsOmittable } from '../../common/validation/is-omittable.decorator.js';

export const FLAG_KINDS = ['boolean', 'string', 'number', 'json'] as const satisfies readonly FlagKind[];
export const LIFECYCLES = ['temporary', 'permanent'] as const;

export class VariantDto {
  @ApiVariantKeyProperty('Unique in the flag, e.g. v2 or on')
  key: string;

  @ApiJsonValue({ description: "Of the flag's kind" })
  @IsDefined({ message: 'value is required' })
  value: FlagValue;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;
}

export class CreateFlagDto {
  @ApiKeyProperty('Unique in the project, e.g. etl.use-new-transformer')
  key: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  owner?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsKey({ each: true })
  tags?: string[];

  @ApiProperty({ enum: FLAG_KINDS })
  @IsIn(FLAG_KINDS)
  kind: FlagKind;

  @ApiPropertyOptional({ type: [VariantDto], description: 'Default for boolean flags: on (true) and off (false)' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => VariantDto)
  variants?: VariantDto[];

  @ApiPropertyOptional({ description: 'Variant served when off, in every environment until changed; default: "off", else the first variant' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  offVariant?: string;

  @ApiPropertyOptional({ description: 'Variant served when on by the default rule; default: "on", else the first variant' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  onVariant?: string;

  @ApiPropertyOptional({ enum: LIFECYCLES, default: 'temporary' })
  @IsOptional()
  @IsIn(LIFECYCLES)
  lifecycle?: (typeof LIFECYCLES)[number];

  @ApiPropertyOptional({ description: 'ISO-8601' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'expiresAt must be an ISO-8601 date' })
  expiresAt?: Date;
}

/** PATCH: absent = unchanged, null = cleared, value = set. */
export class UpdateFlagDto {
  @ApiProperty({ description: 'The flag version this change is based on; a stale one gets 409' })
  @IsInt()
  @Min(1)
  version: number;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  owner?: string | null;

  @ApiPropertyOptional({ type: [String] })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(20)
  @IsKey({ each: true })
  tags?: string[];

  @ApiPropertyOptional({ type: [VariantDto] })
  @IsOmittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => VariantDto)
  variants?: VariantDto[];

  @ApiPropertyOptional({ enum: LIFECYCLES })
  @IsOmittable()
  @IsIn(LIFECYCLES)
  lifecycle?: (typeof LIFECYCLES)[number];

  @ApiPropertyOptional({ nullable: true, type: String, description: 'ISO-8601' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'expiresAt must be an ISO-8601 date' })
  expiresAt?: Date | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

/** The largest page the list answers: a console screen needs about 50 rows; more only grows the answer. */
export const MAX_FLAG_PAGE = 200;
export const DEFAULT_FLAG_PAGE = 50;

export class ListFlagsQueryDto {
  @ApiPropertyOptional({ description: 'Substring searched for, case-insensitively, in key, name, description and tags' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsKey()
  tag?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  owner?: string;

  @ApiPropertyOptional({ enum: ['active', 'archived', 'all'], default: 'active' })
  @IsOptional()
  @IsIn(['active', 'archived', 'all'])
  archived?: 'active' | 'archived' | 'all';

  @ApiPropertyOptional({ description: 'Only stale flags (true) or only fresh ones (false); GET .../flags/stale says why', type: Boolean })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  stale?: boolean;

  @ApiPropertyOptional({ enum: FLAG_STATUSES, description: 'Only flags in this state in `environment` (required with it)' })
  @IsOptional()
  @IsIn(FLAG_STATUSES)
  status?: FlagStatus;

  @ApiPropertyOptional({ description: 'Environment key that `status` applies to' })
  @IsOptional()
  @IsKey()
  environment?: string;

  @ApiPropertyOptional({
    enum: FLAG_SORT_FIELDS,
    default: 'key',
    description:
      'changed: newest write to the flag or any of its configs; evaluated: newest SDK evaluation in any environment (never evaluated sorts as oldest)',
  })
  @IsOptional()
  @IsIn(FLAG_SORT_FIELDS)
  sort?: FlagSortField;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'asc', description: 'Ties are broken by key in the same direction' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: SortDirection;
}

/** The paged search (GET .../search/flags): the list's filters and order, plus the page. */
export class SearchFlagsQueryDto extends ListFlagsQueryDto {
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: MAX_FLAG_PAGE, default: DEFAULT_FLAG_PAGE })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(MAX_FLAG_PAGE)
  limit?: number;

  @ApiPropertyOptional({ description: "A page's nextCursor: the page after it, with the same filters, sort and order" })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  cursor?: string;
}

export class ArchiveDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}
