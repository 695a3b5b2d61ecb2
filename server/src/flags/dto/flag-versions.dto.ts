import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { FlagConfigResponse } from './flag.response.js';

export const MAX_VERSION_PAGE = 100;

export class ListFlagVersionsQueryDto {
  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: MAX_VERSION_PAGE })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(MAX_VERSION_PAGE)
  limit?: number;

  // At most 15 digits: it is an audit entry id, compared as a number.
  @ApiPropertyOptional({ description: "A page's nextCursor: the older versions after it" })
  @IsOptional()
  @Matches(/^[0-9]{1,15}$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

export class RevertFlagConfigDto {
  @ApiProperty({ description: 'The version whose config to write again', minimum: 1 })
  @IsInt({ message: 'toVersion must be a whole number' })
  @Min(1)
  toVersion: number;

  @ApiProperty({ description: 'The current version, as the caller saw it; a stale one gets 409', minimum: 0 })
  @IsInt({ message: 'version must be a whole number' })
  @Min(0)
  version: number;

  @ApiPropertyOptional({ description: 'Why; required in environments that ask for it' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export class FlagVersionActorResponse {
  @ApiProperty({ description: 'user, token, admin-token, system or trigger' }) type: string;
  @ApiProperty({ description: 'An email, token:NAME, trigger:NAME or signalbox' }) name: string;
}

export class FlagVersionResponse {
  @ApiProperty() version: number;
  @ApiProperty({ type: String, format: 'date-time' }) at: string;
  @ApiProperty({ type: FlagVersionActorResponse }) actor: FlagVersionActorResponse;
  @ApiProperty({ description: 'flag.config.updated, flag.config.reverted, flag.killed or flag.restored' }) action: string;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'For a revert: the version whose config it wrote again' }) revertedTo: number | null;
  @ApiProperty({ type: FlagConfigResponse, description: 'The config as it was after this version' }) config: FlagConfigResponse;
}

export class FlagVersionPageResponse {
  @ApiProperty({ type: [FlagVersionResponse], description: 'Newest first' }) items: FlagVersionResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for older versions; null on the last page' }) nextCursor: string | null;
  @ApiProperty({
    description:
      'On the last page: true when versions older than the oldest listed one are not in the audit log (written before it recorded them), ' +
      'so they cannot be listed or reverted to',
  })
  earlierVersionsMissing: boolean;
}
