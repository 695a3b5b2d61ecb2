import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import type { Serve } from '@signalbox/sdk/core';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/principal.js';
import { conflict, type FieldProblem, notFound, validationFailed } from '../common/errors/domain-error.js';
import { DomainEvents, type FlagChangedEvent } from '../common/events/domain-events.js';
import { Database } from '../database/database.service.js';
import { ExperimentEntity } from '../experiments/experiment.entity.js';
import { serveByDefault } from '../flags/flag-config-change.js';
import type { FlagEnvironmentRef } from '../flags/flag-environment.decorator.js';
import { FlagsService } from '../flags/flags.service.js';
import { ProjectsService } from '../projects/projects.service.js';
import type { MetricStats } from '../telemetry/metric-stats.js';
import { type ReportedMetric, TelemetryService } from '../telemetry/telemetry.service.js';
import { Clock } from './clock.js';
import type { CreateRolloutPlanDto, FlagRolloutDefaultsResponse, RolloutPlanResponse } from './dto/rollout-plan.dto.js';
import { CALL_METRICS, chooseGuardMetrics, fallbackFor, guardMetricNotes } from './guard-metrics.js';
import { DEFAULT_GUARDS, DEFAULT_STAGES, stageProblems, stageStatus, type VariantMetrics } from './rollout-guards.js';
import type { GuardMetricSources, RolloutGuards, RolloutHistoryEntry, RolloutPlanEntity } from './rollout-plan.entity.js';
import { ACTIVE_STATUSES, RolloutsRepository } from './rollouts.repository.js';
import { GUARD_ALPHA } from './sequential-guards.js';

/** Who the scheduler's automatic changes are attributed to in the audit log and webhooks. */
export const SCHEDULER_ACTOR: Actor = { type: 'system', id: null, name: 'rollout-scheduler' };

interface PlanKeys {
  projectKey: string;
  environmentKey: string;
}

// Enough for any flag: the SDK's helpers record a handful of names per flag.
const REPORTED_METRICS_READ = 200;

/** The default rule a plan serves at `percent` of its candidate. */
const stageServe = (plan: RolloutPlanEntity, percent: number): Serve => {
  const weight = Math.round(percent * 1000);
  if (weight >= 100_000) return { variant: plan.candidateVariant };
  if (weight <= 0) return { variant: plan.controlVariant };
  return {
    rollout: {
      ...(plan.bucketBy ? { bucketBy: plan.bucketBy } : {}),
      variants: [
        { variant: plan.controlVariant, weight: 100_000 - weight },
        { variant: plan.candidateVariant, weight },
      ],
    },
  };
};

/**
 * The name a stage's attributed metrics are kept under. A window restarted within its stage (resume
 * after a hand edit) gets a name of its own, so nothing recorded before the restart counts in it.
 */
const stageScope = (plan: RolloutPlanEntity): string => {
  const name = `rollout:${plan.id}:${plan.currentStage}`;
  const entered = plan.history.findLast((h) => (h.event === 'started' || h.event === 'advanced') && h.stage === plan.currentStage);
  return plan.stageStartedAt !== null && entered !== undefined && Date.parse(entered.at) !== plan.stageStartedAt.getTime()
    ? `${name}@${plan.stageStartedAt.getTime()}`
    : name;
};

const percentOf = (plan: RolloutPlanEntity): number =>
  plan.currentStage < 0 || plan.status === 'rolled-back' || plan.status === 'aborted' ? 0 : plan.stages[plan.currentStage]!.percent;

/** The entry that paused a paused plan; the scheduler pauses a plan only for a hand edit. */
const pauseOf = (plan: RolloutPlanEntity) => {
  const entry = plan.history.findLast((h) => h.event === 'paused');
  if (!entry) return null;
  return { at: entry.at, actor: entry.actor, ...(entry.reason ? { reason: entry.reason } : {}), handEdit: entry.actor === SCHEDULER_ACTOR.name };
};

