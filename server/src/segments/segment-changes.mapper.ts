import { toClause } from '../targeting/clause.mapper.js';
import type { CreateSegmentDto, SegmentRuleDto, UpdateSegmentDto } from './dto/segment.dto.js';
import type { NewSegment, SegmentChange, SegmentRuleInput } from './segment-changes.js';

// Request DTOs → the domain, at the HTTP edge: SegmentsService never sees a DTO class.

const toRule = (dto: SegmentRuleDto): SegmentRuleInput => ({ clauses: dto.clauses.map(toClause) });

export const toNewSegment = (dto: CreateSegmentDto): NewSegment => ({
  key: dto.key,
  name: dto.name,
  description: dto.description,
  included: dto.included,
  excluded: dto.excluded,
  rules: dto.rules?.map(toRule),
  reason: dto.reason,
});

/** PATCH: absent stays absent (unchanged); `version` is what the change is based on. */
export const toSegmentChange = (dto: UpdateSegmentDto): SegmentChange => ({
  basedOnVersion: dto.version,
  name: dto.name,
  description: dto.description,
  included: dto.included,
  excluded: dto.excluded,
  rules: dto.rules?.map(toRule),
  reason: dto.reason,
});
