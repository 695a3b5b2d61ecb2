import { Injectable } from '@nestjs/common';
import type { Rule } from '@signalbox/sdk/core';
import { FlagsRepository } from './flags.repository.js';

const usesSegment = (rules: readonly Rule[], segmentKey: string): boolean =>
  rules.some((rule) => rule.clauses.some((clause) => clause.op === 'segment' && clause.segments.includes(segmentKey)));

/**
 * Which flags use a segment: read from the flags' configs, which this domain owns, for the segments
 * domain, which refuses to delete a segment in use. A constructor dependency of SegmentsService, so
 * a missing wiring stops the server at start instead of answering "no flag uses it".
 */
@Injectable()
export class SegmentUsageReadModel {
  constructor(private readonly repository: FlagsRepository) {}

  /** Keys of the flags, archived ones too, whose rules in any environment refer to the segment. */
  async flagsUsing(projectId: string, segmentKey: string): Promise<string[]> {
    const flags = await this.repository.list(projectId, { archived: 'all' });
    const configs = await this.repository.configsOfFlags(flags.map((f) => f.id));
    const ids = new Set(configs.filter((c) => usesSegment(c.rules, segmentKey)).map((c) => c.flagId));
    return flags.filter((f) => ids.has(f.id)).map((f) => f.key);
  }

  /** Ids of the environments where some flag's (unarchived) config refers to the segment: a change to it changes what they serve. */
  async environmentsUsing(projectId: string, segmentKey: string): Promise<Set<string>> {
    const flags = await this.repository.list(projectId, { archived: 'active' });
    const configs = await this.repository.configsOfFlags(flags.map((f) => f.id));
    return new Set(configs.filter((c) => usesSegment(c.rules, segmentKey)).map((c) => c.environmentId));
  }
}
