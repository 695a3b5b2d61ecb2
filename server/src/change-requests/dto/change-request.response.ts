import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { FlagConfigResponse } from '../../flags/dto/flag.response.js';
import type { ChangeRequestKind, ChangeRequestStatus } from '../change-request.entity.js';
import { CHANGE_REQUEST_KINDS, CHANGE_REQUEST_STATUSES, ChangeRequestConfigDto } from './change-request.dto.js';

export class ChangeRequestUserResponse {
  @ApiProperty({ nullable: true, type: String, description: 'The user or token id (null for the admin token)' }) id: string | null;
  @ApiProperty({ description: "The user's email (tokens: token:<name>)" }) email: string;
}

export class ChangeRequestReviewResponse {
  @ApiProperty({ type: ChangeRequestUserResponse }) user: ChangeRequestUserResponse;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiPropertyOptional({ type: String, nullable: true }) comment: string | null;
}

export class ChangeRequestCommentResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: ChangeRequestUserResponse }) user: ChangeRequestUserResponse;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty() body: string;
}

export class ChangeRequestDiffResponse {
  @ApiProperty({ type: FlagConfigResponse, description: 'The config at the base version' }) before: FlagConfigResponse;
  @ApiProperty({ type: FlagConfigResponse, description: 'The config the request writes' }) after: FlagConfigResponse;
}

export class ChangeRequestResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'Per project: 1, 2, 3…' }) number: number;
  @ApiProperty() project: string;
  @ApiProperty() environment: string;
  @ApiProperty({ enum: CHANGE_REQUEST_KINDS }) kind: ChangeRequestKind;
  @ApiProperty({ type: String, nullable: true, description: 'The flag (null for a segment request)' }) flag: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'For kind segment: the segment key (else null)' }) segment: string | null;
  @ApiProperty({
    description: 'The config version (config, restore, rollout-plan), flag version (archive) or segment version (segment) it was made against',
  })
  baseVersion: number;
  // Typed in the document as the config body and config diff (what the console reads for config
  // requests); rollout-plan and segment requests carry other shapes, as the descriptions say.
  @ApiProperty({
    type: ChangeRequestConfigDto,
    nullable: true,
    description:
      'config: the body a PUT takes, without version and reason; rollout-plan: the plan body as posted (CreateRolloutPlanDto); segment: the segment update (UpdateSegmentDto without version and reason); null for restore and archive',
  })
  change: ChangeRequestConfigDto | Record<string, unknown> | null;
  @ApiProperty({
    type: ChangeRequestDiffResponse,
    nullable: true,
    description:
      'Before (at base) and after: config views for config and restore, segment views (SegmentResponse) for segment; null for archive and rollout-plan',
  })
  diff: ChangeRequestDiffResponse | { before: object; after: object } | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'For config: when it is to be written (applying before then schedules it)' })
  runAt: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The scheduled change applying it made (runAt in the future)' })
  scheduledChangeId: string | null;
  @ApiProperty() reason: string;
  @ApiProperty({ type: ChangeRequestUserResponse }) author: ChangeRequestUserResponse;
  @ApiProperty({ type: [String], description: 'Who is asked to review (informational)' }) reviewers: string[];
  @ApiProperty({ enum: CHANGE_REQUEST_STATUSES }) status: ChangeRequestStatus;
  @ApiProperty() requiredApprovals: number;
  @ApiProperty({ type: [ChangeRequestReviewResponse] }) approvals: ChangeRequestReviewResponse[];
  @ApiProperty({ type: [ChangeRequestReviewResponse] }) rejections: ChangeRequestReviewResponse[];
  @ApiProperty({ type: [ChangeRequestCommentResponse] }) comments: ChangeRequestCommentResponse[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) appliedAt: string | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'The config version (flag version for archive, segment version for segment) it wrote; null when it was scheduled',
  })
  appliedVersion: number | null;
  @ApiProperty({ description: 'The base no longer equals the current version: it cannot be applied until rebased' }) stale: boolean;
}

export class ChangeRequestListResponse {
  @ApiProperty({ type: [ChangeRequestResponse], description: 'Newest first' }) items: ChangeRequestResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next (older) page; null on the last page' }) nextCursor: string | null;
}

/** The answer to a direct write in an environment that requires approval: the request made from it. */
export class ChangeRequestCreatedResponse {
  @ApiProperty({ type: ChangeRequestResponse }) changeRequest: ChangeRequestResponse;
}
