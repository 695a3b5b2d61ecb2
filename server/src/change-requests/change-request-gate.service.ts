import { Injectable } from '@nestjs/common';
import { actorOf, type Principal } from '../auth/principal.js';
import { DomainError, type FieldProblem, validationFailed, versionConflict } from '../common/errors/domain-error.js';
import type { EditableFlagConfig, FlagConfigState } from '../flags/flag-config-change.js';
import type { FlagEnvironmentRef } from '../flags/flag-environment.decorator.js';
import type { FlagConfigView } from '../flags/flag.mapper.js';
import { FlagsService } from '../flags/flags.service.js';
import { SegmentUsageReadModel } from '../flags/segment-usage.read-model.js';
import { ProjectsService } from '../projects/projects.service.js';
import type { CreateRolloutPlanDto } from '../rollouts/dto/rollout-plan.dto.js';
import { runAtProblems, scheduledConfig } from '../scheduled-changes/scheduled-change.js';
import type { ScheduledChangeKind, ScheduledConfig } from '../scheduled-changes/scheduled-change.entity.js';
import type { UpdateSegmentDto } from '../segments/dto/segment.dto.js';
import { SegmentsService } from '../segments/segments.service.js';
import type { ChangeRequestCreatedResponse } from './dto/change-request.response.js';
import { ChangeRequestsService, type SegmentUpdate } from './change-requests.service.js';

const stateOf = (view: FlagConfigView): FlagConfigState => ({
  on: view.on,
  kill: view.kill,
  offVariant: view.offVariant,
  targets: view.targets,
  rules: view.rules,
  defaultRule: view.defaultRule,
  prerequisites: view.prerequisites,
});

/**
 * Where direct writes meet environments that require approval. The flag, revert, kill-switch and
 * flags-as-code routes ask it first: in such an environment a config write, revert, restore or
 * archive becomes a pending change request (the route answers 202 with it) and nothing is written.
 * Kills and triggers never come here: stopping is never blocked.
 */
@Injectable()
export class ChangeRequestGate {
  constructor(
    private readonly requests: ChangeRequestsService,
    private readonly flags: FlagsService,
    private readonly projects: ProjectsService,
    private readonly segments: SegmentsService,
    private readonly segmentUsage: SegmentUsageReadModel,
  ) {}

  /**
   * A config write (PUT, PATCH, revert) based on `basedOnVersion`: null when the environment takes
   * it directly; else the request made from it. `build` makes the whole config from the current one.
   */
  async configWrite(
    principal: Principal,
    ref: FlagEnvironmentRef,
    write: { basedOnVersion: number; reason?: string; build: (current: FlagConfigState) => EditableFlagConfig | Promise<EditableFlagConfig> },
  ): Promise<ChangeRequestCreatedResponse | null> {
    if (!(await this.requests.requiresApproval(ref.projectKey, ref.environmentKey))) return null;
    const current = await this.flags.getConfig(ref.projectKey, ref.flagKey, ref.environmentKey);
    // As the direct write would: a stale version is refused, not turned into a stale request.
    if (write.basedOnVersion !== current.version) throw versionConflict(`The config of '${ref.flagKey}' in ${ref.environmentKey}`, current.version, current);
    const change = await write.build(stateOf(current));
    const changeRequest = await this.requests
      .create(actorOf(principal), ref.projectKey, {
        kind: 'config',
        flagKey: ref.flagKey,
        environmentKey: ref.environmentKey,
        baseVersion: current.version,
        change,
        reason: write.reason?.trim() ? write.reason : `Change to ${ref.flagKey} in ${ref.environmentKey}`,
      })
      .catch((err: unknown) => {
        // The caller sent a config body, not a request: name the fields as the direct write would.
        if (err instanceof DomainError && err.code === 'VALIDATION_FAILED' && Array.isArray(err.details))
          throw validationFailed((err.details as FieldProblem[]).map((p) => ({ ...p, field: p.field.replace(/^change\./, '') })));
        throw err;
      });
    return { changeRequest };
  }

  /**
   * A scheduled change (POST .../scheduled-changes): null when the environment takes it directly; else
   * a `config` request with `runAt`, whose change is the whole config the scheduled change would write
   * over the current one (a patch merged into it). Fields are named as the direct POST names them.
   */
  async scheduled(
    principal: Principal,
    ref: FlagEnvironmentRef,
    input: { runAt: Date; basedOnVersion: number; reason?: string; kind: ScheduledChangeKind; config: ScheduledConfig },
  ): Promise<ChangeRequestCreatedResponse | null> {
    if (!(await this.requests.requiresApproval(ref.projectKey, ref.environmentKey))) return null;
    const problems = runAtProblems(input.runAt, new Date());
    if (problems.length > 0) throw validationFailed(problems);
    const current = await this.flags.getConfig(ref.projectKey, ref.flagKey, ref.environmentKey);
    if (input.basedOnVersion !== current.version) throw versionConflict(`The config of '${ref.flagKey}' in ${ref.environmentKey}`, current.version, current);
    const next = scheduledConfig(input.kind, input.config, stateOf(current));
    const changeRequest = await this.requests
      .create(actorOf(principal), ref.projectKey, {
        kind: 'config',
        flagKey: ref.flagKey,
        environmentKey: ref.environmentKey,
        baseVersion: current.version,
        change: next,
        runAt: input.runAt,
        reason: input.reason?.trim() ? input.reason : `Scheduled change to ${ref.flagKey} in ${ref.environmentKey} at ${input.runAt.toISOString()}`,
      })
      .catch((err: unknown) => {
        if (err instanceof DomainError && err.code === 'VALIDATION_FAILED' && Array.isArray(err.details))
          throw validationFailed((err.details as FieldProblem[]).map((p) => ({ ...p, field: p.field.replace(/^change\./, `${input.kind}.`) })));
        throw err;
      });
    return { changeRequest };
  }

