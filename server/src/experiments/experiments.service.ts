import { Injectable, type OnModuleInit } from '@nestjs/common';
import { In } from 'typeorm';
import type { Serve } from '@signalbox/sdk/core';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/principal.js';

/** Who concludes experiments on their own (maximum duration, auto-rollback). */
export const EXPERIMENT_SCHEDULER_ACTOR: Actor = { type: 'system', id: null, name: 'experiment-scheduler' };
import { conflict, type FieldProblem, notFound, validationFailed } from '../common/errors/domain-error.js';
import { DomainEvents } from '../common/events/domain-events.js';
import { Database } from '../database/database.service.js';
import { serveByDefault } from '../flags/flag-config-change.js';
import { FlagsService } from '../flags/flags.service.js';
import { ProjectsService } from '../projects/projects.service.js';
import { RolloutPlanEntity } from '../rollouts/rollout-plan.entity.js';
import { ACTIVE_STATUSES } from '../rollouts/rollouts.repository.js';
import { TelemetryService } from '../telemetry/telemetry.service.js';
import type {
  CreateExperimentDto,
  ExperimentRecommendationResponse,
  ExperimentResponse,
  ExperimentResultsResponse,
  ListExperimentsQueryDto,
  UpdateExperimentDto,
} from './dto/experiment.dto.js';
import { cupedPairName, PAIR_PARTS, pairSeriesName, ratioPairName, segmentPrefix } from '@signalbox/sdk/telemetry';
import { analyse, formatSplit, type PairedTotals } from './experiment-analysis.js';
import { analyseSegments, type SegmentAnalysis } from './segment-analysis.js';
import type { PairedAggregate } from './paired-statistics.js';
import { requiredSampleSize, type VariantAggregate } from './experiment-statistics.js';
import type { ExperimentEntity, ExperimentMetric } from './experiment.entity.js';
import { ExperimentsRepository } from './experiments.repository.js';

const MAX_WINDOW_MS = 31 * 24 * 3_600_000;

/** The name an experiment's attributed metrics are kept under. */
const scopeOf = (experiment: Pick<ExperimentEntity, 'id'>): string => `experiment:${experiment.id}`;

/** Metric names a segment breakdown is looked for among, at most (the catalogue is read a page at a time). */
const MAX_CATALOGUE_PAGES = 10;

interface SizeSettings {
  type: 'rate' | 'mean' | 'ratio';
  alpha: number;
  power: number;
  mde: number;
  baselineRate: number | null;
  assumedStdDev: number | null;
}

/** Why the settings give no sample size, when the baseline they assume is known already. */
const settingsProblem = ({ type, alpha, power, mde, baselineRate, assumedStdDev }: SizeSettings): string | null => {
  if (type === 'rate' && mde >= 1) return 'for a rate it is a difference of proportions, below 1 (0.02 = two points)';
  if (type === 'rate' && baselineRate !== null) return requiredSampleSize({ type: 'rate', baselineRate, mde, alpha, power }).problem ?? null;
  if (type !== 'rate' && assumedStdDev !== null) return requiredSampleSize({ type: 'mean', stdDev: assumedStdDev, mde, alpha, power }).problem ?? null;
  return null;
};

type MetricInput = { name: string; type: 'rate' | 'mean' | 'ratio'; better?: 'increase' | 'decrease'; numerator?: string; denominator?: string };

const metric = (m: MetricInput): ExperimentMetric => ({
  name: m.name,
  type: m.type,
  better: m.better ?? 'increase',
  ...(m.type === 'ratio' ? { numerator: m.numerator, denominator: m.denominator } : {}),
});

