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
  @ApiProperty() flag: string;
  @ApiProperty({ description: 'The config version (config, restore) or flag version (archive) it was made against' }) baseVersion: number;
  @ApiProperty({ type: ChangeRequestConfigDto, nullable: true, description: 'For config: the body a PUT takes, without version and reason' })
  change: ChangeRequestConfigDto | null;
  @ApiProperty({ type: ChangeRequestDiffResponse, nullable: true, description: 'Config before (at base) and after; null for archive' })
  diff: ChangeRequestDiffResponse | null;
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
  @ApiProperty({ nullable: true, type: Number, description: 'The config version (or flag version, for archive) it wrote' }) appliedVersion: number | null;
  @ApiProperty({ description: 'The base no longer equals the current version: it cannot be applied until rebased' }) stale: boolean;
}

export class ChangeRequestListResponse {
  @ApiProperty({ type: [ChangeRequestResponse], description: 'Newest first' }) items: ChangeRequestResponse[];
}

/** The answer to a direct write in an environment that requires approval: the request made from it. */
export class ChangeRequestCreatedResponse {
  @ApiProperty({ type: ChangeRequestResponse }) changeRequest: ChangeRequestResponse;
}
