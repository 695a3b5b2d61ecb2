import { ApiProperty } from '@nestjs/swagger';

export class EnvironmentResponse {
  @ApiProperty() key: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Every change here must give a reason' }) requireChangeReason: boolean;
  @ApiProperty({ description: 'Config changes, restores and flag archives here become change requests that others approve' })
  requireApproval: boolean;
  @ApiProperty({ minimum: 1, maximum: 10, description: 'How many approvals a change request here needs' }) requiredApprovals: number;
  @ApiProperty({ type: String, nullable: true, description: 'The first characters of the active SDK key; the key itself is shown only when issued' })
  sdkKeyPrefix: string | null;
}

export class ProjectResponse {
  @ApiProperty() key: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Empty when none was given' }) description: string;
  @ApiProperty({ type: [EnvironmentResponse] }) environments: EnvironmentResponse[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class CreatedProjectResponse {
  @ApiProperty({ type: ProjectResponse }) project: ProjectResponse;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: "Each environment's SDK key by environment key, shown this once" })
  sdkKeys: Record<string, string>;
}

/** A created environment with its SDK key, shown this once. */
export class CreatedEnvironmentResponse {
  @ApiProperty({ type: EnvironmentResponse }) environment: EnvironmentResponse;
  @ApiProperty({ description: 'Shown this once; only its hash is stored' }) sdkKey: string;
}

export class RotatedSdkKeyResponse {
  @ApiProperty({ description: 'The new SDK key, shown this once; the old one is refused from now on' }) sdkKey: string;
  @ApiProperty({ description: 'Its first characters, as environments list them' }) prefix: string;
}
