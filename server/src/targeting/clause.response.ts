import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { ATTRIBUTE_OPERATORS, type AttributeClause, type AttributeOperator, type ClauseValue, type SegmentClause } from '@signalbox/sdk/core';

/** `attribute op values`, as stored and served (the SDK's AttributeClause). */
export class AttributeClauseResponse implements AttributeClause {
  @ApiProperty() attribute: string;
  @ApiProperty({ enum: ATTRIBUTE_OPERATORS }) op: AttributeOperator;
  @ApiProperty({ type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] } }) values: ClauseValue[];
  @ApiPropertyOptional() negate?: boolean;
}

/** Membership of any of the named segments (the SDK's SegmentClause). */
export class SegmentClauseResponse implements SegmentClause {
  @ApiProperty({ enum: ['segment'] }) op: 'segment';
  @ApiProperty({ type: [String] }) segments: string[];
  @ApiPropertyOptional() negate?: boolean;
}

/**
 * Where a response holds the SDK's `Clause`: one of the two, told apart by `op`. Type the property
 * as `Clause`: a union of these classes would be reflected as `Function` and documented as one.
 */
export const ApiClauseProperty = (options: { description?: string } = {}) =>
  ApiProperty({ ...options, oneOf: [{ $ref: getSchemaPath(AttributeClauseResponse) }, { $ref: getSchemaPath(SegmentClauseResponse) }] });

/** Put on a response class with an ApiClauseProperty, so both clause schemas reach the document. */
export const ApiClauseModels = () => ApiExtraModels(AttributeClauseResponse, SegmentClauseResponse);
