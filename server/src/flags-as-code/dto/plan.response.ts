import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const RESOURCES = ['segment', 'flag', 'config'];

export class PlannedChangeResponse {
  @ApiProperty({ enum: RESOURCES }) resource: 'segment' | 'flag' | 'config';
  @ApiProperty({ enum: ['create', 'update', 'delete', 'archive'] }) action: 'create' | 'update' | 'delete' | 'archive';
  @ApiProperty() key: string;
  @ApiPropertyOptional({ description: 'Configs only' }) environment?: string;
  @ApiPropertyOptional({ description: 'Where in the file the item is; absent for pruned items' }) path?: string;
  @ApiProperty({ type: Number, nullable: true, description: 'The version the change is based on; null for a create' }) version: number | null;
  @ApiProperty({ type: [String], description: 'The top-level fields that differ' }) fields: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) before: Record<string, unknown> | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) after: Record<string, unknown> | null;
}

export class PlanConflictResponse {
  @ApiProperty({ enum: RESOURCES }) resource: 'segment' | 'flag' | 'config';
  @ApiProperty() key: string;
  @ApiPropertyOptional() environment?: string;
  @ApiProperty() path: string;
  @ApiProperty({ type: Number, nullable: true, description: 'The version the file was exported at; null: the file treats it as new' }) baseVersion:
    number | null;
  @ApiProperty() currentVersion: number;
  @ApiProperty() message: string;
}

class PlanSummaryResponse {
  @ApiProperty() create: number;
  @ApiProperty() update: number;
  @ApiProperty() delete: number;
  @ApiProperty() archive: number;
}

export class PlanResponse {
  @ApiProperty() project: string;
  @ApiProperty({ description: 'Whether the changes were made (apply, or a copy without dryRun)' }) applied: boolean;
  @ApiProperty({ type: [PlannedChangeResponse] }) changes: PlannedChangeResponse[];
  @ApiProperty({ type: [PlanConflictResponse], description: 'Items that moved since the file was exported; apply refuses them all (409)' })
  conflicts: PlanConflictResponse[];
  @ApiProperty({ type: PlanSummaryResponse }) summary: PlanSummaryResponse;
  @ApiProperty() noChanges: boolean;
}
