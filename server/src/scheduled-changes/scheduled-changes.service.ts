import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/principal.js';
import { conflict, DomainError, type FieldProblem, notFound, validationFailed, versionConflict } from '../common/errors/domain-error.js';
import { DomainEvents } from '../common/events/domain-events.js';
import { Database } from '../database/database.service.js';
import type { FlagConfigState } from '../flags/flag-config-change.js';
import { validateFlagConfig } from '../flags/flag-config.validator.js';
import type { FlagEnvironmentRef } from '../flags/flag-environment.decorator.js';
import type { FlagConfigView, FlagView } from '../flags/flag.mapper.js';
import { FlagsService } from '../flags/flags.service.js';
import { ProjectsService } from '../projects/projects.service.js';
import { SegmentsService } from '../segments/segments.service.js';
import type { ScheduledChangeResponse } from './dto/scheduled-change.response.js';
import { runAtProblems, scheduledConfig, toConfigChange } from './scheduled-change.js';
import type { ScheduledChangeEntity, ScheduledChangeKind, ScheduledChangeStatus, ScheduledConfig } from './scheduled-change.entity.js';
import { ScheduledChangesRepository } from './scheduled-changes.repository.js';

export interface NewScheduledChange {
  runAt: Date;
  /** The config version the change is made against. */
  basedOnVersion: number;
  reason?: string;
  replace?: ScheduledConfig;
  patch?: ScheduledConfig;
}

/** Absent = unchanged; `reason: null` clears it; `replace`/`patch` replace the change; `basedOnVersion` rebases it. */
export interface ScheduledChangeEdit {
  runAt?: Date;
  basedOnVersion?: number;
  reason?: string | null;
  replace?: ScheduledConfig;
  patch?: ScheduledConfig;
}

/** How many due changes one pass applies; the rest wait for the next pass, a moment later. */
const MAX_PER_PASS = 50;
const SAVEPOINT = 'scheduled_change_apply';

const stateOf = (view: FlagConfigView): FlagConfigState => ({
  on: view.on,
  kill: view.kill,
  offVariant: view.offVariant,
  targets: view.targets,
  rules: view.rules,
  defaultRule: view.defaultRule,
  prerequisites: view.prerequisites,
});

const bodyOf = (input: { replace?: ScheduledConfig; patch?: ScheduledConfig }): { kind: ScheduledChangeKind; config: ScheduledConfig } | FieldProblem => {
  if (input.replace !== undefined && input.patch !== undefined) return { field: 'patch', reason: 'give replace or patch, not both' };
  if (input.replace !== undefined) return { kind: 'replace', config: input.replace };
  if (input.patch !== undefined) return { kind: 'patch', config: input.patch };
  return { field: 'replace', reason: 'give the change: replace (the whole config) or patch (some fields)' };
};

/**
 * Config changes set to happen at a time. Each is written, when due, through FlagsService's one write
 * path (versioned, audited as its author with "scheduled" in the reason, logged for SDKs, sent to
 * webhooks), and only if the config is still at the version it was made against; otherwise it is
 * marked `conflict` and reported (audit entry and the `scheduled_change.failed` webhook event).
 */
@Injectable()
export class ScheduledChangesService {
  private readonly logger = new Logger('scheduled-changes');
  private readonly scheduledListeners = new Set<() => void>();

  constructor(
    private readonly repository: ScheduledChangesRepository,
    private readonly flags: FlagsService,
    private readonly projects: ProjectsService,
    private readonly segments: SegmentsService,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
    private readonly db: Database,
  ) {}

  /** Hears every committed create or edit on this instance (the scheduler re-arms its timer). */
  onScheduled(listener: () => void): () => void {
    this.scheduledListeners.add(listener);
    return () => this.scheduledListeners.delete(listener);
  }