/** What the metric settings get wrong, field by field: a ratio needs both names, and CUPED and segments need a rate or mean. */
const metricProblems = (input: {
  primaryMetric: MetricInput;
  guardrailMetrics?: MetricInput[];
  cuped?: boolean;
  segmentBy?: string | null;
}): FieldProblem[] => {
  const problems: FieldProblem[] = [];
  const p = input.primaryMetric;
  if (p.type === 'ratio') {
    for (const part of ['numerator', 'denominator'] as const)
      if (!p[part]) problems.push({ field: `primaryMetric.${part}`, reason: `a ratio metric needs the metric name of its ${part}` });
    if (p.numerator && p.denominator && pairSeriesName(ratioPairName(p.numerator, p.denominator), 'xy').length > 128)
      problems.push({
        field: 'primaryMetric.denominator',
        reason: 'the numerator and denominator names together must stay within 114 characters (the series name the SDK sends)',
      });
    if (input.cuped) problems.push({ field: 'cuped', reason: 'CUPED adjusts a rate or a mean; a ratio metric has no covariate' });
    if (input.segmentBy) problems.push({ field: 'segmentBy', reason: 'results by segment are available for a rate or a mean primary metric, not a ratio' });
  } else
    for (const part of ['numerator', 'denominator'] as const)
      if (p[part] !== undefined) problems.push({ field: `primaryMetric.${part}`, reason: "is only for type 'ratio'" });
  (input.guardrailMetrics ?? []).forEach((g, i) => {
    if (g.type === 'ratio')
      problems.push({ field: `guardrailMetrics[${i}].type`, reason: "a guardrail is a 'rate' or a 'mean'; ratio metrics can be the primary metric" });
    for (const part of ['numerator', 'denominator'] as const)
      if (g[part] !== undefined) problems.push({ field: `guardrailMetrics[${i}].${part}`, reason: "is only for type 'ratio'" });
  });
  return problems;
};

/** The traffic shares a served value promises per variant (a single variant gets everything). */
export const sharesOf = (serve: Serve | null): Record<string, number> => {
  if (serve === null) return {};
  if ('variant' in serve) return { [serve.variant]: 1 };
  return Object.fromEntries(serve.rollout.variants.map((v) => [v.variant, v.weight]));
};

/** Experiments: settings, results from telemetry, and the decision (promote or roll back). */
@Injectable()
export class ExperimentsService implements OnModuleInit {
  constructor(
    private readonly repository: ExperimentsRepository,
    private readonly projects: ProjectsService,
    private readonly flags: FlagsService,
    private readonly telemetry: TelemetryService,
    private readonly audit: AuditService,
    private readonly db: Database,
    private readonly events: DomainEvents,
  ) {}

  onModuleInit(): void {
    // Metrics count for an experiment only from batches that began after it started.
    this.telemetry.addScopeProvider(async (environmentId, flagKeys) =>
      (await this.repository.runningAttributed(environmentId, flagKeys)).map((e) => ({ id: scopeOf(e), flagKey: e.flagKey, since: e.startedAt })),
    );
  }

  async list(projectKey: string, query: ListExperimentsQueryDto): Promise<ExperimentResponse[]> {
    const project = await this.projects.project(projectKey);
    const environment = query.environment ? await this.projects.environment(project, query.environment) : undefined;
    const experiments = await this.repository.list(project.id, { flagKey: query.flag, environmentId: environment?.id, status: query.status });
    const keys = await this.environmentKeys(project.id);
    return experiments.map((e) => this.view(e, keys.get(e.environmentId) ?? ''));
  }

  async get(projectKey: string, key: string): Promise<ExperimentResponse> {
    const { experiment, environmentKey } = await this.load(projectKey, key);
    return this.view(experiment, environmentKey);
  }

