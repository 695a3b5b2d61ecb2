import { Injectable } from '@nestjs/common';
import { FlagsService } from '../flags/flags.service.js';
import { ProjectsService } from '../projects/projects.service.js';
import { TelemetryService } from '../telemetry/telemetry.service.js';
import type { StaleFlagsReportResponse } from './dto/stale-flags.dto.js';
import { DEFAULT_SINGLE_VARIANT_HOURS, DEFAULT_UNUSED_DAYS, staleReasons } from './stale-flags.js';

@Injectable()
export class LifecycleService {
  constructor(
    private readonly flags: FlagsService,
    private readonly projects: ProjectsService,
    private readonly telemetry: TelemetryService,
  ) {}

  /** Active flags that look finished: expired, serving one variant to everyone for a while, or evaluated by no SDK for days. */
  async staleReport(projectKey: string, options: { singleVariantHours?: number; unusedDays?: number; now?: Date } = {}): Promise<StaleFlagsReportResponse> {
    const now = options.now ?? new Date();
    const singleVariantHours = options.singleVariantHours ?? DEFAULT_SINGLE_VARIANT_HOURS;
    const unusedDays = options.unusedDays ?? DEFAULT_UNUSED_DAYS;
    const flags = await this.flags.list(projectKey, { archived: 'active' });
    const project = await this.projects.project(projectKey);
    const environments = await this.projects.environments(project.id);
    const evaluated = await this.telemetry.lastEvaluated(environments.map((e) => e.id));
    const newest = (flagKey: string): Date | null => {
      const dates = [...(evaluated.get(flagKey)?.values() ?? [])];
      return dates.length === 0 ? null : new Date(Math.max(...dates.map((d) => d.getTime())));
    };
    return {
      generatedAt: now.toISOString(),
      singleVariantHours,
      unusedDays,
      notEvaluated: [],
      flags: flags.flatMap((flag) => {
        const reasons = staleReasons(flag, { now, singleVariantHours, unusedDays, lastEvaluatedAt: newest(flag.key) });
        if (reasons.length === 0) return [];
        return [{ key: flag.key, name: flag.name, owner: flag.owner, tags: flag.tags, lifecycle: flag.lifecycle, expiresAt: flag.expiresAt, reasons }];
      }),
    };
  }
}
