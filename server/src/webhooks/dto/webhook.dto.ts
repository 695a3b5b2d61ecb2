import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { IsKey } from '../../common/validation/is-key.decorator.js';
import { IsOmittable } from '../../common/validation/is-omittable.decorator.js';
import type { DeliveryAttempt, DeliveryStatus } from '../webhook-delivery.entity.js';
import { WEBHOOK_EVENTS, type WebhookEvent } from '../webhook-settings.js';

const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

export class CreateWebhookDto {
  @ApiProperty({ maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({
    description: 'http(s) URL that receives signed POSTs; public addresses only, unless SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST allows a private one',
    maxLength: 2000,
  })
  @IsString()
  @MaxLength(2000)
  @IsUrl(URL_OPTIONS, { message: 'url must be an http or https URL' })
  url: string;

  @ApiProperty({
    enum: WEBHOOK_EVENTS,
    isArray: true,
    description: 'A change is delivered once per subscription, as the most specific event it lists (a kill: flag.killed, else flag.changed)',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENTS, { each: true })
  events: WebhookEvent[];

  // Omittable, not optional: IsOptional would let null through to the service.
  @ApiPropertyOptional({ description: 'Only events of this project (default: every project)' })
  @IsOmittable()
  @IsKey()
  projectKey?: string;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOmittable()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  @IsUrl(URL_OPTIONS, { message: 'url must be an http or https URL' })
  url?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENTS, isArray: true })
  @IsOmittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENTS, { each: true })
  events?: WebhookEvent[];

  @ApiPropertyOptional({ type: String, nullable: true, description: 'null: every project' })
  @IsOptional()
  @IsKey()
  projectKey?: string | null;

  @ApiPropertyOptional({ description: 'true re-enables a disabled subscription (and clears its failure count); its pending deliveries resume' })
  @IsOmittable()
  @IsBoolean()
  enabled?: boolean;
}

export class DeliveriesQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'delivered', 'failed'] })
  @IsOptional()
  @IsIn(['pending', 'delivered', 'failed'])
  status?: DeliveryStatus;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class WebhookResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() url: string;
  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true }) events: string[];
  @ApiProperty({ nullable: true, type: String }) projectKey: string | null;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ nullable: true, type: String }) disabledReason: string | null;
  @ApiProperty() consecutiveFailures: number;
  @ApiProperty({ description: 'First characters of the signing secret' }) secretPrefix: string;
  @ApiProperty() createdBy: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class IssuedWebhookResponse {
  @ApiProperty({ type: WebhookResponse }) webhook: WebhookResponse;
  @ApiProperty({ description: 'HMAC-SHA256 signing secret: shown this once' }) secret: string;
}

export class DeliveryAttemptResponse implements DeliveryAttempt {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ nullable: true, type: Number }) statusCode: number | null;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty() durationMs: number;
}

export class WebhookDeliveryResponse {
  @ApiProperty({ format: 'uuid', description: 'Also the X-Signalbox-Delivery header: receivers dedupe on it' }) id: string;
  @ApiProperty({ description: "One of the subscription's events, or webhook.test" }) event: string;
  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] }) status: DeliveryStatus;
  @ApiProperty() attempts: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) nextAttemptAt: string | null;
  @ApiProperty({ nullable: true, type: Number }) lastStatusCode: number | null;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ type: [DeliveryAttemptResponse] }) attemptLog: DeliveryAttemptResponse[];
  @ApiProperty({ type: 'object', additionalProperties: true }) payload: object;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) deliveredAt: string | null;
}
