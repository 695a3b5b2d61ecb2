import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ErrorCode, FlagKind, FlagValue, Reason } from '@signalbox/sdk/core';
import { ApiJsonValue } from '../../common/openapi/api-json-value.decorator.js';
import { FLAG_KINDS } from '../../flags/dto/flag.dto.js';
import { ERROR_CODES, REASONS } from './explanation.response.js';

/** The rule that decided, so a reader need not count rules to find it. */
export class DecidingRuleResponse {
  @ApiProperty({ description: 'Position in the flag’s rules, from 0' }) index: number;
  @ApiPropertyOptional() id?: string;
  @ApiPropertyOptional() description?: string;
}

/** What one flag serves the context. */
export class FlagEvaluationResponse {
  @ApiProperty() flagKey: string;
  @ApiProperty({ enum: FLAG_KINDS }) kind: FlagKind;
  @ApiJsonValue({ nullable: true, description: "The variant's value; null where the caller's default would be served" }) value: FlagValue;
  @ApiPropertyOptional({ description: "Absent when the caller's default would be served" }) variant?: string;
  @ApiProperty({ enum: REASONS }) reason: Reason;
  @ApiProperty({ type: DecidingRuleResponse, nullable: true, description: 'The rule that decided (TARGETING_MATCH or SPLIT by a rule); else null' })
  rule: DecidingRuleResponse | null;
  @ApiPropertyOptional({ enum: ERROR_CODES }) errorCode?: ErrorCode;
  @ApiProperty({ description: 'Version of the config that was evaluated' }) version: number;
}

/** Every active flag of an environment, evaluated for one context on the server's current snapshot. */
export class EnvironmentEvaluationResponse {
  @ApiProperty({ description: 'Environment key' }) environment: string;
  @ApiProperty({ description: 'Change-log sequence of the snapshot evaluated' }) sequence: number;
  @ApiProperty({ type: [FlagEvaluationResponse], description: 'By flag key' }) flags: FlagEvaluationResponse[];
}
