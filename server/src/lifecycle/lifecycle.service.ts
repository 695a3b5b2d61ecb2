import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { FlagView } from '../flags/flag.mapper.js';
import { FlagsService } from '../flags/flags.service.js';
import type { ProjectEntity } from '../projects/project.entity.js';
import { ProjectsService } from '../projects/projects.service.js';
import { TelemetryService } from '../telemetry/telemetry.service.js';
import type { StaleFlagsReportResponse } from './dto/stale-flags.dto.js';
import { DEFAULT_SINGLE_VARIANT_HOURS, DEFAULT_UNUSED_DAYS, type StaleReason, staleReasons } from './stale-flags.js';

interface Criteria {
  now: Date;
  singleVariantHours: number;
  unusedDays: number;
}

@Injectable()
export class LifecycleService implements OnModuleInit {
  constructor(
    private readonly flags: FlagsService,
    private readonly projects: ProjectsService,
    private readonly telemetry: TelemetryService,
  ) {}

  onModuleInit(): void {
    // The flag list's ?stale filter applies every rule of the report, UNUSED included, with the default thresholds.
    this.flags.registerStaleJudge(async (project, flags) => {
      const reasons = await this.reasons(project, flags, { now: new Date(), singleVariantHours: DEFAULT_SINGLE_VARIANT_HOURS, unusedDays: DEFAULT_UNUSED_DAYS });
      return new Set([...reasons].filter(([, why]) => why.length > 0).map(([key]) => key));
    });
  }

  /** Active flags that look finished: expired, serving one variant to everyone for a while, or evaluated by no SDK for days. */
  async staleReport(projectKey: string, options: { singleVariantHours?: number; unusedDays?: number; now?: Date } = {}): Promise<StaleFlagsReportResponse> {
    const now = options.now ?? new Date();
    const singleVariantHours = options.singleVariantHours ?? DEFAULT_SINGLE_VARIANT_HOURS;
    const unusedDays = options.unusedDays ?? DEFAULT_UNUSED_DAYS;
    const [project, flags] = await Promise.all([this.projects.project(projectKey), this.flags.list(projectKey, { archived: 'active' })]);
    const reasonsByFlag = await this.reasons(project, flags, { now, singleVariantHours, unusedDays });
    return {
      generatedAt: now.toISOString(),
      singleVariantHours,
      unusedDays,
      notEvaluated: [],
      flags: flags.flatMap((flag) => {
        const reasons = reasonsByFlag.get(flag.key) ?? [];
        if (reasons.length === 0) return [];
        return [{ key: flag.key, name: flag.name, owner: flag.owner, tags: flag.tags, lifecycle: flag.lifecycle, expiresAt: flag.expiresAt, reasons }];
      }),
    };
  }

  /** Why each flag is stale (empty when it is not), with the newest SDK evaluation across the project's environments. */
  private async reasons(project: ProjectEntity, flags: FlagView[], criteria: Criteria): Promise<Map<string, StaleReason[]>> {
    const environments = await this.projects.environments(project.id);
    const evaluated = await this.telemetry.lastEvaluated(environments.map((e) => e.id));
    const newest = (flagKey: string): Date | null => {
      const dates = [...(evaluated.get(flagKey)?.values() ?? [])];
      return dates.length === 0 ? null : new Date(Math.max(...dates.map((d) => d.getTime())));
    };
    return new Map(flags.map((flag) => [flag.key, staleReasons(flag, { ...criteria, lastEvaluatedAt: newest(flag.key) })]));
  }
}