  /** A new rollout plan (POST .../rollout-plans): null when the environment takes it directly; else a `rollout-plan` request carrying the body. */
  async rolloutPlan(principal: Principal, ref: FlagEnvironmentRef, plan: CreateRolloutPlanDto, reason?: string): Promise<ChangeRequestCreatedResponse | null> {
    if (!(await this.requests.requiresApproval(ref.projectKey, ref.environmentKey))) return null;
    const current = await this.flags.getConfig(ref.projectKey, ref.flagKey, ref.environmentKey);
    const changeRequest = await this.requests.create(actorOf(principal), ref.projectKey, {
      kind: 'rollout-plan',
      flagKey: ref.flagKey,
      environmentKey: ref.environmentKey,
      baseVersion: current.version,
      change: JSON.parse(JSON.stringify(plan)) as Record<string, unknown>,
      reason: reason?.trim() ? reason : `Rollout plan for ${ref.flagKey} in ${ref.environmentKey}: ${plan.candidateVariant} replacing ${plan.controlVariant}`,
    });
    return { changeRequest };
  }

  /**
   * A segment update (PUT/PATCH .../segments/:key): null when no config of an environment that requires
   * approval uses the segment; else a `segment` request (environment: the first such environment,
   * required approvals: the largest of theirs). A stale `version` is refused as the direct write would.
   */
  async segmentUpdate(principal: Principal, projectKey: string, segmentKey: string, update: UpdateSegmentDto): Promise<ChangeRequestCreatedResponse | null> {
    const project = await this.projects.project(projectKey);
    const gated = (await this.projects.environments(project.id)).filter((e) => e.requireApproval);
    if (gated.length === 0) return null;
    const segment = await this.segments.get(projectKey, segmentKey);
    const using = await this.segmentUsage.environmentsUsing(project.id, segment.key);
    const hit = gated.filter((e) => using.has(e.id));
    if (hit.length === 0) return null;
    if (update.version !== segment.version) throw versionConflict(`Segment '${segment.key}'`, segment.version, segment);
    const { version: _version, reason, ...change } = update;
    const changeRequest = await this.requests.create(actorOf(principal), projectKey, {
      kind: 'segment',
      segmentKey: segment.key,
      environmentKey: hit[0]!.key,
      baseVersion: segment.version,
      change: JSON.parse(JSON.stringify(change as SegmentUpdate)) as Record<string, unknown>,
      requiredApprovals: Math.max(...hit.map((e) => e.requiredApprovals)),
      reason: reason?.trim() ? reason : `Change to segment ${segment.key}`,
    });
    return { changeRequest };
  }

  /** A restore: null when the environment takes it directly; a kill-switch token gets 403 APPROVAL_REQUIRED; others get a request. */
  async restore(principal: Principal, ref: FlagEnvironmentRef, reason?: string): Promise<ChangeRequestCreatedResponse | null> {
    if (!(await this.requests.requiresApproval(ref.projectKey, ref.environmentKey))) return null;
    if (principal.kind === 'token' && principal.access === 'kill-switch')
      throw new DomainError(
        'APPROVAL_REQUIRED',
        `${ref.environmentKey} requires approval to restore: a kill-switch token can kill there, but a restore needs a change request from an editor`,
        { environment: ref.environmentKey },
      );
    const current = await this.flags.getConfig(ref.projectKey, ref.flagKey, ref.environmentKey);
    const changeRequest = await this.requests.create(actorOf(principal), ref.projectKey, {
      kind: 'restore',
      flagKey: ref.flagKey,
      environmentKey: ref.environmentKey,
      baseVersion: current.version,
      reason: reason?.trim() ? reason : `Restore ${ref.flagKey} in ${ref.environmentKey}`,
    });
    return { changeRequest };
  }

  /** An archive: null when no environment of the project requires approval; else a request. */
  async archive(principal: Principal, projectKey: string, flagKey: string, reason?: string): Promise<ChangeRequestCreatedResponse | null> {
    const [environment] = await this.requests.gatedEnvironments(projectKey);
    if (environment === undefined) return null;
    const flag = await this.flags.get(projectKey, flagKey);
    if (flag.archived) return null;
    const changeRequest = await this.requests.create(actorOf(principal), projectKey, {
      kind: 'archive',
      flagKey,
      environmentKey: environment,
      baseVersion: flag.version,
      reason: reason?.trim() ? reason : `Archive ${flagKey}`,
    });
    return { changeRequest };
  }

  /**
   * Writes that cannot become one change request (a flags-as-code file or a copy, a restore across
   * environments or by tag): 403 APPROVAL_REQUIRED when any of `environments` requires approval.
   * `archives`: the write also archives flags, which every gated environment holds up. `environments`
   * absent: all of them.
   */
  async refuseGated(projectKey: string, environments: readonly string[] | undefined, what: string, archives = false): Promise<void> {
    const gated = await this.requests.gatedEnvironments(projectKey);
    // `environments` absent: every environment of the project.
    const hit = (archives && gated.length > 0) || environments === undefined ? gated : gated.filter((e) => environments.includes(e));
    if (hit.length > 0)
      throw new DomainError(
        'APPROVAL_REQUIRED',
        `${hit.join(', ')} ${hit.length === 1 ? 'requires' : 'require'} approval: ${what} cannot write there directly; create a change request for each change instead`,
        { environments: hit },
      );
  }
}
