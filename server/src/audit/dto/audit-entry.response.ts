import { ApiProperty } from '@nestjs/swagger';
import { ACTOR_TYPES, type ActorType, AUDIT_RESOURCE_TYPES, type AuditResourceType } from '../audit-entry.entity.js';

/** One entry of the audit log: the entity as stored (its `at` leaves as an ISO-8601 string). */
export class AuditEntryResponse {
  @ApiProperty({ description: 'Grows with every entry; the cursor pages by it' }) id: number;
  // A Date here: the entity is answered as read, and JSON turns it into the ISO-8601 string documented.
  @ApiProperty({ type: String, format: 'date-time' }) at: Date;
  @ApiProperty({ enum: ACTOR_TYPES }) actorType: ActorType;
  @ApiProperty({ type: String, nullable: true, description: "The user's or token's id; null for the admin token and the system" }) actorId: string | null;
  @ApiProperty({ description: 'An email, token:NAME, the admin token name, trigger:NAME or signalbox' }) actorName: string;
  @ApiProperty({ description: 'e.g. flag.created, flag.config.updated, segment.deleted, user.updated' }) action: string;
  @ApiProperty({ enum: AUDIT_RESOURCE_TYPES }) resourceType: AuditResourceType;
  @ApiProperty() resourceKey: string;
  @ApiProperty({ type: String, nullable: true }) projectKey: string | null;
  @ApiProperty({ type: String, nullable: true }) environmentKey: string | null;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'The resource before the change' }) before: object | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'The resource after the change' }) after: object | null;
  @ApiProperty({ type: String, nullable: true, description: 'X-Request-Id of the request that made the change' }) requestId: string | null;
}

export class AuditPageResponse {
  @ApiProperty({ type: [AuditEntryResponse], description: 'Newest first' }) items: AuditEntryResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next (older) page; null on the last page' }) nextCursor: string | null;
}
