import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import type { Clause, FlagKind, FlagValue, Prerequisite, Rollout, Rule, Serve, Target, Variant, WeightedVariant } from '@signalbox/sdk/core';
import { ApiJsonValue } from '../../common/openapi/api-json-value.decorator.js';
import { ApiClauseModels, ApiClauseProperty } from '../../targeting/clause.response.js';
import type { KillRecord } from '../flag-config.entity.js';
import { FLAG_KINDS, LIFECYCLES } from './flag.dto.js';

// What the flag routes answer. Each class implements the evaluation core's type where there is one,
// so the document cannot say other than what is stored and sent to SDKs.

export class VariantResponse implements Variant {
  @ApiProperty() key: string;
  @ApiJsonValue({ description: "Of the flag's kind", nullable: true }) value: FlagValue;
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional() description?: string;
}

export class WeightedVariantResponse implements WeightedVariant {
  @ApiProperty() variant: string;
  @ApiProperty({ description: 'Thousandths of a percent: 100000 = 100%' }) weight: number;
}

export class RolloutResponse implements Rollout {
  @ApiPropertyOptional({ description: 'Attribute to bucket by; absent: targetingKey' }) bucketBy?: string;
  @ApiProperty({ type: [WeightedVariantResponse], description: 'Weights sum to 100000' }) variants: WeightedVariantResponse[];
}

export class VariantServeResponse {
  @ApiProperty() variant: string;
}

export class RolloutServeResponse {
  @ApiProperty({ type: RolloutResponse }) rollout: RolloutResponse;
}

/** Where a response holds the core's `Serve`: one variant, or a weighted rollout. */
const ApiServeProperty = (options: { description?: string; nullable?: boolean } = {}) =>
  ApiProperty({ ...options, oneOf: [{ $ref: getSchemaPath(VariantServeResponse) }, { $ref: getSchemaPath(RolloutServeResponse) }] });

@ApiClauseModels()
@ApiExtraModels(VariantServeResponse, RolloutServeResponse)
export class RuleResponse implements Rule {
  @ApiPropertyOptional() id?: string;
  @ApiPropertyOptional() description?: string;
  @ApiClauseProperty({ description: 'ANDed' }) @ApiProperty({ isArray: true }) clauses: Clause[];
  @ApiServeProperty() serve: Serve;
}

export class TargetResponse implements Target {
  @ApiProperty() variant: string;
  @ApiProperty({ type: [String], description: 'targetingKey values that get this variant' }) values: string[];
}

export class PrerequisiteResponse implements Prerequisite {
  @ApiProperty({ description: 'Key of a flag in the same project' }) flag: string;
  @ApiProperty({ description: 'The variant it must serve' }) variant: string;
}

export class KillRecordResponse implements KillRecord {
  @ApiProperty() reason: string;
  @ApiProperty({ description: 'Who killed it (user, token or trigger name)' }) by: string;
  @ApiProperty({ format: 'date-time' }) at: string;
}

/** A flag's config in one environment. */
@ApiExtraModels(VariantServeResponse, RolloutServeResponse)
export class FlagConfigResponse {
  @ApiProperty({ description: 'Environment key' }) environment: string;
  @ApiProperty() on: boolean;
  @ApiProperty({ description: 'Killed: serves the off variant whatever else the config says' }) killed: boolean;
  @ApiProperty({ type: KillRecordResponse, nullable: true }) kill: KillRecordResponse | null;
  @ApiProperty({ type: String, nullable: true, description: "null: serves the caller's default when off" }) offVariant: string | null;
  @ApiProperty({ type: [TargetResponse] }) targets: Target[];
  @ApiProperty({ type: [RuleResponse], description: 'In order; the first matching rule decides' }) rules: Rule[];
  @ApiServeProperty({ nullable: true, description: "For contexts no target or rule picks; null: the caller's default" }) defaultRule: Serve | null;
  @ApiProperty({ type: [PrerequisiteResponse] }) prerequisites: Prerequisite[];
  @ApiProperty({ description: 'Send it back with a PUT or PATCH; 0 until the config is first written' }) version: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null until the config is first written' }) updatedAt: string | null;
}

@ApiExtraModels(FlagConfigResponse)
export class FlagResponse {
  @ApiProperty() key: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Empty when none was given' }) description: string;
  @ApiProperty({ type: String, nullable: true }) owner: string | null;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ enum: FLAG_KINDS }) kind: FlagKind;
  @ApiProperty({ type: [VariantResponse] }) variants: Variant[];
  @ApiProperty({ enum: LIFECYCLES }) lifecycle: (typeof LIFECYCLES)[number];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt: string | null;
  @ApiProperty() archived: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) archivedAt: string | null;
  @ApiProperty({ description: 'Send it back with a PATCH; a stale one gets 409' }) version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(FlagConfigResponse) },
    description: 'The config in each environment, by environment key',
  })
  environments: Record<string, FlagConfigResponse>;
}
