import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { ATTRIBUTE_OPERATORS } from '@signalbox/sdk/core';
import { IsKey } from '../common/validation/is-key.decorator.js';

export const CLAUSE_OPS = [...ATTRIBUTE_OPERATORS, 'segment'] as const;

/**
 * One condition. `attribute op values` (true when the attribute matches any value), or
 * `op: "segment"` with `segments`. The value types each operator takes are checked on save.
 */
export class ClauseDto {
  @ApiProperty({ enum: CLAUSE_OPS })
  @IsIn(CLAUSE_OPS, { message: `op must be one of: ${CLAUSE_OPS.join(', ')}` })
  op: (typeof CLAUSE_OPS)[number];

  @ApiPropertyOptional({ description: 'Context attribute; not with op "segment"' })
  @ValidateIf((c: ClauseDto) => c.op !== 'segment')
  @IsString({ message: 'attribute is required and must be a string' })
  @MinLength(1)
  @MaxLength(256)
  attribute?: string;

  @ApiPropertyOptional({ type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] } })
  @ValidateIf((c: ClauseDto) => c.op !== 'segment' && c.op !== 'exists')
  @IsArray({ message: 'values must be an array' })
  @ArrayMaxSize(10_000)
  values?: Array<string | number | boolean>;

  @ApiPropertyOptional({ type: [String], description: 'Segment keys, with op "segment"' })
  @ValidateIf((c: ClauseDto) => c.op === 'segment')
  @IsArray({ message: 'segments must be an array of segment keys' })
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsKey({ each: true })
  segments?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  negate?: boolean;
}
