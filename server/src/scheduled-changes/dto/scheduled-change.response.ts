import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { FlagConfigResponse } from '../../flags/dto/flag.response.js';
import { ACTOR_TYPES } from '../../audit/audit-entry.entity.js';
import type { ScheduledChangeAuthor, ScheduledChangeFailure, ScheduledChangeKind, ScheduledChangeStatus } from '../scheduled-change.entity.js';
import { SCHEDULED_CHANGE_STATUSES, ScheduledPatchDto } from './scheduled-change.dto.js';

export class ScheduledChangeAuthorResponse implements ScheduledChangeAuthor {
  @ApiProperty({ enum: ACTOR_TYPES }) type: ScheduledChangeAuthor['type'];
  @ApiProperty({ nullable: true, type: String }) id: string | null;
  @ApiProperty() name: string;
}

export class ScheduledChangeFailureResponse implements ScheduledChangeFailure {
  @ApiProperty({ description: 'VERSION_CONFLICT (the base moved), VALIDATION_FAILED, CONFLICT (e.g. the flag was archived) or NOT_FOUND' }) code: string;
  @ApiProperty() message: string;
  @ApiPropertyOptional({ description: "The config's version when the change was due" }) currentVersion?: number;
}

export class ScheduledChangeResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() flagKey: string;
  @ApiProperty() environment: string;
  @ApiProperty({ format: 'date-time' }) runAt: string;
  @ApiProperty({ enum: SCHEDULED_CHANGE_STATUSES }) status: ScheduledChangeStatus;
  @ApiProperty({ enum: ['replace', 'patch'], description: 'replace: `config` is the whole config; patch: only the fields it holds change' })
  kind: ScheduledChangeKind;
  @ApiProperty({ type: ScheduledPatchDto, description: 'The config fields it writes (in the PUT/PATCH request shape)' }) config: ScheduledPatchDto;
  @ApiProperty({ description: 'The config version it was made against; it applies only if the config is still at it' }) baseVersion: number;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty({ type: ScheduledChangeAuthorResponse }) author: ScheduledChangeAuthorResponse;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When it was applied, refused or cancelled' }) finishedAt: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'The config version it wrote' }) appliedVersion: number | null;
  @ApiProperty({ type: ScheduledChangeFailureResponse, nullable: true }) failure: ScheduledChangeFailureResponse | null;
  @ApiProperty({
    description: 'Still scheduled, but the config has moved past its base version: it will not apply unless rebased (PATCH with the current `version`)',
  })
  stale: boolean;
  @ApiProperty({
    type: FlagConfigResponse,
    nullable: true,
    description: 'While scheduled: the config it would write over the current one (compare with the current config for a diff)',
  })
  proposed: FlagConfigResponse | null;
}
