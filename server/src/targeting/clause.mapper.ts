import type { Clause } from '@signalbox/sdk/core';
import type { ClauseDto } from './clause.dto.js';

/** A validated request clause in the evaluation core's shape, with no undefined fields stored. */
export const toClause = (dto: ClauseDto): Clause => {
  const negate = dto.negate ? { negate: true } : {};
  if (dto.op === 'segment') return { op: 'segment', segments: dto.segments ?? [], ...negate };
  return { attribute: dto.attribute ?? '', op: dto.op, values: dto.values ?? [], ...negate };
};