  async create(actor: Actor, projectKey: string, input: CreateExperimentDto): Promise<ExperimentResponse> {
    const project = await this.projects.project(projectKey);
    const environment = await this.projects.environment(project, input.environment);
    const flag = await this.flags.get(projectKey, input.flag);
    const variantKeys = new Set(flag.variants.map((v) => v.key));
    const problems: FieldProblem[] = [];
    if (!variantKeys.has(input.controlVariant))
      problems.push({ field: 'controlVariant', reason: `variant '${input.controlVariant}' does not exist in flag '${input.flag}'` });
    input.treatmentVariants.forEach((v, i) => {
      if (!variantKeys.has(v)) problems.push({ field: `treatmentVariants[${i}]`, reason: `variant '${v}' does not exist in flag '${input.flag}'` });
      else if (v === input.controlVariant) problems.push({ field: `treatmentVariants[${i}]`, reason: 'must differ from controlVariant' });
      else if (input.treatmentVariants.indexOf(v) !== i) problems.push({ field: `treatmentVariants[${i}]`, reason: 'is listed twice' });
    });
    const sizeProblem = settingsProblem({
      type: input.primaryMetric.type,
      // The level each treatment is tested at, as the analysis sizes it.
      alpha: (input.alpha ?? 0.05) / Math.max(1, input.treatmentVariants?.length ?? 1),
      power: input.power ?? 0.8,
      mde: input.minimumDetectableEffect,
      baselineRate: input.baselineRate ?? null,
      assumedStdDev: input.assumedStdDev ?? null,
    });
    if (sizeProblem !== null) problems.push({ field: 'minimumDetectableEffect', reason: sizeProblem });
    problems.push(...metricProblems(input));
    if (problems.length > 0) throw validationFailed(problems);

    const saved = await this.db.transaction(async () => {
      await this.repository.lockFlag(environment.id, input.flag);
      if (await this.repository.find(project.id, input.key)) throw conflict(`An experiment with key '${input.key}' already exists in ${projectKey}`);
      const running = await this.repository.findRunning(environment.id, input.flag);
      // One running experiment per flag and environment, as in GrowthBook and LaunchDarkly: two would
      // split the same users, and each would count the other's effect as its own.
      if (running)
        throw conflict(
          `Experiment '${running.key}' already runs on flag '${input.flag}' in ${input.environment}: one experiment runs per flag and environment ` +
            'at a time, because two would split the same users and each would count the other’s effect. To compare groups of users, read ' +
            `'${running.key}' by segment (segmentBy, and the results page's breakdown) instead; to test another change, stop or decide ` +
            `'${running.key}' first, or run it in another environment.`,
          {
            experiment: running.key,
            segmentBy: running.segmentBy,
            results: `/api/v1/projects/${projectKey}/experiments/${running.key}/results`,
          },
        );
      // A rollout plan moves the same default rule the experiment measures: one at a time.
      const plan = await this.db
        .manager()
        .getRepository(RolloutPlanEntity)
        .findOneBy({ environmentId: environment.id, flagKey: input.flag, status: In(ACTIVE_STATUSES) });
      if (plan)
        throw conflict(
          `Rollout plan ${plan.id} is ${plan.status} on flag '${input.flag}' in ${input.environment}: an experiment would measure a split the plan keeps changing. Finish or abort the plan first`,
          { plan: plan.id },
        );
      const experiment = await this.repository.save({
        projectId: project.id,
        environmentId: environment.id,
        flagKey: input.flag,
        key: input.key,
        name: input.name ?? input.key,
        controlVariant: input.controlVariant,
        treatmentVariants: input.treatmentVariants,
        primaryMetric: metric(input.primaryMetric),
        guardrailMetrics: (input.guardrailMetrics ?? []).map(metric),
        alpha: input.alpha ?? 0.05,
        power: input.power ?? 0.8,
        minimumDetectableEffect: input.minimumDetectableEffect,
        baselineRate: input.baselineRate ?? null,
        assumedStdDev: input.assumedStdDev ?? null,
        analysis: input.analysis ?? 'sequential',
        cuped: input.cuped ?? false,
        segmentBy: input.segmentBy ?? null,
        attributed: true,
        maxDurationHours: input.maxDurationHours ?? null,
        autoRollback: input.autoRollback ?? false,
        status: 'running',
        decision: null,
        winner: null,
        startedAt: new Date(),
        closedAt: null,
        createdBy: actor.name,
      });
      const after = this.view(experiment, environment.key);
      await this.audit.record({
        actor,
        action: 'experiment.created',
        resourceType: 'flag',
        resourceKey: input.flag,
        projectKey,
        environmentKey: environment.key,
        after,
      });
      return experiment;
    });
    return this.view(saved, environment.key);
  }

