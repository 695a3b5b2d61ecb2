import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { everyMember } from '../../common/openapi/every-member.js';
import { ReplaceFlagConfigDto } from '../../flags/dto/flag-config.dto.js';
import type { ChangeRequestKind, ChangeRequestStatus } from '../change-request.entity.js';
import { IsInstant } from '../../common/validation/is-instant.decorator.js';

export const CHANGE_REQUEST_STATUSES = everyMember<ChangeRequestStatus>()(['pending', 'approved', 'rejected', 'applied', 'cancelled', 'conflict']);
export const CHANGE_REQUEST_KINDS = everyMember<ChangeRequestKind>()(['config', 'restore', 'archive', 'rollout-plan', 'segment']);
/** The kinds POST /change-requests makes; rollout-plan and segment requests come from the plan and segment routes (202). */
export type CreatableChangeRequestKind = 'config' | 'restore' | 'archive';
export const CREATABLE_CHANGE_REQUEST_KINDS: readonly CreatableChangeRequestKind[] = ['config', 'restore', 'archive'];

/** The whole config, as PUT takes it, without `version` and `reason` (the request carries those). */
export class ChangeRequestConfigDto extends OmitType(ReplaceFlagConfigDto, ['version', 'reason'] as const) {}

export class CreateChangeRequestDto {
  @ApiProperty({
    enum: CREATABLE_CHANGE_REQUEST_KINDS,
    description:
      'config: a new config; restore: lift a kill; archive: archive the flag (rollout-plan and segment requests are made by POST .../rollout-plans and PATCH/PUT .../segments/:key in a gated environment)',
  })
  @IsIn(CREATABLE_CHANGE_REQUEST_KINDS)
  kind: CreatableChangeRequestKind;

  @ApiProperty({ description: 'The flag key' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  flag: string;

  @ApiProperty({ description: 'The environment (for archive: any environment of the project that requires approval)' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  environment: string;

  @ApiProperty({ description: "The config's current version (config, restore) or the flag's (archive); applying checks it is still current" })
  @IsInt()
  @Min(0)
  baseVersion: number;

  @ApiPropertyOptional({ type: ChangeRequestConfigDto, description: 'For kind config: the whole config, as PUT takes it without version and reason' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ChangeRequestConfigDto)
  change?: ChangeRequestConfigDto;

  @ApiPropertyOptional({
    description:
      'For kind config: when to write it, an ISO 8601 date-time with a zone, in the future, at most 366 days ahead. Applying the approved request before then schedules the change; after then writes it at once.',
  })
  @IsOptional()
  @IsInstant()
  runAt?: string;

  @ApiProperty({ description: 'Why' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason: string;

  @ApiPropertyOptional({ type: [String], description: 'Who is asked to review (informational)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(320, { each: true })
  reviewers?: string[];
}

export class ReviewChangeRequestDto {
  @ApiPropertyOptional({ description: 'A note with the approval or rejection' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class CommentChangeRequestDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(5000)
  body: string;
}

export class RebaseChangeRequestDto {
  @ApiProperty({ description: 'The current version to base the request on' })
  @IsInt()
  @Min(0)
  baseVersion: number;

  @ApiPropertyOptional({ type: ChangeRequestConfigDto, description: 'For kind config: a new config (absent: the same one, on the new base)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ChangeRequestConfigDto)
  change?: ChangeRequestConfigDto;
}

/** Requests on a page unless `limit` says otherwise, and the most one page holds. */
export const CHANGE_REQUEST_PAGE_SIZE = 100;
export const MAX_CHANGE_REQUEST_PAGE_SIZE = 500;

export class ListChangeRequestsQueryDto {
  @ApiPropertyOptional({ enum: CHANGE_REQUEST_STATUSES, description: 'Only requests in this state; absent: all' })
  @IsOptional()
  @IsIn(CHANGE_REQUEST_STATUSES)
  status?: ChangeRequestStatus;

  @ApiPropertyOptional({ description: 'Only requests for this environment' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  environment?: string;

  @ApiPropertyOptional({ description: 'Only requests for this flag' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  flag?: string;

  @ApiPropertyOptional({ description: 'Only requests for this segment (kind segment)' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  segment?: string;

  // Request numbers are integers counted per project: nine digits is more than any project makes.
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @Matches(/^[0-9]{1,9}$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;

  @ApiPropertyOptional({ default: CHANGE_REQUEST_PAGE_SIZE, minimum: 1, maximum: MAX_CHANGE_REQUEST_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_CHANGE_REQUEST_PAGE_SIZE)
  limit?: number;
}
