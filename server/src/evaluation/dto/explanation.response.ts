import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type {
  Clause,
  DecisionStep,
  ErrorCode,
  EvaluationResult,
  Explanation,
  FlagValue,
  PrerequisiteExplanation,
  Reason,
  RolloutExplanation,
  RuleExplanation,
  SegmentExplanation,
} from '@signalbox/sdk/core';
import { ApiJsonValue } from '../../common/openapi/api-json-value.decorator.js';
import { everyMember } from '../../common/openapi/every-member.js';
import { ApiClauseModels, ApiClauseProperty } from '../../targeting/clause.response.js';

export const REASONS = everyMember<Reason>()(['STATIC', 'TARGETING_MATCH', 'SPLIT', 'DEFAULT', 'DISABLED', 'ERROR', 'KILLED', 'PREREQUISITE_FAILED']);
export const ERROR_CODES = everyMember<ErrorCode>()(['FLAG_NOT_FOUND', 'TYPE_MISMATCH', 'TARGETING_KEY_MISSING', 'PARSE_ERROR', 'GENERAL']);
const DECISION_STEPS = everyMember<DecisionStep>()([
  'FLAG_NOT_FOUND',
  'INVALID_CONFIG',
  'TYPE_MISMATCH',
  'KILLED',
  'DISABLED',
  'PREREQUISITES',
  'TARGETS',
  'RULE',
  'DEFAULT_RULE',
  'UNEXPECTED_ERROR',
]);

/** The outcome of one evaluation; `variant` is absent when the caller's default was served. */
export class EvaluationResultResponse implements EvaluationResult {
  @ApiJsonValue({ nullable: true, description: "The variant's value, or the default" }) value: FlagValue;
  @ApiPropertyOptional() variant?: string;
  @ApiProperty({ enum: REASONS }) reason: Reason;
  @ApiPropertyOptional({ description: 'The matching rule, for TARGETING_MATCH by a rule' }) ruleIndex?: number;
  @ApiPropertyOptional({ enum: ERROR_CODES }) errorCode?: ErrorCode;
  @ApiPropertyOptional() errorMessage?: string;
}

export class PrerequisiteExplanationResponse implements PrerequisiteExplanation {
  @ApiProperty() flag: string;
  @ApiProperty() requiredVariant: string;
  @ApiProperty() passed: boolean;
  @ApiPropertyOptional({ description: 'What the prerequisite flag served; absent when it does not exist or the chain is cyclic or too deep' })
  servedVariant?: string;
  @ApiPropertyOptional({ enum: REASONS }) servedReason?: Reason;
}

export class SegmentExplanationResponse implements SegmentExplanation {
  @ApiProperty() segment: string;
  @ApiProperty() member: boolean;
  @ApiProperty({ enum: ['included', 'excluded', 'rule', 'no-rule-matched'] }) by: SegmentExplanation['by'];
  @ApiPropertyOptional() ruleIndex?: number;
}

/** The first clause of a rule that did not match (clauses are ANDed; later ones were not checked). */
@ApiClauseModels()
export class FailedClauseResponse {
  @ApiProperty() index: number;
  @ApiClauseProperty() clause: Clause;
  @ApiJsonValue({ required: false, description: 'The attribute value seen in the context (absent when missing; not set for segment clauses)' })
  attributeValue?: unknown;
  @ApiPropertyOptional({ type: [SegmentExplanationResponse] }) segments?: SegmentExplanationResponse[];
}

export class RuleExplanationResponse implements RuleExplanation {
  @ApiProperty() index: number;
  @ApiPropertyOptional() id?: string;
  @ApiPropertyOptional() description?: string;
  @ApiProperty() matched: boolean;
  @ApiPropertyOptional({ type: FailedClauseResponse }) failedClause?: FailedClauseResponse;
}

export class RolloutExplanationResponse implements RolloutExplanation {
  @ApiProperty({ description: 'The context attribute bucketed by' }) bucketBy: string;
  @ApiPropertyOptional({ description: 'The hashed unit value; absent when the context has no usable value' }) unit?: string;
  @ApiPropertyOptional({ minimum: 0, maximum: 99999 }) bucket?: number;
  @ApiProperty({ type: [Number], description: 'Cumulative weights in listed order: the first above `bucket` served' }) cumulativeWeights: number[];
}

/** Which step decided an evaluation, why earlier steps did not, and the config sequence it ran on. */
export class ExplanationResponse implements Explanation {
  @ApiProperty() flagKey: string;
  @ApiProperty({ type: EvaluationResultResponse }) result: EvaluationResultResponse;
  @ApiProperty({ enum: DECISION_STEPS }) decidedBy: DecisionStep;
  @ApiPropertyOptional({ description: 'The deciding rule, when decidedBy is RULE' }) ruleIndex?: number;
  @ApiProperty({ type: [PrerequisiteExplanationResponse] }) prerequisites: PrerequisiteExplanationResponse[];
  @ApiPropertyOptional({ description: 'Whether the targetingKey is individually targeted; absent when the targets step was not reached or is empty' })
  targetMatched?: boolean;
  @ApiProperty({ type: [RuleExplanationResponse] }) rules: RuleExplanationResponse[];
  @ApiPropertyOptional({ type: RolloutExplanationResponse }) rollout?: RolloutExplanationResponse;
  @ApiProperty({ description: "The change-log sequence of the environment's config the explanation ran on" }) sequence: number;
}