  /** What each running experiment's results recommend now: the list's badges in one request. */
  async recommendations(projectKey: string, now = new Date()): Promise<ExperimentRecommendationResponse[]> {
    const project = await this.projects.project(projectKey);
    const keys = await this.environmentKeys(project.id);
    const answers: ExperimentRecommendationResponse[] = [];
    for (const experiment of await this.repository.list(project.id, { status: 'running' })) {
      const { recommendation, winner } = await this.analysis(projectKey, experiment, keys.get(experiment.environmentId) ?? '', now);
      answers.push({ experiment: experiment.key, recommendation, winner });
    }
    return answers;
  }

  /** Results over the experiment's life so far (or until it closed), from the SDKs' telemetry. */
  async results(projectKey: string, key: string, now = new Date()): Promise<ExperimentResultsResponse> {
    const { experiment, environmentKey } = await this.load(projectKey, key);
    return this.analysis(projectKey, experiment, environmentKey, now, true);
  }

  /** `withSegments`: also the per-segment breakdown (the results page); badges and the scheduler decide on the overall figures only. */
  private async analysis(
    projectKey: string,
    experiment: ExperimentEntity,
    environmentKey: string,
    now: Date,
    withSegments = false,
  ): Promise<ExperimentResultsResponse> {
    const to = experiment.closedAt ?? now;
    const from = new Date(Math.max(experiment.startedAt.getTime(), to.getTime() - MAX_WINDOW_MS));
    const end = new Date(Math.max(to.getTime(), from.getTime() + 1));
    const totals: Record<string, Record<string, VariantAggregate>> = {};
    const names = [...new Set([experiment.primaryMetric, ...experiment.guardrailMetrics].filter((m) => m.type !== 'ratio').map((m) => m.name))];
    const paired: PairedTotals = {};
    if (experiment.attributed) {
      // Exactly what was recorded after the experiment started, with the SDKs' own sums of squares.
      for (const name of names) totals[name] = {};
      for (const { variant, metric, raw } of await this.telemetry.scopedTotals(scopeOf(experiment), names, (end.getTime() - from.getTime()) / 1000)) {
        if (variant === null || raw.count === 0) continue;
        totals[metric]![variant] = { n: raw.count, sum: raw.sum, sumSquares: raw.sumSquares };
      }
      const primary = experiment.primaryMetric;
      if (primary.type === 'ratio') paired.ratio = await this.pairTotals(experiment, ratioPairName(primary.numerator!, primary.denominator!));
      if (experiment.cuped && primary.type !== 'ratio') paired.cuped = await this.pairTotals(experiment, cupedPairName(primary.name));
    } else
      for (const name of names) {
        totals[name] = {};
        for (const { variant, stats } of await this.telemetry.variantTotals(experiment.environmentId, experiment.flagKey, name, from, end)) {
          if (variant === null || stats.count === 0) continue;
          // Telemetry keeps count, sum, mean and population sd; the sum of squares follows from them.
          const mean = stats.mean ?? 0;
          const sd = stats.stddev ?? 0;
          totals[name]![variant] = { n: stats.count, sum: stats.sum, sumSquares: stats.count * (sd * sd + mean * mean) };
        }
      }
    const config = await this.flags.getConfig(projectKey, experiment.flagKey, environmentKey);
    const analysis = analyse(experiment, totals, sharesOf(config.defaultRule), paired);
    if (config.rules.length > 0 || config.targets.length > 0)
      analysis.warnings.push('The flag has targets or rules in this environment: the expected split assumes the default rule serves the experiment traffic.');
    // An experiment does not set the split; one the default rule never serves would wait for data forever.
    const unserved = analysis.variants.filter((v) => v.expectedShare === 0).map((v) => v.variant);
    if (unserved.length > 0)
      analysis.warnings.push(
        `The flag's default rule in ${environmentKey} serves ${unserved.join(' and ')} to no one, so ${unserved.length > 1 ? 'they get' : 'it gets'} no ` +
          "observations: give the experiment's variants a percentage rollout.",
      );
    const segments = withSegments && experiment.segmentBy !== null && experiment.attributed ? await this.segments(experiment, experiment.segmentBy, now) : null;
    return { experiment: this.view(experiment, environmentKey), from: from.toISOString(), to: end.toISOString(), ...analysis, segments };
  }

