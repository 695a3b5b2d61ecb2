import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { everyMember } from '../../common/openapi/every-member.js';
import { IsOmittable } from '../../common/validation/is-omittable.decorator.js';
import type { AlertSource } from '../alert-payload.js';
import { TRIGGER_EFFECT_TYPES, TRIGGER_OUTCOMES, type TriggerEffectType, type TriggerOutcome } from '../trigger-effect.js';
import { IsDecimalNumber } from '../../common/validation/is-decimal-number.decorator.js';

const TRIGGER_ACTIONS = [...TRIGGER_OUTCOMES];
const EFFECT_TYPES = [...TRIGGER_EFFECT_TYPES];
const ALERT_SOURCES = everyMember<AlertSource>()(['plain', 'alertmanager', 'grafana', 'cloudevents']);

/** What a firing alert does; fixed at creation (the URL's caller cannot choose). */
export class TriggerEffectDto {
  @ApiProperty({
    enum: EFFECT_TYPES,
    description:
      "kill (the kill switch), turn-on / turn-off (the config's `on`), serve-variant (the default rule serves `variant`), " +
      'set-rollout (the default rule splits `percentage` % to `variant`, the rest to `restVariant`), pause-rollout / resume-rollout / abort-rollout (the active rollout plan)',
  })
  @IsIn(EFFECT_TYPES)
  type: TriggerEffectType;

  @ApiPropertyOptional({ description: 'serve-variant and set-rollout: the variant served', maxLength: 128 })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  variant?: string;

  @ApiPropertyOptional({ description: 'set-rollout: the percentage `variant` gets (0-100, up to 3 decimals)', minimum: 0, maximum: 100 })
  @IsOptional()
  @IsDecimalNumber(3)
  @Min(0)
  @Max(100)
  percentage?: number;

  @ApiPropertyOptional({
    description: "set-rollout: the variant the rest gets (default: the environment's off variant, or the other variant of a two-variant flag)",
    maxLength: 128,
  })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  restVariant?: string;
}

export class TriggerEffectResponse {
  @ApiProperty({ enum: EFFECT_TYPES }) type: TriggerEffectType;
  @ApiPropertyOptional() variant?: string;
  @ApiPropertyOptional() percentage?: number;
  @ApiPropertyOptional() restVariant?: string;
}

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

  @ApiPropertyOptional({ type: TriggerEffectDto, description: 'What a firing alert does (default: kill)' })
  @IsOptional()
  @IsObject({ message: 'effect must be an object' })
  @ValidateNested()
  @Type(() => TriggerEffectDto)
  effect?: TriggerEffectDto;

  @ApiPropertyOptional({
    description:
      'A resolved alert undoes the effect: a kill is restored, turn-on/turn-off and pause/resume are reversed (default: resolutions are ignored). ' +
      'serve-variant, set-rollout and abort-rollout have nothing to undo: true is refused.',
    default: false,
  })
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
  @ApiProperty({ type: TriggerEffectResponse }) effect: TriggerEffectResponse;
  @ApiProperty() restoreOnResolve: boolean;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ description: 'First characters of the secret, to tell URLs apart' }) secretPrefix: string;
  @ApiProperty() createdBy: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastFiredAt: string | null;
  @ApiProperty({ nullable: true, type: String, enum: TRIGGER_ACTIONS }) lastAction: TriggerOutcome | null;
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
  @ApiProperty({ enum: EFFECT_TYPES, description: "The trigger's effect" }) effect: TriggerEffectType;
  @ApiProperty({ enum: TRIGGER_ACTIONS, description: 'What this call did' }) action: TriggerOutcome;
  @ApiProperty({ description: 'false when the flag already was in that state, or the call was ignored' }) changed: boolean;
  @ApiProperty({ description: 'Whether the flag is killed now' }) killed: boolean;
  @ApiProperty({ enum: ALERT_SOURCES }) source: AlertSource;
  @ApiProperty({ type: [String] }) alerts: string[];
  @ApiProperty({ description: 'Why nothing happened, for ignored calls', nullable: true, type: String }) note: string | null;
  @ApiProperty({ description: "The CloudEvent's id (or the Idempotency-Key) the call carried", nullable: true, type: String }) eventId: string | null;
  @ApiProperty({ description: 'true: this event was handled before; this is that answer again and nothing changed now' }) duplicate: boolean;
}
