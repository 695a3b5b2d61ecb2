import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { ApiKeyProperty } from '../../common/validation/is-key.decorator.js';
import { IsOmittable } from '../../common/validation/is-omittable.decorator.js';

export class CreateEnvironmentDto {
  @ApiKeyProperty('Unique in the project, e.g. production')
  key: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ description: 'Every change here must give a reason' })
  @IsOptional()
  @IsBoolean()
  requireChangeReason?: boolean;
}

export class UpdateEnvironmentDto {
  @ApiPropertyOptional()
  @IsOmittable()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsBoolean()
  requireChangeReason?: boolean;

  @ApiPropertyOptional({ description: 'Config changes, restores and flag archives here become change requests that others approve' })
  @IsOmittable()
  @IsBoolean()
  requireApproval?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 10, description: 'How many approvals a change request here needs' })
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(10)
  requiredApprovals?: number;
}

export class CreateProjectDto {
  @ApiKeyProperty('Unique, e.g. pipelines')
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

  @ApiPropertyOptional({ type: [CreateEnvironmentDto], description: 'Default: development and production' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => CreateEnvironmentDto)
  environments?: CreateEnvironmentDto[];
}

export class UpdateProjectDto {
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
}
