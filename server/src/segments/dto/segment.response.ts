import { ApiProperty } from '@nestjs/swagger';
import type { Segment, SegmentRule } from '@signalbox/sdk/core';
import { AttributeClauseResponse } from '../../targeting/clause.response.js';

export class SegmentRuleResponse implements SegmentRule {
  @ApiProperty({ type: [AttributeClauseResponse], description: 'ANDed' }) clauses: AttributeClauseResponse[];
}

/** A segment as the SDK evaluates it, plus what the console shows and edits. */
export class SegmentResponse implements Segment {
  @ApiProperty() key: string;
  @ApiProperty({ type: [String], description: 'targetingKeys always in' }) included: string[];
  @ApiProperty({ type: [String], description: 'targetingKeys always out (unless included)' }) excluded: string[];
  @ApiProperty({ type: [SegmentRuleResponse], description: 'A context matching any rule is in' }) rules: SegmentRuleResponse[];
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Empty when none was given' }) description: string;
  @ApiProperty({ description: 'Send it back with a PATCH; a stale one gets 409' }) version: number;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}
