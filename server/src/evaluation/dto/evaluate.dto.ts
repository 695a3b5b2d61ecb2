import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional } from 'class-validator';
import type { EvaluationContext, FlagKind, FlagValue } from '@signalbox/sdk/core';
import { FLAG_KINDS } from '../../flags/dto/flag.dto.js';

export class EvaluateAllDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Attributes of what is evaluated: targetingKey, runId, plan, ...',
    example: { targetingKey: 'run-42', pipeline: 'prod-daily' },
  })
  @IsObject({ message: 'context must be an object of attributes' })
  context: EvaluationContext;
}

export class EvaluateFlagDto extends EvaluateAllDto {
  @ApiPropertyOptional({ description: 'Served when the flag cannot be evaluated (unknown, wrong type, off with no off variant)' })
  @IsOptional()
  defaultValue?: FlagValue;

  @ApiPropertyOptional({ enum: FLAG_KINDS, description: 'The type the caller expects; a different flag kind answers TYPE_MISMATCH' })
  @IsOptional()
  @IsIn(FLAG_KINDS)
  type?: FlagKind;
}
