import { Injectable } from '@nestjs/common';
import type { Actor } from '../auth/principal.js';
import { ChangeRequestGate } from '../change-requests/change-request-gate.service.js';
import { DomainError, validationFailed } from '../common/errors/domain-error.js';
import { validationFailedCapped } from '../common/validation/validation-pipe.js';
import { Database } from '../database/database.service.js';
import { replaceConfig } from '../flags/flag-config-change.js';
import { FlagsService } from '../flags/flags.service.js';
import { ProjectsService } from '../projects/projects.service.js';
import { SegmentsService } from '../segments/segments.service.js';
import { toFileFlag, toSignalboxFile } from './file-export.js';
import { type ConfigFields, configComparable, type Plan, type PlannedChange, planFile, type ProjectState } from './file-plan.js';
import { readSignalboxFile } from './file-validation.js';
import type { FileFlag, FileSegment, SignalboxFile } from './signalbox-file.js';

/** A plan as answered: the changes, the conflicts, and whether anything would change at all. */
export interface PlanOutcome {
  project: string;
  applied: boolean;
  changes: PlannedChange[];
  conflicts: Plan['conflicts'];
  summary: Record<'create' | 'update' | 'delete' | 'archive', number>;
  noChanges: boolean;
}

export interface ApplyOptions {
  reason: string;
  prune?: boolean;
}

const summaryOf = (changes: PlannedChange[]): PlanOutcome['summary'] => ({
  create: changes.filter((c) => c.action === 'create').length,
  update: changes.filter((c) => c.action === 'update').length,
  delete: changes.filter((c) => c.action === 'delete').length,
  archive: changes.filter((c) => c.action === 'archive').length,
});

const outcome = (project: string, plan: Plan, applied: boolean): PlanOutcome => ({
  project,
  applied,
  changes: plan.changes,
  conflicts: plan.conflicts,
  summary: summaryOf(plan.changes),
  noChanges: plan.changes.length === 0,
});

const conflictError = (plan: Plan): DomainError =>
  new DomainError(
    'VERSION_CONFLICT',
    `${plan.conflicts.length} item(s) changed since the file was exported; nothing was applied: ${plan.conflicts.map((c) => c.message).join('; ')}`,
    { conflicts: plan.conflicts },
  );

/** A domain write's 400 names fields of the item; the file's user needs them under the item's path. */
const underPath = async <T>(at: string | undefined | (() => string | undefined), work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (err) {
    const path = typeof at === 'function' ? at() : at;
    if (path && err instanceof DomainError && err.code === 'VALIDATION_FAILED' && Array.isArray(err.details))
      throw validationFailed((err.details as Array<{ field: string; reason: string }>).map((p) => ({ ...p, field: `${path}.${p.field}` })));
    throw err;
  }
};

/**
 * Flags as code: export a project as a Signalbox file, plan a file against the project, apply it
 * in one transaction. Every write goes through the flags and segments services, so it is
 * versioned, validated, audited, logged for SDKs and sent to webhooks like any other change.
 */
@Injectable()
export class FlagsAsCodeService {
  constructor(
    private readonly flags: FlagsService,
    private readonly segments: SegmentsService,
    private readonly projects: ProjectsService,
    private readonly db: Database,
    private readonly approval: ChangeRequestGate,
  ) {}

  async export(projectKey: string, environments?: string[]): Promise<SignalboxFile> {
    const state = await this.state(projectKey);
    const unknown = (environments ?? []).filter((e) => !state.environments.includes(e));
    if (unknown.length > 0) throw validationFailed([{ field: 'environments', reason: `no such environment in ${projectKey}: ${unknown.join(', ')}` }]);
    return toSignalboxFile(projectKey, state.flags, state.segments, environments?.length ? environments : state.environments);
  }

  async plan(projectKey: string, input: unknown, prune?: boolean): Promise<PlanOutcome> {
    const file = await readSignalboxFile(input);
    return outcome(projectKey, this.checked(file, await this.state(projectKey), prune ?? file.prune ?? false), false);
  }