  /** Per-variant sums of a pair's three series (see the SDK's paired-series.ts); a variant whose parts disagree is left out. */
  private async pairTotals(experiment: ExperimentEntity, pair: string): Promise<Record<string, PairedAggregate>> {
    const names = PAIR_PARTS.map((part) => pairSeriesName(pair, part));
    const parts: Record<string, Partial<Record<string, { count: number; sum: number; sumSquares: number }>>> = {};
    for (const { variant, metric, raw } of await this.telemetry.scopedTotals(scopeOf(experiment), names, 1)) {
      if (variant === null || raw.count === 0) continue;
      (parts[variant] ??= {})[metric] = raw;
    }
    const totals: Record<string, PairedAggregate> = {};
    for (const [variant, byName] of Object.entries(parts)) {
      const [y, x, xy] = names.map((n) => byName[n]);
      // The three parts of one pair are always recorded together; counts that differ mean a series was capped or lost.
      if (!y || !x || !xy || y.count !== x.count || x.count !== xy.count) continue;
      totals[variant] = { n: y.count, sumY: y.sum, sumYY: y.sumSquares, sumX: x.sum, sumXX: x.sumSquares, sumXY: xy.sum };
    }
    return totals;
  }

  /** The primary metric by each value of `attribute` the SDKs reported (`metric@attribute=value`). */
  private async segments(experiment: ExperimentEntity, attribute: string, now: Date): Promise<SegmentAnalysis> {
    const metric = experiment.primaryMetric;
    const prefix = segmentPrefix(metric.name, attribute);
    const names: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < MAX_CATALOGUE_PAGES; page++) {
      const rows = await this.telemetry.reportedMetrics(experiment.environmentId, { flagKey: experiment.flagKey, windowMinutes: 60, limit: 200, after }, now);
      names.push(...rows.map((r) => r.metric).filter((m) => m.startsWith(prefix)));
      if (rows.length < 200) break;
      after = rows[rows.length - 1]!.metric;
    }
    const totals: Record<string, Record<string, VariantAggregate>> = {};
    if (names.length > 0)
      for (const { variant, metric: name, raw } of await this.telemetry.scopedTotals(scopeOf(experiment), names, 1)) {
        if (variant === null || raw.count === 0) continue;
        (totals[name.slice(prefix.length)] ??= {})[variant] = { n: raw.count, sum: raw.sum, sumSquares: raw.sumSquares };
      }
    return analyseSegments(
      {
        attribute,
        metric: { ...metric, type: metric.type === 'rate' ? 'rate' : 'mean' },
        controlVariant: experiment.controlVariant,
        treatmentVariants: experiment.treatmentVariants,
        alpha: experiment.alpha,
        minimumDetectableEffect: experiment.minimumDetectableEffect,
        analysis: experiment.analysis,
      },
      totals,
    );
  }

  /**
   * Sends the winner (given, or the recommended one) to 100% of the default rule and closes the experiment.
   * A sample-ratio mismatch refuses promoting a treatment, named or not, unless `overrideSrm` comes with a
   * reason: the override and the mismatch it overrode go to the audit log and the webhook.
   */
  async promote(
    actor: Actor,
    projectKey: string,
    key: string,
    input: { variant?: string; reason?: string; overrideSrm?: boolean },
  ): Promise<ExperimentResponse> {
    const { experiment } = await this.load(projectKey, key);
    let variant = input.variant;
    if (variant !== undefined && !experiment.treatmentVariants.includes(variant) && variant !== experiment.controlVariant)
      throw validationFailed([{ field: 'variant', reason: `'${variant}' is not a variant of experiment '${key}'` }]);
    if (input.overrideSrm === true && !input.reason?.trim())
      throw validationFailed([{ field: 'reason', reason: 'overriding a sample ratio mismatch needs a reason: it goes to the audit log' }]);
    const results = await this.results(projectKey, key);
    const srm = results.sampleRatio?.mismatch ? results.sampleRatio : null;
    // Control to 100% is what a rollback does: a broken split is no reason to refuse it.
    let overridden: string | null = null;
    if (srm !== null && variant !== experiment.controlVariant) {
      const split = `the traffic split is ${formatSplit(srm.observed)} where the rollout promises ${formatSplit(srm.expected)} (χ² = ${srm.chiSquare.toFixed(2)}, p = ${srm.pValue.toExponential(2)} < 0.001)`;
      if (input.overrideSrm !== true)
        throw conflict(
          `Sample ratio mismatch on experiment '${key}': ${split}. The variants did not get the traffic the rollout promises, so its ` +
            'results cannot be trusted and promote is refused. Look for lost telemetry, crashes or bots in one variant; to promote anyway, ' +
            'name the variant and send overrideSrm: true with a reason (audited).',
          { code: 'SAMPLE_RATIO_MISMATCH', sampleRatio: srm, override: 'overrideSrm' },
        );
      if (variant === undefined)
        throw validationFailed([
          { field: 'variant', reason: 'overriding a sample ratio mismatch needs the variant to promote named: there is no trusted winner' },
        ]);
      overridden = `sample ratio mismatch overridden: ${split}`;
    }
    if (variant === undefined) {
      if (results.winner === null)
        throw conflict(
          `Experiment '${key}' has no winner yet (recommendation: ${results.recommendation}): ${results.treatments.map((t) => t.explanation).join(' ')} ` +
            'Name the variant to promote it anyway.',
          { recommendation: results.recommendation },
        );
      variant = results.winner;
    }
    const recommendation = variant === experiment.controlVariant ? 'keep-control' : 'promote';
    const reason = overridden === null ? input.reason : `${input.reason!.trim()} [${overridden}]`;
    return this.decide(
      actor,
      projectKey,
      key,
      'promoted',
      variant,
      recommendation,
      reason,
      overridden === null ? {} : { srmOverridden: true, sampleRatio: srm },
    );
  }

  /** Sends all of the default rule's traffic back to control and closes the experiment. */
  async rollback(actor: Actor, projectKey: string, key: string, input: { reason?: string }): Promise<ExperimentResponse> {
    const { experiment } = await this.load(projectKey, key);
    return this.decide(actor, projectKey, key, 'rolled-back', experiment.controlVariant, 'keep-control', input.reason);
  }

  private async decide(
    actor: Actor,
    projectKey: string,
    key: string,
    decision: 'promoted' | 'rolled-back',
    variant: string,
    recommendation: string,
    reason?: string,
    extra: Record<string, unknown> = {},
  ): Promise<ExperimentResponse> {
    return this.db.transaction(async () => {
      const { experiment, environmentKey } = await this.load(projectKey, key);
      await this.repository.lockFlag(experiment.environmentId, experiment.flagKey);
      const current = (await this.repository.find(experiment.projectId, key))!;
      if (current.status !== 'running') throw conflict(`Experiment '${key}' is already closed (${current.decision})`);
      const why = reason ?? `experiment ${key}: ${decision === 'promoted' ? `promote ${variant}` : `roll back to ${variant}`}`;
      // An ordinary versioned config write: audited, appended to the change log, pushed, sent to webhooks.
      await this.flags.changeConfig(actor, { projectKey, flagKey: current.flagKey, environmentKey }, serveByDefault({ variant }, why));
      current.status = 'closed';
      current.decision = decision;
      current.winner = variant;
      current.closedAt = new Date();
      const saved = await this.repository.save(current);
      const after = this.view(saved, environmentKey);
      await this.audit.record({
        actor,
        action: `experiment.${decision}`,
        resourceType: 'flag',
        resourceKey: current.flagKey,
        projectKey,
        environmentKey,
        reason: why,
        after,
      });
      await this.events.publish('experiment.decided', {
        projectKey,
        environmentKey,
        flagKey: current.flagKey,
        experimentKey: key,
        recommendation,
        details: { decision, variant, actor: { type: actor.type, id: actor.id, name: actor.name }, reason: why, ...extra },
      });
      return after;
    });
  }

  /** Changes a running experiment's settings (audited with the reason); the primary metric and variants stay. */
  async update(actor: Actor, projectKey: string, key: string, input: UpdateExperimentDto): Promise<ExperimentResponse> {
    return this.db.transaction(async () => {
      const { experiment, environmentKey } = await this.load(projectKey, key);
      await this.repository.lockFlag(experiment.environmentId, experiment.flagKey);
      const current = (await this.repository.find(experiment.projectId, key))!;
      if (current.status !== 'running') throw conflict(`Experiment '${key}' is closed (${current.decision}); only a running experiment changes`);
      const before = this.view(current, environmentKey);
      const next: ExperimentEntity = {
        ...current,
        minimumDetectableEffect: input.minimumDetectableEffect ?? current.minimumDetectableEffect,
        guardrailMetrics: input.guardrailMetrics?.map(metric) ?? current.guardrailMetrics,
        cuped: input.cuped ?? current.cuped,
        alpha: input.alpha ?? current.alpha,
        power: input.power ?? current.power,
        analysis: input.analysis ?? current.analysis,
        maxDurationHours: input.maxDurationHours === undefined ? current.maxDurationHours : input.maxDurationHours,
        autoRollback: input.autoRollback ?? current.autoRollback,
      };
      const problem = settingsProblem({
        type: next.primaryMetric.type,
        alpha: next.alpha / Math.max(1, next.treatmentVariants.length),
        power: next.power,
        mde: next.minimumDetectableEffect,
        baselineRate: next.baselineRate,
        assumedStdDev: next.assumedStdDev,
      });
      const problems = metricProblems({
        primaryMetric: current.primaryMetric,
        guardrailMetrics: input.guardrailMetrics,
        cuped: input.cuped,
        segmentBy: current.segmentBy,
      });
      if (problem !== null) problems.unshift({ field: 'minimumDetectableEffect', reason: problem });
      if (problems.length > 0) throw validationFailed(problems);
      const saved = await this.repository.save(next);
      const after = this.view(saved, environmentKey);
      await this.audit.record({
        actor,
        action: 'experiment.updated',
        resourceType: 'flag',
        resourceKey: current.flagKey,
        projectKey,
        environmentKey,
        reason: input.reason,
        before,
        after,
      });
      return after;
    });
  }

  /** Closes a running experiment without a decision: the flag keeps serving what it serves. */
  async stop(actor: Actor, projectKey: string, key: string, reason?: string): Promise<ExperimentResponse> {
    return this.db.transaction(async () => {
      const { experiment, environmentKey } = await this.load(projectKey, key);
      await this.repository.lockFlag(experiment.environmentId, experiment.flagKey);
      const current = (await this.repository.find(experiment.projectId, key))!;
      if (current.status !== 'running') throw conflict(`Experiment '${key}' is already closed (${current.decision})`);
      const before = this.view(current, environmentKey);
      current.status = 'closed';
      current.decision = 'stopped';
      current.closedAt = new Date();
      const after = this.view(await this.repository.save(current), environmentKey);
      await this.audit.record({
        actor,
        action: 'experiment.stopped',
        resourceType: 'flag',
        resourceKey: current.flagKey,
        projectKey,
        environmentKey,
        reason: reason ?? `experiment ${key}: stopped without a decision`,
        before,
        after,
      });
      return after;
    });
  }

  /**
   * One pass of the experiment scheduler: running experiments past their maximum duration conclude
   * (the winner if there is one, otherwise control), and those with auto-rollback roll back once a
   * guardrail is significantly worse. Every instance may run it: decide() re-reads the experiment
   * under its flag lock, so a second instance finds it closed and moves on.
   */
  async conclude(now = new Date()): Promise<{ concluded: string[] }> {
    const concluded: string[] = [];
    for (const experiment of await this.repository.running()) {
      const found = await this.projects.environmentById(experiment.environmentId);
      if (!found) continue;
      const { project } = found;
      const environmentKey = found.environment.key;
      try {
        const results = await this.analysis(project.key, experiment, environmentKey, now);
        const harmed = results.treatments.flatMap((t) => t.guardrails.filter((g) => g.harmed).map((g) => `${g.metric} (${t.variant})`));
        const expired = experiment.maxDurationHours !== null && now.getTime() >= experiment.startedAt.getTime() + experiment.maxDurationHours * 3_600_000;
        if (experiment.autoRollback && harmed.length > 0) {
          await this.decide(
            EXPERIMENT_SCHEDULER_ACTOR,
            project.key,
            experiment.key,
            'rolled-back',
            experiment.controlVariant,
            'keep-control',
            `experiment ${experiment.key}: auto-rollback, guardrail significantly worse: ${harmed.join(', ')}`,
          );
        } else if (expired && results.winner !== null) {
          await this.decide(
            EXPERIMENT_SCHEDULER_ACTOR,
            project.key,
            experiment.key,
            'promoted',
            results.winner,
            'promote',
            `experiment ${experiment.key}: maximum duration of ${experiment.maxDurationHours} h reached; promote ${results.winner}`,
          );
        } else if (expired) {
          await this.decide(
            EXPERIMENT_SCHEDULER_ACTOR,
            project.key,
            experiment.key,
            'rolled-back',
            experiment.controlVariant,
            results.recommendation,
            `experiment ${experiment.key}: maximum duration of ${experiment.maxDurationHours} h reached without a winner (${results.recommendation}); back to ${experiment.controlVariant}`,
          );
        } else continue;
        concluded.push(experiment.key);
      } catch (err) {
        // Closed meanwhile by a person or another instance: nothing left to do for this one.
        if (!(err instanceof Error && /already closed/.test(err.message))) throw err;
      }
    }
    return { concluded };
  }

  /** Environment keys by id: experiments store the id, responses name the key. */
  private async environmentKeys(projectId: string): Promise<Map<string, string>> {
    return new Map((await this.projects.environments(projectId)).map((e) => [e.id, e.key]));
  }

  private async load(projectKey: string, key: string): Promise<{ experiment: ExperimentEntity; environmentKey: string }> {
    const project = await this.projects.project(projectKey);
    const experiment = await this.repository.find(project.id, key);
    if (!experiment) throw notFound('Experiment', key);
    return { experiment, environmentKey: (await this.environmentKeys(project.id)).get(experiment.environmentId) ?? '' };
  }

  private view(e: ExperimentEntity, environmentKey: string): ExperimentResponse {
    return {
      key: e.key,
      name: e.name,
      flag: e.flagKey,
      environment: environmentKey,
      controlVariant: e.controlVariant,
      treatmentVariants: e.treatmentVariants,
      primaryMetric: e.primaryMetric,
      guardrailMetrics: e.guardrailMetrics,
      alpha: e.alpha,
      power: e.power,
      minimumDetectableEffect: e.minimumDetectableEffect,
      baselineRate: e.baselineRate,
      assumedStdDev: e.assumedStdDev,
      analysis: e.analysis,
      cuped: e.cuped,
      segmentBy: e.segmentBy,
      maxDurationHours: e.maxDurationHours,
      autoRollback: e.autoRollback,
      status: e.status,
      decision: e.decision,
      winner: e.winner,
      startedAt: e.startedAt.toISOString(),
      closedAt: e.closedAt?.toISOString() ?? null,
      createdBy: e.createdBy,
    };
  }
}
