import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsKey } from '../../common/validation/is-key.decorator.js';

export class AuditQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsKey()
  project?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsKey()
  environment?: string;

  @ApiPropertyOptional({ description: 'Entries about this flag key' })
  @IsOptional()
  @IsKey()
  flag?: string;

  @ApiPropertyOptional({ enum: ['project', 'environment', 'flag', 'segment', 'user', 'token', 'sdk-key'] })
  @IsOptional()
  @IsIn(['project', 'environment', 'flag', 'segment', 'user', 'token', 'sdk-key'])
  resourceType?: string;

  @ApiPropertyOptional({ description: 'Actor name, e.g. an email or token:NAME' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  actor?: string;

  @ApiPropertyOptional({ description: 'ISO-8601; inclusive' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'from must be an ISO-8601 date' })
  from?: Date;

  @ApiPropertyOptional({ description: 'ISO-8601; exclusive' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'to must be an ISO-8601 date' })
  to?: Date;

  // At most 15 digits: ids stay below 2^53 (they are compared as numbers) and bigint's range.
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @Matches(/^[0-9]{1,15}$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}
