import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { ArrayMaxSize, IsArray } from 'class-validator';
import { IsKey } from '../../common/validation/is-key.decorator.js';

export class PlanRequestDto {
  @ApiProperty({
    oneOf: [
      { type: 'string', description: 'The file as text (YAML or JSON)' },
      { type: 'object', description: 'The file as a JSON object' },
    ],
    description: 'The Signalbox file (docs/signalbox-file.schema.json)',
  })
  @IsDefined({ message: 'file is required' })
  file: unknown;

  @ApiPropertyOptional({ description: "Overrides the file's `prune`: archive flags and delete segments it does not list" })
  @IsOptional()
  @IsBoolean()
  prune?: boolean;
}

export class ApplyRequestDto extends PlanRequestDto {
  @ApiProperty({ description: 'Why; kept in the audit log of every change' })
  @IsString()
  @MinLength(1, { message: 'reason is required' })
  @MaxLength(1000)
  reason: string;
}

export class ExportQueryDto {
  @ApiPropertyOptional({ description: 'Comma-separated environment keys (default: all)' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  environments?: string;

  @ApiPropertyOptional({ enum: ['yaml', 'json'], default: 'yaml' })
  @IsOptional()
  @IsIn(['yaml', 'json'])
  format?: 'yaml' | 'json';
}

export class CopyBaseVersionDto {
  @ApiProperty({ description: 'A flag key' })
  @IsKey()
  flag: string;

  @ApiProperty({ description: "The target environment's config version the copy was reviewed against" })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  version: number;
}

export class CopyEnvironmentDto {
  @ApiPropertyOptional({ description: 'Only answer the plan; change nothing', default: false })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;

  @ApiPropertyOptional({ description: 'Why; required unless dryRun' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;

  @ApiPropertyOptional({ type: [String], description: 'Only these flags (default: every active flag)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(2000)
  @IsKey({ each: true })
  flags?: string[];

  @ApiPropertyOptional({
    type: [CopyBaseVersionDto],
    description: "The target's versions a reviewed plan was made against: a flag whose target config has moved since answers 409 instead of being overwritten",
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(2000)
  @ValidateNested({ each: true })
  @Type(() => CopyBaseVersionDto)
  baseVersions?: CopyBaseVersionDto[];
}
