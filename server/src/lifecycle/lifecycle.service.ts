import { Injectable } from '@nestjs/common';
import { FlagsService } from '../flags/flags.service.js';
import { ProjectsService } from '../projects/projects.service.js';
import type { StaleFlagsReportResponse } from './dto/stale-flags.dto.js';
import { StaleFlagsReadModel } from './stale-flags.read-model.js';
import { DEFAULT_SINGLE_VARIANT_HOURS, DEFAULT_UNUSED_DAYS } from './stale-flags.js';

@Injectable()
export class LifecycleService {
  constructor(
    private readonly flags: FlagsService,
    private readonly projects: ProjectsService,
    private readonly staleFlags: StaleFlagsReadModel,
  ) {}

  /** Active flags that look finished: expired, serving one variant to everyone for a while, or evaluated by no SDK for days. */
  async staleReport(projectKey: string, options: { singleVariantHours?: number; unusedDays?: number; now?: Date } = {}): Promise<StaleFlagsReportResponse> {
    const now = options.now ?? new Date();
    const singleVariantHours = options.singleVariantHours ?? DEFAULT_SINGLE_VARIANT_HOURS;
    const unusedDays = options.unusedDays ?? DEFAULT_UNUSED_DAYS;
    const [project, flags] = await Promise.all([this.projects.project(projectKey), this.flags.list(projectKey, { archived: 'active' })]);
    const reasonsByFlag = await this.staleFlags.reasons(project.id, flags, { now, singleVariantHours, unusedDays });
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
}
