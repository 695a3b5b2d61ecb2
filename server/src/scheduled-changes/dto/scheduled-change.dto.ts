import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { everyMember } from '../../common/openapi/every-member.js';
import { PatchFlagConfigDto, ReplaceFlagConfigDto } from '../../flags/dto/flag-config.dto.js';
import type { ScheduledChangeStatus } from '../scheduled-change.entity.js';
import { IsInstant } from '../../common/validation/is-instant.decorator.js';

export const SCHEDULED_CHANGE_STATUSES = everyMember<ScheduledChangeStatus>()(['scheduled', 'applied', 'conflict', 'failed', 'cancelled']);

/** The whole config, as PUT takes it, without `version` and `reason` (the scheduled change carries those). */
export class ScheduledReplaceDto extends OmitType(ReplaceFlagConfigDto, ['version', 'reason'] as const) {}

/** Some fields, as PATCH takes them (absent = unchanged, null = cleared), without `version` and `reason`. */
export class ScheduledPatchDto extends OmitType(PatchFlagConfigDto, ['version', 'reason'] as const) {}

export class CreateScheduledChangeDto {
  @ApiProperty({ description: 'When to apply it: an ISO 8601 date-time with a zone (e.g. 2026-12-05T02:00:00Z), in the future, at most 366 days ahead' })
  @IsInstant()
  runAt: string;

  @ApiProperty({ description: "The config's current version: the change is applied only if the config is still at it when due (else it is marked conflict)" })
  @IsInt()
  @Min(0)
  version: number;

  @ApiPropertyOptional({ description: 'Why; required in environments that ask for it' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;

  @ApiPropertyOptional({ type: ScheduledReplaceDto, description: 'The whole config to write (give this or `patch`)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ScheduledReplaceDto)
  replace?: ScheduledReplaceDto;

  @ApiPropertyOptional({ type: ScheduledPatchDto, description: 'The fields to change (give this or `replace`)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ScheduledPatchDto)
  patch?: ScheduledPatchDto;
}

/** Absent = unchanged. Giving `replace` or `patch` replaces the change; giving `version` rebases it. */
export class UpdateScheduledChangeDto {
  @ApiPropertyOptional({ description: 'A new time, in the future, at most 366 days ahead' })
  @IsOptional()
  @IsInstant()
  runAt?: string;

  @ApiPropertyOptional({ description: "A new base version (must be the config's current one): rebases a change whose base moved" })
  @IsOptional()
  @IsInt()
  @Min(0)
  version?: number;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'null clears it' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(1000)
  reason?: string | null;

  @ApiPropertyOptional({ type: ScheduledReplaceDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ScheduledReplaceDto)
  replace?: ScheduledReplaceDto;

  @ApiPropertyOptional({ type: ScheduledPatchDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ScheduledPatchDto)
  patch?: ScheduledPatchDto;
}

export class ListScheduledChangesQueryDto {
  @ApiPropertyOptional({ enum: SCHEDULED_CHANGE_STATUSES, description: 'Only changes in this state; absent: all' })
  @IsOptional()
  @IsIn(SCHEDULED_CHANGE_STATUSES)
  status?: ScheduledChangeStatus;
}

export class CancelScheduledChangeQueryDto {
  @ApiPropertyOptional({ description: 'Why it is cancelled (audited)' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}
