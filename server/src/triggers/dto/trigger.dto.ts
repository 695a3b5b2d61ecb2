import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { everyMember } from '../../common/openapi/every-member.js';
import { IsOmittable } from '../../common/validation/is-omittable.decorator.js';
import type { AlertSource } from '../alert-payload.js';
import type { TriggerAction } from '../trigger.entity.js';

const TRIGGER_ACTIONS = everyMember<TriggerAction>()(['killed', 'restored', 'ignored']);
const ALERT_SOURCES = everyMember<AlertSource>()(['plain', 'alertmanager', 'grafana']);

export class CreateTriggerDto {
  @ApiProperty({ description: 'Shown in the audit log as `trigger:<name>`', maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiPropertyOptional({ description: 'A resolved alert restores the flag (default: resolutions are ignored; restore by hand)', default: false })
  @IsOptional()
  @IsBoolean()
  restoreOnResolve?: boolean;
}

export class UpdateTriggerDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOmittable()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOmittable()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsBoolean()
  restoreOnResolve?: boolean;

  @ApiPropertyOptional({ description: 'false disables the URL (it answers 404); true enables it again' })
  @IsOmittable()
  @IsBoolean()
  enabled?: boolean;
}

export class TriggerResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty() flag: string;
  @ApiProperty() environment: string;
  @ApiProperty() restoreOnResolve: boolean;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ description: 'First characters of the secret, to tell URLs apart' }) secretPrefix: string;
  @ApiProperty() createdBy: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastFiredAt: string | null;
  @ApiProperty({ nullable: true, type: String, enum: TRIGGER_ACTIONS }) lastAction: TriggerAction | null;
  @ApiProperty() fireCount: number;
}

export class IssuedTriggerResponse {
  @ApiProperty({ type: TriggerResponse }) trigger: TriggerResponse;
  @ApiProperty({ description: 'Shown this once; only its hash is stored' }) secret: string;
  @ApiProperty({ description: 'POST here to fire: the secret is the credential' }) url: string;
}

export class TriggerFiredResponse {
  @ApiProperty() trigger: string;
  @ApiProperty() flag: string;
  @ApiProperty() environment: string;
  @ApiProperty({ enum: TRIGGER_ACTIONS }) action: TriggerAction;
  @ApiProperty({ description: 'false when the flag already was in that state, or the call was ignored' }) changed: boolean;
  @ApiProperty({ description: 'Whether the flag is killed now' }) killed: boolean;
  @ApiProperty({ enum: ALERT_SOURCES }) source: AlertSource;
  @ApiProperty({ type: [String] }) alerts: string[];
  @ApiProperty({ description: 'Why nothing happened, for ignored calls', nullable: true, type: String }) note: string | null;
}
