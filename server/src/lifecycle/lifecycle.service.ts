import { Injectable } from '@nestjs/common';
import { FlagsService } from '../flags/flags.service.js';
import type { StaleFlagsReportResponse } from './dto/stale-flags.dto.js';
import { DEFAULT_SINGLE_VARIANT_HOURS, staleReasons } from './stale-flags.js';

@Injectable()
export class LifecycleService {
  constructor(private readonly flags: FlagsService) {}

  /** Active flags that look finished: expired, or serving one variant to everyone for a while. */
  async staleReport(projectKey: string, options: { singleVariantHours?: number; now?: Date } = {}): Promise<StaleFlagsReportResponse> {
    const now = options.now ?? new Date();
    const singleVariantHours = options.singleVariantHours ?? DEFAULT_SINGLE_VARIANT_HOURS;
    const flags = await this.flags.list(projectKey, { archived: 'active' });
    return {
      generatedAt: now.toISOString(),
      singleVariantHours,
      // TODO(issue 6): add UNUSED (no SDK evaluation for 7 days) once evaluation counts are stored.
      notEvaluated: ['UNUSED: no SDK evaluation for 7 days (needs the evaluation counts of issue 6)'],
      flags: flags.flatMap((flag) => {
        const reasons = staleReasons(flag, { now, singleVariantHours });
        if (reasons.length === 0) return [];
        return [{ key: flag.key, name: flag.name, owner: flag.owner, tags: flag.tags, lifecycle: flag.lifecycle, expiresAt: flag.expiresAt, reasons }];
      }),
    };
  }
}