  async list(ref: FlagEnvironmentRef, status?: ScheduledChangeStatus): Promise<ScheduledChangeResponse[]> {
    const { environment, current } = await this.target(ref);
    const changes = await this.repository.list(environment.id, ref.flagKey, status);
    return changes.map((change) => this.present(change, ref.environmentKey, current));
  }

  async get(ref: FlagEnvironmentRef, id: string): Promise<ScheduledChangeResponse> {
    const { environment, current } = await this.target(ref);
    const change = (await this.repository.list(environment.id, ref.flagKey)).find((c) => c.id === id);
    if (!change) throw notFound('Scheduled change', id);
    return this.present(change, ref.environmentKey, current);
  }

  async create(actor: Actor, ref: FlagEnvironmentRef, input: NewScheduledChange): Promise<ScheduledChangeResponse> {
    const body = bodyOf(input);
    const problems = [...runAtProblems(input.runAt, new Date()), ...('field' in body ? [body] : [])];
    if (problems.length > 0 || 'field' in body) throw validationFailed(problems);
    return this.db.transaction(async () => {
      const { project, environment, flag, current } = await this.target(ref);
      if (flag.archived) throw conflict(`Flag '${ref.flagKey}' is archived; unarchive it to change its configuration`);
      if (input.basedOnVersion !== current.version) throw versionConflict(`The config of '${ref.flagKey}' in ${ref.environmentKey}`, current.version, current);
      if (environment.requireChangeReason && !input.reason?.trim())
        throw validationFailed([{ field: 'reason', reason: `${ref.environmentKey} requires a reason for every change` }]);
      await this.checkConfig(project.id, ref, flag, body.kind, body.config, current);
      const saved = await this.repository.save({
        projectId: project.id,
        environmentId: environment.id,
        flagKey: ref.flagKey,
        kind: body.kind,
        config: body.config,
        baseVersion: current.version,
        runAt: input.runAt,
        reason: input.reason?.trim() ? input.reason : null,
        status: 'scheduled',
        author: { type: actor.type, id: actor.id, name: actor.name },
        failure: null,
        appliedVersion: null,
        finishedAt: null,
      });
      const view = this.present(saved, ref.environmentKey, current);
      await this.record(actor, 'scheduled_change.created', ref, saved.reason, null, view);
      this.db.afterCommit(() => this.announceScheduled());
      return view;
    });
  }

  async update(actor: Actor, ref: FlagEnvironmentRef, id: string, edit: ScheduledChangeEdit): Promise<ScheduledChangeResponse> {
    const problems: FieldProblem[] = edit.runAt ? runAtProblems(edit.runAt, new Date()) : [];
    const body = edit.replace === undefined && edit.patch === undefined ? null : bodyOf(edit);
    if (body && 'field' in body) problems.push(body);
    if (problems.length > 0) throw validationFailed(problems);
    return this.db.transaction(async () => {
      const { project, environment, flag, current } = await this.target(ref);
      const change = await this.pending(id, environment.id, ref.flagKey);
      const before = this.present(change, ref.environmentKey, current);
      if (edit.basedOnVersion !== undefined) {
        if (edit.basedOnVersion !== current.version) throw versionConflict(`The config of '${ref.flagKey}' in ${ref.environmentKey}`, current.version, current);
        change.baseVersion = current.version;
      }
      if (edit.runAt) change.runAt = edit.runAt;
      if (edit.reason !== undefined) change.reason = edit.reason?.trim() ? edit.reason : null;
      if (environment.requireChangeReason && !change.reason)
        throw validationFailed([{ field: 'reason', reason: `${ref.environmentKey} requires a reason for every change` }]);
      if (body && !('field' in body)) {
        change.kind = body.kind;
        change.config = body.config;
      }
      if (body || edit.basedOnVersion !== undefined) await this.checkConfig(project.id, ref, flag, change.kind, change.config, current);
      const saved = await this.repository.save(change);
      const view = this.present(saved, ref.environmentKey, current);
      await this.record(actor, 'scheduled_change.updated', ref, saved.reason, before, view);
      this.db.afterCommit(() => this.announceScheduled());
      return view;
    });
  }