/** Rollout plans: creation, manual controls, and the scheduler's step for each active plan. */
@Injectable()
export class RolloutsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('rollouts');
  private unsubscribe: (() => void) | undefined;
  private readonly dataListeners: Array<() => void> = [];
  private readonly dataArrived = (): void => {
    for (const listener of this.dataListeners) listener();
  };

  /** Called when metrics for a running or paused stage arrive: the scheduler can judge it at once. */
  onStageData(listener: () => void): void {
    this.dataListeners.push(listener);
  }

  constructor(
    private readonly repository: RolloutsRepository,
    private readonly projects: ProjectsService,
    private readonly flags: FlagsService,
    private readonly telemetry: TelemetryService,
    private readonly audit: AuditService,
    private readonly db: Database,
    private readonly events: DomainEvents,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    // A stage counts only batches that began after it did: never calls made under the previous split.
    this.telemetry.addScopeProvider(async (environmentId, flagKeys) =>
      (await this.repository.runningAttributed(environmentId, flagKeys)).flatMap((plan) =>
        plan.stageStartedAt === null ? [] : [{ id: stageScope(plan), flagKey: plan.flagKey, since: plan.stageStartedAt, onRecorded: this.dataArrived }],
      ),
    );
    this.unsubscribe = this.events.on('flag.changed', (event) => {
      this.onFlagChanged(event).catch((err: unknown) => this.logger.warn({ err, flag: event.flagKey }, 'could not check a hand edit against its rollout plan'));
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  async list(flagEnvironment: FlagEnvironmentRef): Promise<RolloutPlanResponse[]> {
    const { environment } = await this.scope(flagEnvironment);
    return Promise.all((await this.repository.list(environment.id, flagEnvironment.flagKey)).map((p) => this.present(p, flagEnvironment.environmentKey)));
  }

  async get(flagEnvironment: FlagEnvironmentRef, id: string): Promise<RolloutPlanResponse> {
    const { environment } = await this.scope(flagEnvironment);
    const plan = await this.repository.find(id);
    if (!plan || plan.environmentId !== environment.id || plan.flagKey !== flagEnvironment.flagKey) throw notFound('Rollout plan', id);
    return this.present(plan, flagEnvironment.environmentKey);
  }

  /** What a plan created now would get: the default stages, and guards on the metrics the flag reported, explained. */
  async defaultsFor(flagEnvironment: FlagEnvironmentRef): Promise<FlagRolloutDefaultsResponse> {
    const { environment } = await this.scope(flagEnvironment);
    const flag = await this.flags.get(flagEnvironment.projectKey, flagEnvironment.flagKey);
    const reported = await this.reportedMetrics(environment.id, flagEnvironment.flagKey, DEFAULT_GUARDS.baselineMinutes);
    const guards: RolloutGuards = { ...DEFAULT_GUARDS, ...chooseGuardMetrics({}, reported, fallbackFor(flag.kind)) };
    return { stages: DEFAULT_STAGES, guards, guardMetrics: guardMetricNotes(guards, reported) };
  }

  /** Creates the plan and starts its first stage at once if control has baseline metrics; otherwise it waits for them. */
  /** Writes the telemetry this instance has acknowledged, so a plan created inside a larger transaction (an applied change request) sees it. */
  settleTelemetry(): Promise<void> {
    return this.telemetry.settle();
  }

  async create(actor: Actor, flagEnvironment: FlagEnvironmentRef, input: CreateRolloutPlanDto): Promise<RolloutPlanResponse> {
    // The baseline is read inside the plan's transaction, where telemetry cannot write what this
    // instance has acknowledged but not yet flushed: write it first.
    await this.telemetry.settle();
    const { projectKey, flagKey, environmentKey } = flagEnvironment;
    const { project, environment } = await this.scope(flagEnvironment);
    const flag = await this.flags.get(projectKey, flagKey);
    const variants = new Set(flag.variants.map((v) => v.key));
    const problems: FieldProblem[] = [];
    if (!variants.has(input.candidateVariant))
      problems.push({ field: 'candidateVariant', reason: `variant '${input.candidateVariant}' does not exist in flag '${flagKey}'` });
    if (!variants.has(input.controlVariant))
      problems.push({ field: 'controlVariant', reason: `variant '${input.controlVariant}' does not exist in flag '${flagKey}'` });
    else if (input.controlVariant === input.candidateVariant) problems.push({ field: 'controlVariant', reason: 'must differ from candidateVariant' });
    const stages = input.stages?.map((s) => ({ percent: s.percent, minDurationMinutes: s.minDurationMinutes, minSamples: s.minSamples })) ?? DEFAULT_STAGES;
    problems.push(...stageProblems(stages));
    const guards: RolloutGuards = { ...DEFAULT_GUARDS, ...Object.fromEntries(Object.entries(input.guards ?? {}).filter(([, v]) => v !== undefined)) };
    const reported = await this.reportedMetrics(environment.id, flagKey, guards.baselineMinutes);
    Object.assign(guards, chooseGuardMetrics(input.guards ?? {}, reported, fallbackFor(flag.kind)));
    guards.bounds = (input.guards?.bounds ?? []).map((b) => ({
      metric: b.metric,
      stat: b.stat,
      ...(b.min !== undefined ? { min: b.min } : {}),
      ...(b.max !== undefined ? { max: b.max } : {}),
    }));
    guards.bounds.forEach((b, i) => {
      if (b.min === undefined && b.max === undefined) problems.push({ field: `guards.bounds[${i}]`, reason: 'needs min or max' });
    });
    if (problems.length > 0) throw validationFailed(problems);

    return this.db.transaction(async () => {
      await this.repository.lockFlag(environment.id, flagKey);
      const active = await this.repository.findActive(environment.id, flagKey);
      if (active) throw conflict(`Rollout plan ${active.id} is already ${active.status} on flag '${flagKey}' in ${environmentKey}`, { plan: active.id });
      // A plan writes the default rule's split, which is the experiment's traffic: never replace it silently.
      const experiment = await this.db.manager().getRepository(ExperimentEntity).findOneBy({ environmentId: environment.id, flagKey, status: 'running' });
      if (experiment)
        throw conflict(
          `Experiment '${experiment.key}' runs on flag '${flagKey}' in ${environmentKey}: a rollout plan would replace its traffic split. Decide or stop the experiment first`,
          { experiment: experiment.key },
        );
      const now = this.clock.now();
      let plan = await this.repository.save({
        projectId: project.id,
        environmentId: environment.id,
        flagKey,
        candidateVariant: input.candidateVariant,
        controlVariant: input.controlVariant,
        bucketBy: input.bucketBy ?? null,
        stages,
        guards,
        status: 'waiting-for-baseline',
        currentStage: -1,
        stageStartedAt: null,
        attributed: true,
        reason: null,
        snapshot: null,
        history: [{ at: now.toISOString(), event: 'created', stage: -1, percent: 0, actor: actor.name }],
        createdBy: actor.name,
        finishedAt: null,
      });
      await this.audit.record({
        actor,
        action: 'rollout.created',
        resourceType: 'flag',
        resourceKey: flagKey,
        projectKey,
        environmentKey,
        after: this.view(plan, environmentKey),
      });
      plan = await this.tryStart(plan, { projectKey, environmentKey }, actor, now);
      return this.present(plan, environmentKey);
    });
  }

  async pause(actor: Actor, flagEnvironment: FlagEnvironmentRef, id: string, reason?: string): Promise<RolloutPlanResponse> {
    return this.control(flagEnvironment, id, async (plan, keys, now) => {
      if (plan.status !== 'running' && plan.status !== 'waiting-for-baseline')
        throw conflict(`Rollout plan ${id} is ${plan.status}; only a running or waiting plan can be paused`);
      plan.status = 'paused';
      this.note(plan, 'paused', actor, now, reason);
      await this.audit.record({
        actor,
        action: 'rollout.paused',
        resourceType: 'flag',
        resourceKey: plan.flagKey,
        projectKey: keys.projectKey,
        environmentKey: keys.environmentKey,
        reason,
      });
      return this.repository.save(plan);
    });
  }

  async resume(actor: Actor, flagEnvironment: FlagEnvironmentRef, id: string, reason?: string): Promise<RolloutPlanResponse> {
    return this.control(flagEnvironment, id, async (plan, keys, now) => {
      if (plan.status !== 'paused') throw conflict(`Rollout plan ${id} is ${plan.status}, not paused`);
      const handEdit = pauseOf(plan)?.handEdit === true;
      plan.status = plan.currentStage < 0 ? 'waiting-for-baseline' : 'running';
      let restarted: string | null = null;
      if (plan.currentStage >= 0) {
        // The stage's split again if someone changed it, and a new window: metrics served under the edit do not count.
        const percent = percentOf(plan);
        const config = await this.flags.getConfig(keys.projectKey, plan.flagKey, keys.environmentKey);
        const edited = !isDeepStrictEqual(config.defaultRule, stageServe(plan, percent));
        if (edited)
          await this.serve(
            plan,
            keys,
            actor,
            percent,
            `rollout ${plan.id}: resumed, ${percent}% of '${plan.candidateVariant}' again over a hand-edited default rule${reason ? ` (${reason})` : ''}`,
          );
        if (edited || handEdit) {
          plan.stageStartedAt = now;
          restarted =
            `stage ${plan.currentStage + 1} (${percent}% of '${plan.candidateVariant}') ${edited ? 're-applied over the hand edit' : 'kept'}; ` +
            'its window starts again now, so nothing served under the hand edit counts';
        }
      }
      this.note(plan, 'resumed', actor, now, [reason, restarted].filter(Boolean).join('; ') || undefined);
      await this.audit.record({
        actor,
        action: 'rollout.resumed',
        resourceType: 'flag',
        resourceKey: plan.flagKey,
        projectKey: keys.projectKey,
        environmentKey: keys.environmentKey,
        reason,
      });
      return this.repository.save(plan);
    });
  }

  /** Moves to the next stage now, whatever its duration and samples (guards still run on later ticks). */
  async advanceNow(actor: Actor, flagEnvironment: FlagEnvironmentRef, id: string, reason?: string): Promise<RolloutPlanResponse> {
    return this.control(flagEnvironment, id, async (plan, keys, now) => {
      if (!ACTIVE_STATUSES.includes(plan.status)) throw conflict(`Rollout plan ${id} is ${plan.status}`);
      if (plan.currentStage < 0) {
        const started = await this.tryStart(plan, keys, actor, now, reason);
        if (started.currentStage < 0) throw conflict(`Rollout plan ${id} cannot start: ${started.reason}`);
        return started;
      }
      return this.advance(plan, keys, actor, now, reason ?? 'advanced by hand');
    });
  }

  /** Stops the plan and sends all traffic back to control. */
  async abort(actor: Actor, flagEnvironment: FlagEnvironmentRef, id: string, reason?: string): Promise<RolloutPlanResponse> {
    return this.control(flagEnvironment, id, async (plan, keys, now) => {
      if (!ACTIVE_STATUSES.includes(plan.status)) throw conflict(`Rollout plan ${id} is already ${plan.status}`);
      return this.rollBack(plan, keys, actor, now, 'aborted', reason ?? 'aborted by hand', null);
    });
  }

  /**
   * One scheduler pass over every active plan, under the scheduler lock (another instance holding
   * it means this pass does nothing). Paused plans are skipped.
   */
  async tick(): Promise<{ ran: boolean; plans: number }> {
    // Telemetry this instance acknowledged is written first: inside the pass's transaction it is not.
    await this.telemetry.settle();
    return this.db.transaction(async () => {
      if (!(await this.repository.trySchedulerLock())) return { ran: false, plans: 0 };
      const now = this.clock.now();
      const plans = await this.repository.activeForUpdate();
      const keysByEnvironment = new Map<string, PlanKeys | null>();
      for (const plan of plans) {
        if (!keysByEnvironment.has(plan.environmentId)) {
          const found = await this.projects.environmentById(plan.environmentId);
          keysByEnvironment.set(plan.environmentId, found ? { projectKey: found.project.key, environmentKey: found.environment.key } : null);
        }
        const keys = keysByEnvironment.get(plan.environmentId);
        if (!keys) continue;
        try {
          await this.step(plan, keys, now);
        } catch (err) {
          this.logger.error({ err, plan: plan.id, flag: plan.flagKey }, 'rollout step failed');
        }
      }
      return { ran: true, plans: plans.length };
    });
  }

  private async step(plan: RolloutPlanEntity, keys: PlanKeys, now: Date): Promise<void> {
    if (plan.status === 'waiting-for-baseline') {
      await this.tryStart(plan, keys, SCHEDULER_ACTOR, now);
      return;
    }
    // A paused plan does not advance, but its guards still watch: a failing candidate rolls back.
    if ((plan.status !== 'running' && plan.status !== 'paused') || plan.stageStartedAt === null) return;
    if (now.getTime() <= plan.stageStartedAt.getTime()) return;
    const metrics = await this.stageMetrics(plan, plan.stageStartedAt, now);
    const status = stageStatus(plan.guards, plan.stages[plan.currentStage]!, metrics.candidate, metrics.control, now.getTime() - plan.stageStartedAt.getTime());
    if (status.verdict.decision === 'fail') {
      const snapshot = {
        stage: plan.currentStage,
        percent: percentOf(plan),
        from: plan.stageStartedAt.toISOString(),
        to: now.toISOString(),
        candidate: metrics.candidate,
        control: metrics.control,
        failures: status.verdict.reasons,
        rows: status.rows,
        sampleRatio: status.sampleRatio,
      };
      await this.rollBack(
        plan,
        keys,
        SCHEDULER_ACTOR,
        now,
        'rolled-back',
        `guard failed at ${percentOf(plan)}%: ${status.verdict.reasons.join('; ')}`,
        snapshot,
      );
      return;
    }
    if (plan.status === 'paused' || status.verdict.decision !== 'advance') return;
    const decidedBy = [...new Set(status.rows.flatMap((r) => (r.decidedBy ? [r.decidedBy] : [])))].join(' and ') || 'no guard judged';
    await this.advance(
      plan,
      keys,
      SCHEDULER_ACTOR,
      now,
      `stage ${plan.currentStage + 1} healthy: ${status.window.candidateSamples} candidate samples, guards passed (${decidedBy})`,
    );
  }

  /** Starts the first stage if control has baseline metrics; otherwise records why it waits. */
  private async tryStart(plan: RolloutPlanEntity, keys: PlanKeys, actor: Actor, now: Date, reason?: string): Promise<RolloutPlanEntity> {
    const reported = await this.reportedMetrics(plan.environmentId, plan.flagKey, plan.guards.baselineMinutes, now);
    const refitted = this.refitGuards(plan, reported);
    // Rollups are kept per flag key and minute: a flag deleted and created again under its key must not
    // start on the old flag's baseline, so the window begins no earlier than this flag's creation minute.
    const createdAt = Date.parse((await this.flags.get(keys.projectKey, plan.flagKey)).createdAt);
    const from = new Date(Math.max(now.getTime() - plan.guards.baselineMinutes * 60_000, Math.floor(createdAt / 60_000) * 60_000));
    const totals = from < now ? await this.telemetry.variantTotals(plan.environmentId, plan.flagKey, plan.guards.errorMetric, from, now) : [];
    const baseline = totals.find((t) => t.variant === plan.controlVariant)?.stats.count ?? 0;
    if (baseline < plan.guards.minSamples) {
      const metric = plan.guards.errorMetric;
      const call = CALL_METRICS.get(metric);
      const unreported = reported.some((m) => m.metric === metric)
        ? ''
        : `; no SDK has reported ${metric} for this flag yet${call ? ` (${call} records it)` : ''}`;
      const waiting =
        `waiting for control baseline: ${baseline} of ${plan.guards.minSamples} observations of ${metric} for ` +
        `'${plan.controlVariant}' in the last ${plan.guards.baselineMinutes} minutes${unreported}${refitted ? ` (${refitted})` : ''}`;
      if (plan.reason === waiting && !refitted) return plan;
      plan.reason = waiting;
      return this.repository.save(plan);
    }
    const started = `control baseline: ${baseline} observations of ${plan.guards.errorMetric}${refitted ? ` (${refitted})` : ''}`;
    return this.advance(plan, keys, actor, now, reason === undefined ? started : refitted ? `${reason} (${refitted})` : reason);
  }

  /**
   * Before the first stage, guard metrics the server chose are chosen again when one of them has
   * no observations under the flag in the baseline window but other metrics do, so a plan
   * created before its flag reported anything does not wait forever for a name no SDK sends.
   * Returns what changed, in words, or null.
   */
  private refitGuards(plan: RolloutPlanEntity, reported: ReportedMetric[]): string | null {
    const { guards } = plan;
    const sources = guards.metricSource;
    if (!sources) return null;
    const hasData = (metric: string) => (reported.find((m) => m.metric === metric)?.samples ?? 0) > 0;
    const stale = (guard: keyof GuardMetricSources) => sources[guard] !== 'request' && !hasData(guards[guard]);
    if (!stale('errorMetric') && !stale('latencyMetric')) return null;
    const recent = reported.filter((m) => m.samples > 0);
    const keep = (guard: keyof GuardMetricSources) => (stale(guard) ? undefined : guards[guard]);
    const choice = chooseGuardMetrics({ errorMetric: keep('errorMetric'), latencyMetric: keep('latencyMetric') }, recent, guards);
    if (choice.errorMetric === guards.errorMetric && choice.latencyMetric === guards.latencyMetric) return null;
    // A guard kept as it was keeps its source.
    const source = (guard: keyof GuardMetricSources) => (choice[guard] === guards[guard] ? sources[guard] : choice.metricSource[guard]);
    plan.guards = {
      ...guards,
      errorMetric: choice.errorMetric,
      latencyMetric: choice.latencyMetric,
      metricSource: { errorMetric: source('errorMetric'), latencyMetric: source('latencyMetric') },
    };
    return `guards now watch ${choice.errorMetric} and ${choice.latencyMetric}, which the flag reports, instead of ${guards.errorMetric} and ${guards.latencyMetric}`;
  }

  private reportedMetrics(environmentId: string, flagKey: string, windowMinutes: number, now = this.clock.now()): Promise<ReportedMetric[]> {
    return this.telemetry.reportedMetrics(environmentId, { flagKey, windowMinutes, limit: REPORTED_METRICS_READ }, now);
  }

  private async advance(plan: RolloutPlanEntity, keys: PlanKeys, actor: Actor, now: Date, reason: string): Promise<RolloutPlanEntity> {
    const from = percentOf(plan);
    const next = plan.currentStage + 1;
    const stage = plan.stages[next]!;
    await this.serve(plan, keys, actor, stage.percent, `rollout ${plan.id}: ${from}% → ${stage.percent}% of '${plan.candidateVariant}' (${reason})`);
    plan.currentStage = next;
    plan.stageStartedAt = now;
    plan.reason = null;
    const completed = stage.percent >= 100;
    if (completed) {
      plan.status = 'completed';
      plan.finishedAt = now;
    } else if (plan.status === 'waiting-for-baseline') plan.status = 'running';
    this.note(plan, next === 0 ? 'started' : completed ? 'completed' : 'advanced', actor, now, reason);
    const saved = await this.repository.save(plan);
    await this.events.publish('rollout.advanced', {
      ...keys,
      flagKey: plan.flagKey,
      actor: { type: actor.type, id: actor.id, name: actor.name },
      reason,
      details: {
        planId: plan.id,
        candidateVariant: plan.candidateVariant,
        controlVariant: plan.controlVariant,
        stage: next,
        fromPercent: from,
        percent: stage.percent,
        completed,
      },
    });
    return saved;
  }

  private async rollBack(
    plan: RolloutPlanEntity,
    keys: PlanKeys,
    actor: Actor,
    now: Date,
    status: 'rolled-back' | 'aborted',
    reason: string,
    snapshot: Record<string, unknown> | null,
  ): Promise<RolloutPlanEntity> {
    const percent = percentOf(plan);
    if (plan.currentStage >= 0)
      await this.serve(plan, keys, actor, 0, `rollout ${plan.id}: ${status} at ${percent}%, all traffic back to '${plan.controlVariant}' (${reason})`);
    plan.status = status;
    plan.reason = reason;
    plan.snapshot = snapshot;
    plan.finishedAt = now;
    this.note(plan, status, actor, now, reason);
    const saved = await this.repository.save(plan);
    await this.events.publish('rollout.rolled_back', {
      ...keys,
      flagKey: plan.flagKey,
      actor: { type: actor.type, id: actor.id, name: actor.name },
      reason,
      details: {
        planId: plan.id,
        candidateVariant: plan.candidateVariant,
        controlVariant: plan.controlVariant,
        stage: plan.currentStage,
        percent,
        status,
        snapshot,
      },
    });
    return saved;
  }

  /** An ordinary versioned config write of the default rule: audited, pushed to SDKs, sent to webhooks. */
  private async serve(plan: RolloutPlanEntity, keys: PlanKeys, actor: Actor, percent: number, reason: string): Promise<void> {
    await this.flags.changeConfig(
      actor,
      { projectKey: keys.projectKey, flagKey: plan.flagKey, environmentKey: keys.environmentKey },
      serveByDefault(stageServe(plan, percent), reason),
    );
  }

  /**
   * A change to the flag's default rule that the plan did not make pauses a running plan, or one
   * waiting for its baseline, and says so: its next (or first) stage would otherwise overwrite the
   * edit without anyone noticing. Resume writes the stage's split again and restarts its window. Changes to rules,
   * targets or the kill switch leave the plan alone (it only writes the default rule).
   */
  async onFlagChanged(event: FlagChangedEvent): Promise<void> {
    const watched = (status: string) => status === 'running' || status === 'waiting-for-baseline';
    const candidate = await this.repository.findActive(event.environmentId, event.flagKey);
    if (!candidate || !watched(candidate.status)) return;
    // A plan waiting for its baseline has written nothing yet: the change itself says whether the default rule moved.
    if (candidate.status === 'waiting-for-baseline' && !(await this.changedDefaultRule(event))) return;
    await this.db.transaction(async () => {
      await this.repository.lockFlag(event.environmentId, event.flagKey);
      const plan = await this.repository.findForUpdate(candidate.id);
      if (!plan || !watched(plan.status)) return;
      if (plan.status === 'running') {
        const config = await this.flags.getConfig(event.projectKey, event.flagKey, event.environmentKey);
        if (isDeepStrictEqual(config.defaultRule, stageServe(plan, percentOf(plan)))) return;
      }
      const reason =
        `the default rule was changed outside the plan by ${event.actor.name}${event.reason ? ` (${event.reason})` : ''}; ` +
        (plan.status === 'running'
          ? "the plan is paused so that its next stage does not overwrite the edit. Resume to continue: the stage's split is written again and its window starts over"
          : "the plan is paused so that its first stage does not overwrite the edit. Resume to continue: the first stage writes the plan's split");
      plan.status = 'paused';
      this.note(plan, 'paused', SCHEDULER_ACTOR, this.clock.now(), reason);
      await this.audit.record({
        actor: SCHEDULER_ACTOR,
        action: 'rollout.paused',
        resourceType: 'flag',
        resourceKey: plan.flagKey,
        projectKey: event.projectKey,
        environmentKey: event.environmentKey,
        reason,
      });
      await this.repository.save(plan);
    });
  }

  /** Whether the config write `event` announces changed the default rule (its audit entry's before and after). */
  private async changedDefaultRule(event: FlagChangedEvent): Promise<boolean> {
    const page = await this.audit.query(
      { projectKey: event.projectKey, environmentKey: event.environmentKey, resourceType: 'flag', resourceKey: event.flagKey, limit: 20 },
      'member',
    );
    const entry = page.items.find((e) => (e.after as { version?: unknown } | null)?.version === event.version);
    // Not found (an older write than the log page holds): treat it as a change, pausing is the safe side.
    if (!entry) return true;
    return !isDeepStrictEqual((entry.before as { defaultRule?: unknown } | null)?.defaultRule, (entry.after as { defaultRule?: unknown }).defaultRule);
  }

  private async stageMetrics(plan: RolloutPlanEntity, from: Date, to: Date): Promise<{ candidate: VariantMetrics; control: VariantMetrics }> {
    const names = [...new Set([plan.guards.errorMetric, plan.guards.latencyMetric, ...plan.guards.bounds.map((b) => b.metric)])];
    const candidate: VariantMetrics = {};
    const control: VariantMetrics = {};
    const file = (variant: string | null, name: string, stats: MetricStats) => {
      if (variant === plan.candidateVariant) candidate[name] = stats;
      else if (variant === plan.controlVariant) control[name] = stats;
    };
    if (plan.attributed) {
      for (const { variant, metric, stats } of await this.telemetry.scopedTotals(stageScope(plan), names, (to.getTime() - from.getTime()) / 1000))
        file(variant, metric, stats);
      return { candidate, control };
    }
    for (const name of names) {
      for (const { variant, stats } of await this.telemetry.variantTotals(plan.environmentId, plan.flagKey, name, from, to)) file(variant, name, stats);
    }
    return { candidate, control };
  }

  private async control(
    flagEnvironment: FlagEnvironmentRef,
    id: string,
    change: (plan: RolloutPlanEntity, keys: PlanKeys, now: Date) => Promise<RolloutPlanEntity>,
  ): Promise<RolloutPlanResponse> {
    // A resumed or advanced plan reads its stage's metrics in the transaction below: flush first.
    await this.telemetry.settle();
    const { projectKey, flagKey, environmentKey } = flagEnvironment;
    const { environment } = await this.scope(flagEnvironment);
    return this.db.transaction(async () => {
      const plan = await this.repository.findForUpdate(id);
      if (!plan || plan.environmentId !== environment.id || plan.flagKey !== flagKey) throw notFound('Rollout plan', id);
      return this.present(await change(plan, { projectKey, environmentKey }, this.clock.now()), environmentKey);
    });
  }

  private note(plan: RolloutPlanEntity, event: RolloutHistoryEntry['event'], actor: Actor, now: Date, reason?: string): void {
    plan.history = [
      ...plan.history,
      { at: now.toISOString(), event, stage: plan.currentStage, percent: percentOf(plan), actor: actor.name, ...(reason ? { reason } : {}) },
    ];
  }

  private async scope({ projectKey, flagKey, environmentKey }: FlagEnvironmentRef) {
    const project = await this.projects.project(projectKey);
    const environment = await this.projects.environment(project, environmentKey);
    await this.flags.get(projectKey, flagKey);
    return { project, environment };
  }

  /** The plan with its guards as the scheduler would judge them now (running or paused plans). */
  private async present(plan: RolloutPlanEntity, environmentKey: string): Promise<RolloutPlanResponse> {
    let view = this.view(plan, environmentKey);
    if (!ACTIVE_STATUSES.includes(plan.status)) return view;
    const reported = await this.reportedMetrics(plan.environmentId, plan.flagKey, plan.guards.baselineMinutes);
    view = { ...view, guardMetrics: guardMetricNotes(plan.guards, reported, plan.controlVariant) };
    if ((plan.status !== 'running' && plan.status !== 'paused') || plan.stageStartedAt === null) return view;
    const now = this.clock.now();
    const metrics = await this.stageMetrics(plan, plan.stageStartedAt, now);
    return {
      ...view,
      guardStatus: {
        from: plan.stageStartedAt.toISOString(),
        to: now.toISOString(),
        ...stageStatus(plan.guards, plan.stages[plan.currentStage]!, metrics.candidate, metrics.control, now.getTime() - plan.stageStartedAt.getTime()),
        alpha: GUARD_ALPHA,
      },
    };
  }

  private view(p: RolloutPlanEntity, environmentKey: string): RolloutPlanResponse {
    return {
      id: p.id,
      flag: p.flagKey,
      environment: environmentKey,
      candidateVariant: p.candidateVariant,
      controlVariant: p.controlVariant,
      bucketBy: p.bucketBy,
      stages: p.stages,
      guards: p.guards,
      status: p.status,
      currentStage: p.currentStage,
      currentPercent: percentOf(p),
      stageStartedAt: p.stageStartedAt?.toISOString() ?? null,
      reason: p.reason,
      snapshot: p.snapshot,
      history: p.history,
      createdBy: p.createdBy,
      createdAt: p.createdAt.toISOString(),
      finishedAt: p.finishedAt?.toISOString() ?? null,
      guardStatus: null,
      pause: p.status === 'paused' ? pauseOf(p) : null,
      guardMetrics: [],
    };
  }
}
