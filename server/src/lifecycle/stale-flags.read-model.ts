import { Injectable } from '@nestjs/common';
import type { FlagView } from '../flags/flag.mapper.js';
import { ProjectsService } from '../projects/projects.service.js';
import { TelemetryService } from '../telemetry/telemetry.service.js';
import { DEFAULT_SINGLE_VARIANT_HOURS, DEFAULT_UNUSED_DAYS, type StaleCriteria, type StaleReason, staleReasons } from './stale-flags.js';

/** The clock and thresholds the rules apply; the evaluation data is the read model's to find. */
export type StaleThresholds = Required<Omit<StaleCriteria, 'lastEvaluatedAt'>>;

/**
 * Which flags are stale, and why: the stale-flag rules (stale-flags.ts) applied with the newest SDK
 * evaluation across a project's environments. The lifecycle report and the flag list's `stale`
 * filter both ask it, so they cannot disagree; it is a constructor dependency of both, so a
 * missing wiring stops the server at start instead of answering wrongly.
 */
@Injectable()
export class StaleFlagsReadModel {
  constructor(
    private readonly projects: ProjectsService,
    private readonly telemetry: TelemetryService,
  ) {}

  /** Why each flag is stale (empty when it is not). */
  async reasons(projectId: string, flags: FlagView[], thresholds: StaleThresholds): Promise<Map<string, StaleReason[]>> {
    const environments = await this.projects.environments(projectId);
    const evaluated = await this.telemetry.lastEvaluated(environments.map((e) => e.id));
    const newest = (flagKey: string): Date | null => {
      const dates = [...(evaluated.get(flagKey)?.values() ?? [])];
      return dates.length === 0 ? null : new Date(Math.max(...dates.map((d) => d.getTime())));
    };
    return new Map(flags.map((flag) => [flag.key, staleReasons(flag, { ...thresholds, lastEvaluatedAt: newest(flag.key) })]));
  }

  /** Keys of the stale flags by every rule of the report, UNUSED included, with the default thresholds. */
  async staleKeys(projectId: string, flags: FlagView[]): Promise<ReadonlySet<string>> {
    const reasons = await this.reasons(projectId, flags, {
      now: new Date(),
      singleVariantHours: DEFAULT_SINGLE_VARIANT_HOURS,
      unusedDays: DEFAULT_UNUSED_DAYS,
    });
    return new Set([...reasons].filter(([, why]) => why.length > 0).map(([key]) => key));
  }
}