  async cancel(actor: Actor, ref: FlagEnvironmentRef, id: string, reason?: string): Promise<ScheduledChangeResponse> {
    return this.db.transaction(async () => {
      const { environment, current } = await this.target(ref);
      const change = await this.pending(id, environment.id, ref.flagKey);
      const before = this.present(change, ref.environmentKey, current);
      change.status = 'cancelled';
      change.finishedAt = new Date();
      const saved = await this.repository.save(change);
      const view = this.present(saved, ref.environmentKey, current);
      await this.record(actor, 'scheduled_change.cancelled', ref, reason ?? null, before, view);
      return view;
    });
  }

  /** When the next scheduled change is due (null: none is scheduled). */
  nextRunAt(): Promise<Date | null> {
    return this.repository.nextRunAt();
  }

  /**
   * Applies every due change, one transaction each, under the scheduler lock (another instance
   * holding it means this pass stops: that instance is applying them). `ran` is false when the lock was taken.
   */
  async tick(): Promise<{ ran: boolean; applied: number; refused: number }> {
    let applied = 0;
    let refused = 0;
    for (let i = 0; i < MAX_PER_PASS; i++) {
      const outcome = await this.db.transaction(async () => {
        if (!(await this.repository.trySchedulerLock())) return 'locked' as const;
        const change = await this.repository.nextDueForUpdate(new Date());
        return change ? this.fire(change) : ('none' as const);
      });
      if (outcome === 'locked') return { ran: i > 0, applied, refused };
      if (outcome === 'none') break;
      if (outcome === 'applied') applied++;
      else refused++;
    }
    return { ran: true, applied, refused };
  }

  private async fire(change: ScheduledChangeEntity): Promise<'applied' | 'refused'> {
    const found = await this.projects.environmentById(change.environmentId);
    const ref: FlagEnvironmentRef = { projectKey: found?.project.key ?? '', flagKey: change.flagKey, environmentKey: found?.environment.key ?? '' };
    const author: Actor = { ...change.author };
    change.finishedAt = new Date();
    // A refused write is undone to here, and the change is marked in the same transaction, so a
    // change is either applied or reported, never retried by the next pass.
    await this.repository.savepoint(SAVEPOINT);
    try {
      if (!found) throw notFound('Environment', change.environmentId);
      const write = await this.flags.changeConfig(author, ref, {
        ...toConfigChange(change),
        reason: change.reason ? `scheduled: ${change.reason}` : 'scheduled',
      });
      await this.repository.release(SAVEPOINT);
      change.status = 'applied';
      change.appliedVersion = write.config.version;
      const saved = await this.repository.save(change);
      await this.record(author, 'scheduled_change.applied', ref, change.reason, null, this.present(saved, ref.environmentKey, write.config));
      return 'applied';
    } catch (err) {
      await this.repository.rollbackTo(SAVEPOINT);
      if (!(err instanceof DomainError)) this.logger.error({ err, scheduledChange: change.id, flag: change.flagKey }, 'scheduled change failed');
      const code = err instanceof DomainError ? err.code : 'GENERAL';
      const message = err instanceof Error ? err.message : String(err);
      const currentVersion =
        err instanceof DomainError && err.code === 'VERSION_CONFLICT' ? (err.details as { currentVersion?: number }).currentVersion : undefined;
      change.status = code === 'VERSION_CONFLICT' ? 'conflict' : 'failed';
      change.failure = { code, message, ...(currentVersion === undefined ? {} : { currentVersion }) };
      const saved = await this.repository.save(change);
      await this.record(author, 'scheduled_change.failed', ref, message, null, this.present(saved, ref.environmentKey, null));
      await this.events.publish('scheduled_change.failed', {
        id: saved.id,
        projectKey: ref.projectKey,
        environmentKey: ref.environmentKey,
        flagKey: saved.flagKey,
        status: saved.status,
        runAt: saved.runAt.toISOString(),
        baseVersion: saved.baseVersion,
        currentVersion: currentVersion ?? null,
        code,
        message,
        reason: saved.reason,
        actor: author,
      });
      return 'refused';
    }
  }

