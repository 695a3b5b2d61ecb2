import { Injectable } from '@nestjs/common';
import { validationFailed } from '../common/errors/domain-error.js';
import { FlagsService } from '../flags/flags.service.js';
import { ProjectsService } from '../projects/projects.service.js';
import type { MetricStats } from '../telemetry/metric-stats.js';
import { TelemetryService } from '../telemetry/telemetry.service.js';
import type { ShadowReportResponse, ShadowSideResponse } from './dto/shadow-report.dto.js';
import { judgeShadow } from './shadow-report.js';

const DAY_MS = 24 * 3_600_000;
const METRICS = { agreement: 'shadow.agreement', primary: 'shadow.primary_ms', candidate: 'shadow.candidate_ms' } as const;

/** The shadow report: how a candidate run beside the primary (flags.shadow) compares, from SDK telemetry. */
@Injectable()
export class ShadowReportsService {
  constructor(
    private readonly projects: ProjectsService,
    private readonly flags: FlagsService,
    private readonly telemetry: TelemetryService,
  ) {}

  async report(
    projectKey: string,
    flagKey: string,
    environmentKey: string,
    query: { from?: Date; to?: Date; variant?: string; sampleLimit?: number },
  ): Promise<ShadowReportResponse> {
    const project = await this.projects.project(projectKey);
    const environment = await this.projects.environment(project, environmentKey);
    const flag = await this.flags.get(projectKey, flagKey);
    if (query.variant !== undefined && !flag.variants.some((v) => v.key === query.variant))
      throw validationFailed([{ field: 'variant', reason: `variant '${query.variant}' does not exist in flag '${flagKey}'` }]);
    const to = query.to ?? new Date();
    const from = query.from ?? new Date(to.getTime() - DAY_MS);
    const notes: string[] = [];
    const totals = async (metric: string): Promise<MetricStats[]> =>
      (await this.telemetry.variantTotals(environment.id, flagKey, metric, from, to))
        .filter((t) => query.variant === undefined || t.variant === query.variant)
        .map((t) => t.stats);
    const [agreement, primary, candidate] = await Promise.all([totals(METRICS.agreement), totals(METRICS.primary), totals(METRICS.candidate)]);
    if (primary.length > 1 || candidate.length > 1)
      notes.push('Shadow runs were recorded under several variants: percentiles are the highest of them; pass `variant` for exact figures.');
    const side = (parts: MetricStats[]): ShadowSideResponse => {
      const count = parts.reduce((a, p) => a + p.count, 0);
      const errors = parts.reduce((a, p) => a + p.errors, 0);
      const max = (pick: (p: MetricStats) => number | null) =>
        parts.reduce<number | null>((m, p) => (pick(p) === null ? m : Math.max(m ?? -Infinity, pick(p)!)), null);
      return { count, errors, errorRate: count > 0 ? errors / count : null, p50: max((p) => p.p50), p95: max((p) => p.p95) };
    };
    const primarySide = side(primary);
    const candidateSide = side(candidate);
    const comparisons = agreement.reduce((a, p) => a + p.count, 0);
    const agreed = agreement.reduce((a, p) => a + p.sum, 0);
    const agreementRate = comparisons > 0 ? agreed / comparisons : null;
    const verdict = judgeShadow({
      samples: candidateSide.count,
      comparisons,
      agreementRate,
      primaryErrorRate: primarySide.errorRate,
      candidateErrorRate: candidateSide.errorRate,
      primaryP95: primarySide.p95,
      candidateP95: candidateSide.p95,
    });
    const limit = query.sampleLimit ?? 10;
    const examples =
      limit === 0
        ? []
        : (await this.telemetry.samples(environment.id, flagKey, 50))
            .filter(
              (s) => (s.kind === 'shadow.disagreement' || s.kind === 'shadow.candidate_error') && (query.variant === undefined || s.variant === query.variant),
            )
            .filter((s) => Date.parse(s.at) >= from.getTime() && Date.parse(s.at) < to.getTime())
            .slice(0, limit)
            .map(({ kind, variant, at, input, primary: p, candidate: c, error }) => ({ kind, variant, at, input, primary: p, candidate: c, error }));
    return {
      flag: flagKey,
      environment: environmentKey,
      variant: query.variant ?? null,
      from: from.toISOString(),
      to: to.toISOString(),
      samples: candidateSide.count,
      comparisons,
      agreementRate,
      primary: primarySide,
      candidate: candidateSide,
      examples,
      ...verdict,
      notes,
    };
  }
}