  /** Makes the plan's changes in one transaction, each based on the version the plan saw; any conflict or failure writes nothing. */
  async apply(actor: Actor, projectKey: string, input: unknown, options: ApplyOptions): Promise<PlanOutcome> {
    const file = await readSignalboxFile(input);
    return this.db.transaction(async () => {
      const plan = this.checked(file, await this.state(projectKey), options.prune ?? file.prune ?? false);
      if (plan.conflicts.length > 0) throw conflictError(plan);
      await this.execute({ ...actor, name: `${actor.name} (source: file)` }, projectKey, file, plan, options.reason);
      return outcome(projectKey, plan, plan.changes.length > 0);
    });
  }

  /** Copies `source`'s configs onto `target` through the same plan and apply: each target config is based on its current version. */
  async copyEnvironment(
    actor: Actor,
    projectKey: string,
    source: string,
    target: string,
    options: { dryRun?: boolean; reason?: string; flags?: string[]; baseVersions?: Array<{ flag: string; version: number }> },
  ): Promise<PlanOutcome> {
    if (source === target) throw validationFailed([{ field: 'source', reason: 'copy from another environment than the target' }]);
    if (!options.dryRun && !options.reason?.trim()) throw validationFailed([{ field: 'reason', reason: 'a copy needs a reason (or dryRun: true)' }]);
    return this.db.transaction(async () => {
      const project = await this.projects.project(projectKey);
      await this.projects.environment(project, source);
      await this.projects.environment(project, target);
      const state = await this.state(projectKey);
      const active = state.flags.filter((f) => !f.archived);
      const wanted = options.flags ? new Set(options.flags) : null;
      const missing = (options.flags ?? []).flatMap((key, i) =>
        active.some((f) => f.key === key) ? [] : [{ field: `flags[${i}]`, reason: `no active flag '${key}'` }],
      );
      if (missing.length > 0) throw validationFailed(missing);
      // A reviewed plan names the versions it saw: one that moved since becomes a conflict, never an overwrite.
      const reviewedVersion = new Map((options.baseVersions ?? []).map((b) => [b.flag, b.version]));
      const file: SignalboxFile = {
        version: 1,
        segments: [],
        flags: active
          .filter((f) => !wanted || wanted.has(f.key))
          .map((f) => ({
            ...toFileFlag(f, []),
            environments: {
              [target]: { baseVersion: reviewedVersion.get(f.key) ?? f.environments[target]!.version, ...configComparable(f.environments[source]!) },
            },
          })),
      };
      const plan = this.checked(file, state, false);
      if (options.dryRun) return outcome(projectKey, plan, false);
      if (plan.conflicts.length > 0) throw conflictError(plan);
      await this.execute({ ...actor, name: `${actor.name} (source: copy ${source}→${target})` }, projectKey, file, plan, options.reason!);
      return outcome(projectKey, plan, plan.changes.length > 0);
    });
  }

  private checked(file: SignalboxFile, state: ProjectState, prune: boolean): Plan {
    const plan = planFile(file, state, prune);
    if (plan.problems.length > 0) throw validationFailedCapped(plan.problems);
    return plan;
  }

  private async state(projectKey: string): Promise<ProjectState> {
    const project = await this.projects.project(projectKey);
    const [environments, flags, segments] = [
      await this.projects.environments(project.id),
      await this.flags.list(projectKey, { archived: 'all' }),
      await this.segments.list(projectKey),
    ];
    return { key: projectKey, environments: environments.map((e) => e.key), flags, segments };
  }

