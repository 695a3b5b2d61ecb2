import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, Equals, IsArray, IsBoolean, IsInt, IsObject, IsOptional, IsString, MaxLength, Min, ValidateNested } from 'class-validator';
import { ReplaceFlagConfigDto } from '../../flags/dto/flag-config.dto.js';
import { CreateFlagDto, VariantDto } from '../../flags/dto/flag.dto.js';
import { CreateSegmentDto } from '../../segments/dto/segment.dto.js';
import { FILE_FORMAT_VERSION } from '../signalbox-file.js';

// The file is validated with the API's own DTOs (the same limits and messages as PUT config,
// POST flags and POST segments), minus the fields a write carries for itself (version, reason).

/** How many flags and segments one file may hold. */
export const MAX_FILE_FLAGS = 2_000;
export const MAX_FILE_SEGMENTS = 500;
export const MAX_FILE_ENVIRONMENTS = 50;

export class FileConfigDto extends OmitType(ReplaceFlagConfigDto, ['version', 'reason'] as const) {
  @ApiPropertyOptional({ description: 'The config version it was exported at; absent: never written' })
  @IsOptional()
  @IsInt()
  @Min(0)
  baseVersion?: number;
}

export class FileFlagDto extends OmitType(CreateFlagDto, ['offVariant', 'onVariant', 'expiresAt', 'variants'] as const) {
  @ApiPropertyOptional({ description: 'The flag version it was exported at; absent: a new flag' })
  @IsOptional()
  @IsInt()
  @Min(1)
  baseVersion?: number;

  @ApiProperty({ type: [VariantDto] })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => VariantDto)
  variants: VariantDto[];

  @ApiPropertyOptional({ description: 'ISO-8601' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  expiresAt?: string;

  // Validated entry by entry with FileConfigDto (see file-validation.ts): class-validator has no map of nested DTOs.
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/FileConfigDto' }, description: 'Keyed by environment key' })
  @IsOptional()
  @IsObject()
  environments?: Record<string, unknown>;
}

export class FileSegmentDto extends OmitType(CreateSegmentDto, ['reason'] as const) {
  @ApiPropertyOptional({ description: 'The segment version it was exported at; absent: a new segment' })
  @IsOptional()
  @IsInt()
  @Min(1)
  baseVersion?: number;
}

export class SignalboxFileDto {
  @ApiProperty({ enum: [FILE_FORMAT_VERSION] })
  @Equals(FILE_FORMAT_VERSION, { message: `version must be ${FILE_FORMAT_VERSION}` })
  version: number;

  @ApiPropertyOptional({ description: 'Informational: the project it was exported from' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  project?: string;

  @ApiPropertyOptional({ description: 'Archive flags and delete segments the file does not list', default: false })
  @IsOptional()
  @IsBoolean()
  prune?: boolean;

  @ApiPropertyOptional({ type: [FileSegmentDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_FILE_SEGMENTS)
  @ValidateNested({ each: true })
  @Type(() => FileSegmentDto)
  segments?: FileSegmentDto[];

  @ApiPropertyOptional({ type: [FileFlagDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_FILE_FLAGS)
  @ValidateNested({ each: true })
  @Type(() => FileFlagDto)
  flags?: FileFlagDto[];
}
