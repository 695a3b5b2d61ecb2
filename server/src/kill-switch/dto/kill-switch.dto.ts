import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsKey } from '../../common/validation/is-key.decorator.js';

export const MAX_CONFIRMATION_WAIT_MS = 10_000;

const WaitProperty = () =>
  ApiPropertyOptional({
    description: 'Wait up to this long (ms) for every connected SDK to confirm the change before answering; 0 (default) answers at once with the counts so far',
    minimum: 0,
    maximum: MAX_CONFIRMATION_WAIT_MS,
    default: 0,
  });

/** Kill in the one environment the path names. */
export class KillDto {
  @ApiProperty({ description: 'Why: shown to operators and kept in the audit log' })
  @IsString()
  @MinLength(1, { message: 'reason is required to kill a flag' })
  @MaxLength(1000)
  reason: string;
}

/** Restore in the one environment the path names. */
export class RestoreDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export class KillFlagDto {
  @ApiProperty({ description: 'Why: shown to operators, kept in the kill record and the audit log' })
  @IsString()
  @MinLength(1, { message: 'reason is required to kill a flag' })
  @MaxLength(1000)
  reason: string;

  @ApiPropertyOptional({ type: [String], description: 'Environment keys; default: every environment the caller may act on' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsKey({ each: true })
  environments?: string[];

  @WaitProperty()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_CONFIRMATION_WAIT_MS)
  waitForConfirmationMs?: number;
}

export class RestoreFlagDto {
  @ApiPropertyOptional({ description: 'Why; required by environments that require a reason for every change' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;

  @ApiPropertyOptional({ type: [String], description: 'Environment keys; default: every environment the caller may act on' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsKey({ each: true })
  environments?: string[];

  @WaitProperty()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_CONFIRMATION_WAIT_MS)
  waitForConfirmationMs?: number;
}

export class KillByTagDto {
  @ApiProperty({ description: 'Every active flag with this tag is killed (e.g. `gpu`)' })
  @IsKey()
  tag: string;

  @ApiProperty()
  @IsString()
  @MinLength(1, { message: 'reason is required to kill flags' })
  @MaxLength(1000)
  reason: string;

  @WaitProperty()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_CONFIRMATION_WAIT_MS)
  waitForConfirmationMs?: number;
}

export class RestoreByTagDto {
  @ApiProperty()
  @IsKey()
  tag: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;

  @WaitProperty()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_CONFIRMATION_WAIT_MS)
  waitForConfirmationMs?: number;
}

export class DeliveryResponse {
  @ApiProperty({ description: 'SDKs connected to the environment (all server instances)' }) connected: number;
  @ApiProperty({ description: 'Of those, how many applied the change (or something newer)' }) confirmed: number;
  @ApiProperty({ description: 'confirmed = connected (true when none is connected)' }) allConfirmed: boolean;
  @ApiProperty({ description: 'How long the server waited for confirmations' }) waitedMs: number;
}

export class EnvironmentKillResponse {
  @ApiProperty() environment: string;
  @ApiProperty() killed: boolean;
  @ApiProperty({ description: 'Config version after the call' }) version: number;
  @ApiProperty({ description: 'Change-log sequence SDKs must have applied (the change itself, or the head when nothing changed)' }) sequence: number;
  @ApiProperty({ description: 'false when the flag already was in the requested state (idempotent)' }) changed: boolean;
  @ApiProperty({ type: DeliveryResponse }) delivery: DeliveryResponse;
}

export class FlagKillResponse {
  @ApiProperty() flag: string;
  @ApiProperty({ enum: ['kill', 'restore'] }) action: 'kill' | 'restore';
  @ApiProperty({ type: [EnvironmentKillResponse] }) environments: EnvironmentKillResponse[];
}

export class TaggedFlagError {
  @ApiProperty({ description: 'Error code, as in an error response' }) error: string;
  @ApiProperty() message: string;
}

export class TaggedFlagResult {
  @ApiProperty() flag: string;
  @ApiProperty() killed: boolean;
  @ApiProperty() version: number;
  @ApiProperty() changed: boolean;
  @ApiProperty({ nullable: true, type: Number, description: "The change-log entry of this flag's change; null when nothing changed" }) sequence: number | null;
  @ApiPropertyOptional({ type: TaggedFlagError, description: 'Set when this flag could not be changed; the others still were' }) error?: TaggedFlagError;
}

export class TagKillResponse {
  @ApiProperty() environment: string;
  @ApiProperty() tag: string;
  @ApiProperty({ enum: ['kill', 'restore'] }) action: 'kill' | 'restore';
  @ApiProperty({ type: [TaggedFlagResult] }) flags: TaggedFlagResult[];
  @ApiProperty({ description: 'Change-log head after the last change; delivery counts refer to it' }) sequence: number;
  @ApiProperty({ type: DeliveryResponse }) delivery: DeliveryResponse;
}