  /** The flag's config in the environment (404s for an unknown project, environment or flag). */
  private async target(ref: FlagEnvironmentRef) {
    const project = await this.projects.project(ref.projectKey);
    const environment = await this.projects.environment(project, ref.environmentKey);
    const flag = await this.flags.get(ref.projectKey, ref.flagKey);
    const current = flag.environments[ref.environmentKey] ?? (await this.flags.getConfig(ref.projectKey, ref.flagKey, ref.environmentKey));
    return { project, environment, flag, current };
  }

  private async pending(id: string, environmentId: string, flagKey: string): Promise<ScheduledChangeEntity> {
    const change = /^[0-9a-f-]{36}$/i.test(id) ? await this.repository.findForUpdate(id) : null;
    if (!change || change.environmentId !== environmentId || change.flagKey !== flagKey) throw notFound('Scheduled change', id);
    if (change.status !== 'scheduled')
      throw conflict(`Scheduled change ${id} is ${change.status}: only a scheduled one can be edited or cancelled`, { status: change.status });
    return change;
  }

  /** The checks the write makes when due, made now against the current config, so a bad change is refused at once (fields under `replace.`/`patch.`). */
  private async checkConfig(
    projectId: string,
    ref: FlagEnvironmentRef,
    flag: FlagView,
    kind: ScheduledChangeKind,
    config: ScheduledConfig,
    current: FlagConfigView,
  ) {
    const flags = new Map((await this.flags.list(ref.projectKey, {})).map((f) => [f.key, f]));
    const segmentKeys = await this.segments.keys(projectId);
    const next = scheduledConfig(kind, config, stateOf(current));
    const problems = validateFlagConfig(next, {
      flagKey: flag.key,
      variants: flag.variants,
      segmentKeys,
      variantsOf: (key) => flags.get(key)?.variants,
      prerequisitesOf: (key) =>
        (key === flag.key ? next.prerequisites : (flags.get(key)?.environments[ref.environmentKey]?.prerequisites ?? [])).map((p) => p.flag),
    });
    if (problems.length > 0) throw validationFailed(problems.map((p) => ({ ...p, field: `${kind}.${p.field}` })));
  }

  private present(change: ScheduledChangeEntity, environmentKey: string, current: FlagConfigView | null): ScheduledChangeResponse {
    const scheduled = change.status === 'scheduled' && current !== null;
    return {
      id: change.id,
      flagKey: change.flagKey,
      environment: environmentKey,
      runAt: change.runAt.toISOString(),
      status: change.status,
      kind: change.kind,
      config: change.config,
      baseVersion: change.baseVersion,
      reason: change.reason,
      author: change.author,
      createdAt: change.createdAt.toISOString(),
      updatedAt: change.updatedAt.toISOString(),
      finishedAt: change.finishedAt?.toISOString() ?? null,
      appliedVersion: change.appliedVersion,
      failure: change.failure,
      stale: scheduled && current.version !== change.baseVersion,
      proposed: scheduled ? { ...current, ...scheduledConfig(change.kind, change.config, stateOf(current)), killed: current.killed } : null,
    };
  }

  private record(actor: Actor, action: string, ref: FlagEnvironmentRef, reason: string | null, before: object | null, after: object) {
    return this.audit.record({
      actor,
      action,
      resourceType: 'flag',
      resourceKey: ref.flagKey,
      projectKey: ref.projectKey,
      environmentKey: ref.environmentKey,
      reason,
      before,
      after,
    });
  }

  private announceScheduled(): void {
    for (const listener of this.scheduledListeners) listener();
  }
}