  /**
   * The writes, in an order every intermediate state is valid in: segments a rule may name exist
   * before the rule; a flag's new variants exist before a config serves them, and a removed one is
   * removed only after the configs stop serving it; pruning comes last.
   */
  private async execute(actor: Actor, projectKey: string, file: SignalboxFile, plan: Plan, reason: string): Promise<void> {
    const segments = new Map(file.segments.map((s) => [s.key, s]));
    const flags = new Map(file.flags.map((f) => [f.key, f]));
    const of = (resource: PlannedChange['resource'], action: PlannedChange['action']) =>
      plan.changes.filter((c) => c.resource === resource && c.action === action);
    // A file or a copy is many changes at once, not one reviewable request: into an environment
    // that requires approval it is refused (403 APPROVAL_REQUIRED), before anything is written.
    const configEnvironments = [...of('config', 'create'), ...of('config', 'update')].map((c) => c.environment!);
    await this.approval.refuseGated(projectKey, [...new Set(configEnvironments)], 'a flags-as-code apply or copy', of('flag', 'archive').length > 0);
    const removesVariants = (change: PlannedChange) => {
      const kept = new Set(flags.get(change.key)!.variants.map((v) => v.key));
      return ((change.before?.variants ?? []) as Array<{ key: string }>).some((v) => !kept.has(v.key));
    };

    for (const change of [...of('segment', 'create'), ...of('segment', 'update')])
      await underPath(change.path, () => this.writeSegment(actor, projectKey, segments.get(change.key)!, change, reason));
    for (const change of of('flag', 'create')) await underPath(change.path, () => this.createFlag(actor, projectKey, flags.get(change.key)!));
    const updates = of('flag', 'update');
    for (const change of updates.filter((c) => !removesVariants(c)))
      await underPath(change.path, () => this.updateFlag(actor, projectKey, flags.get(change.key)!, change, reason));
    // One batch: the project is read once for all configs, not once per config (linear, not quadratic, in the file's size).
    let applying: string | undefined;
    const configChanges = [...of('config', 'create'), ...of('config', 'update')];
    await underPath(
      () => applying,
      () =>
        this.flags.changeConfigs(
          actor,
          projectKey,
          configChanges.map((change) => {
            const fields: ConfigFields = configComparable(flags.get(change.key)!.environments[change.environment!]!);
            const write = replaceConfig(fields, { reason, basedOnVersion: change.version ?? 0 });
            return {
              flagKey: change.key,
              environmentKey: change.environment!,
              // A refusal after this point (validation) belongs to this item of the file.
              change: { ...write, apply: (current) => ((applying = change.path), write.apply(current)) },
            };
          }),
        ),
    );
    for (const change of updates.filter(removesVariants))
      await underPath(change.path, () => this.updateFlag(actor, projectKey, flags.get(change.key)!, change, reason));
    for (const change of of('flag', 'archive')) await this.flags.archive(actor, projectKey, change.key, reason);
    for (const change of of('segment', 'delete')) await this.segments.delete(actor, projectKey, change.key, reason);
  }

  private async writeSegment(actor: Actor, projectKey: string, segment: FileSegment, change: PlannedChange, reason: string): Promise<void> {
    const fields = {
      name: segment.name,
      description: segment.description ?? '',
      included: segment.included,
      excluded: segment.excluded,
      rules: segment.rules,
      reason,
    };
    if (change.action === 'create') await this.segments.create(actor, projectKey, { key: segment.key, ...fields });
    else await this.segments.update(actor, projectKey, segment.key, { basedOnVersion: change.version!, ...fields });
  }

  private async createFlag(actor: Actor, projectKey: string, flag: FileFlag): Promise<void> {
    await this.flags.create(actor, projectKey, {
      key: flag.key,
      name: flag.name,
      description: flag.description,
      owner: flag.owner,
      tags: flag.tags,
      kind: flag.kind,
      variants: flag.variants,
      lifecycle: flag.lifecycle,
      expiresAt: flag.expiresAt ? new Date(flag.expiresAt) : undefined,
    });
  }

  private async updateFlag(actor: Actor, projectKey: string, flag: FileFlag, change: PlannedChange, reason: string): Promise<void> {
    await this.flags.update(actor, projectKey, flag.key, {
      basedOnVersion: change.version!,
      reason,
      name: flag.name,
      description: flag.description ?? '',
      owner: flag.owner ?? null,
      tags: flag.tags ?? [],
      variants: flag.variants,
      lifecycle: flag.lifecycle ?? 'temporary',
      expiresAt: flag.expiresAt ? new Date(flag.expiresAt) : null,
    });
  }
}
