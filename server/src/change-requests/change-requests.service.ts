import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { CreateRolloutPlanDto } from '../rollouts/dto/rollout-plan.dto.js';
import { RolloutsService } from '../rollouts/rollouts.service.js';
import { runAtProblems } from '../scheduled-changes/scheduled-change.js';
import type { ScheduledConfig } from '../scheduled-changes/scheduled-change.entity.js';
import { ScheduledChangesService } from '../scheduled-changes/scheduled-changes.service.js';
import type { UpdateSegmentDto } from '../segments/dto/segment.dto.js';
import type { SegmentResponse } from '../segments/dto/segment.response.js';
import { toSegmentChange } from '../segments/segment-changes.mapper.js';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/principal.js';
import { conflict, DomainError, forbidden, notFound, validationFailed, versionConflict } from '../common/errors/domain-error.js';
import { DomainEvents } from '../common/events/domain-events.js';
import { Database } from '../database/database.service.js';
import type { EditableFlagConfig, FlagConfigChange } from '../flags/flag-config-change.js';
import { validateFlagConfig } from '../flags/flag-config.validator.js';
import type { FlagConfigView, FlagView } from '../flags/flag.mapper.js';
import { FlagsService } from '../flags/flags.service.js';
import type { EnvironmentEntity } from '../projects/environment.entity.js';
import type { ProjectEntity } from '../projects/project.entity.js';
import { ProjectsService } from '../projects/projects.service.js';
import { SegmentsService } from '../segments/segments.service.js';
import type { ChangeRequestResponse } from './dto/change-request.response.js';
import type { ChangeRequestEntity, ChangeRequestKind, ChangeRequestPerson, ChangeRequestStatus } from './change-request.entity.js';
import { type ChangeRequestFilter, ChangeRequestsRepository } from './change-requests.repository.js';

export interface NewChangeRequest {
  kind: ChangeRequestKind;
  /** Every kind but `segment`. */
  flagKey?: string;
  /** For `segment`: the segment's key. */
  segmentKey?: string;
  environmentKey: string;
  baseVersion: number;
  /** `config`: the whole editable config; `rollout-plan`: the plan body; `segment`: the update (UpdateSegmentDto without version and reason). */
  change?: EditableFlagConfig | Record<string, unknown>;
  /** For `config`: when to write it. */
  runAt?: Date;
  /** For `segment`: the largest of the gated environments' that use it (default: the environment's). */
  requiredApprovals?: number;
  reason: string;
  reviewers?: string[];
}

/** A segment update as a request holds it: the PATCH body without version and reason. */
export type SegmentUpdate = Omit<UpdateSegmentDto, 'version' | 'reason'>;

export interface ChangeRequestQuery {
  status?: ChangeRequestStatus;
  environmentKey?: string;
  flagKey?: string;
  segmentKey?: string;
  /** The previous page's nextCursor: requests numbered below it. */
  before?: number;
  limit: number;
}

/** Who acts on a request, and whether they are an admin (admins may cancel anyone's). */
export interface Reviewer {
  actor: Actor;
  admin: boolean;
}

const personOf = (actor: Actor): ChangeRequestPerson => ({
  key: `${actor.type}:${actor.id ?? actor.name}`,
  type: actor.type,
  id: actor.id,
  email: actor.name,
});

const user = (person: ChangeRequestPerson) => ({ id: person.id, email: person.email });

const editable = (config: EditableFlagConfig): EditableFlagConfig => ({
  on: config.on,
  offVariant: config.offVariant,
  targets: config.targets,
  rules: config.rules,
  defaultRule: config.defaultRule,
  prerequisites: config.prerequisites,
});

/** Open: it can still be reviewed, rebased, applied or cancelled. */
const OPEN: ReadonlySet<ChangeRequestStatus> = new Set(['pending', 'approved', 'rejected']);

/**
 * Change requests: a config change, restore or archive in an environment that requires approval,
 * held until enough people other than its author approve it. Applying writes it through
 * FlagsService's one write path (versioned, audited, pushed to SDKs), in one transaction with the
 * request, and only if the config (or flag, for an archive) is still at the request's base version:
 * a stale request is refused with STALE_BASE and nothing is written, until its author rebases it.
 */
@Injectable()
export class ChangeRequestsService {
  constructor(
    private readonly repository: ChangeRequestsRepository,
    private readonly flags: FlagsService,
    private readonly projects: ProjectsService,
    private readonly segments: SegmentsService,
    private readonly rollouts: RolloutsService,
    private readonly scheduled: ScheduledChangesService,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
    private readonly db: Database,
  ) {}

  async list(projectKey: string, query: ChangeRequestQuery): Promise<{ items: ChangeRequestResponse[]; nextCursor: string | null }> {
    const project = await this.projects.project(projectKey);
    const environments = await this.projects.environments(project.id);
    const filter: ChangeRequestFilter = { status: query.status, flagKey: query.flagKey, segmentKey: query.segmentKey, before: query.before };
    if (query.environmentKey !== undefined) {
      const environment = environments.find((e) => e.key === query.environmentKey);
      if (!environment) return { items: [], nextCursor: null };
      filter.environmentId = environment.id;
    }
    const { items: requests, more } = await this.repository.page(project.id, filter, query.limit);
    const flags = new Map<string, FlagView | null>();
    const segments = new Map<string, SegmentResponse | null>();
    const views: ChangeRequestResponse[] = [];
    for (const request of requests) {
      if (request.flagKey !== null && !flags.has(request.flagKey))
        flags.set(request.flagKey, await this.flags.get(projectKey, request.flagKey).catch(() => null));
      if (request.segmentKey !== null && !segments.has(request.segmentKey))
        segments.set(request.segmentKey, await this.segments.get(projectKey, request.segmentKey).catch(() => null));
      views.push(
        this.present(
          request,
          project,
          environments,
          request.flagKey === null ? null : (flags.get(request.flagKey) ?? null),
          request.segmentKey === null ? null : (segments.get(request.segmentKey) ?? null),
        ),
      );
    }
    return { items: views, nextCursor: more ? String(requests[requests.length - 1]!.number) : null };
  }

  async get(projectKey: string, number: number): Promise<ChangeRequestResponse> {
    const project = await this.projects.project(projectKey);
    const request = await this.repository.find(project.id, number);
    if (!request) throw notFound('Change request', `#${number}`);
    return this.view(project, request);
  }

  /** Does a write to this environment need a change request? (404 for an unknown project or environment.) */
  async requiresApproval(projectKey: string, environmentKey: string): Promise<boolean> {
    const project = await this.projects.project(projectKey);
    return (await this.projects.environment(project, environmentKey)).requireApproval;
  }

  /** The project's environments that require approval. */
  async gatedEnvironments(projectKey: string): Promise<string[]> {
    const project = await this.projects.project(projectKey);
    return (await this.projects.environments(project.id)).filter((e) => e.requireApproval).map((e) => e.key);
  }

  async create(actor: Actor, projectKey: string, input: NewChangeRequest): Promise<ChangeRequestResponse> {
    return this.db.transaction(async () => {
      const project = await this.projects.project(projectKey);
      const environments = await this.projects.environments(project.id);
      const environment = environments.find((e) => e.key === input.environmentKey);
      if (!environment) throw notFound('Environment', `${projectKey}/${input.environmentKey}`);
      if (input.runAt !== undefined) {
        if (input.kind !== 'config')
          throw validationFailed([{ field: 'runAt', reason: `only a config request can be scheduled, not a ${input.kind} request` }]);
        const problems = runAtProblems(input.runAt, new Date());
        if (problems.length > 0) throw validationFailed(problems);
      }
      let flagKey: string | null = null;
      let segmentKey: string | null = null;
      let before: Record<string, unknown> | null;
      let change: EditableFlagConfig | Record<string, unknown> | null = null;
      if (input.kind === 'segment') {
        if (input.segmentKey === undefined) throw validationFailed([{ field: 'segment', reason: 'a segment request needs the segment key' }]);
        const segment = await this.segments.get(projectKey, input.segmentKey);
        if (segment.version !== input.baseVersion) throw versionConflict(`Segment '${segment.key}'`, segment.version, segment);
        segmentKey = segment.key;
        before = segment as unknown as Record<string, unknown>;
        change = { ...(input.change ?? {}) };
      } else {
        if (input.flagKey === undefined) throw validationFailed([{ field: 'flag', reason: `a ${input.kind} request needs the flag key` }]);
        const flag = await this.flags.get(projectKey, input.flagKey);
        flagKey = flag.key;
        const base = await this.checkBase(project, environment, flag, input.kind, input.baseVersion);
        before = base as unknown as Record<string, unknown> | null;
        if (input.kind === 'config') {
          if (!input.change) throw validationFailed([{ field: 'change', reason: 'a config change request needs the config it writes' }]);
          change = editable(input.change as EditableFlagConfig);
          await this.checkConfig(project, environment.key, flag, change);
        } else if (input.kind === 'rollout-plan') {
          if (!input.change) throw validationFailed([{ field: 'change', reason: 'a rollout-plan request needs the plan it creates' }]);
          change = { ...input.change };
        } else if (input.change !== undefined) {
          throw validationFailed([{ field: 'change', reason: `a ${input.kind} request carries no config` }]);
        }
        if (input.kind === 'restore' && base && !base.killed)
          throw conflict(`Flag '${flag.key}' is not killed in ${environment.key}: there is nothing to restore`);
      }
      const gated = environments.filter((e) => e.requireApproval);
      const requiredApprovals =
        input.requiredApprovals ??
        (input.kind === 'archive' && gated.length > 0 ? Math.max(...gated.map((e) => e.requiredApprovals)) : environment.requiredApprovals);
      const saved = await this.repository.save({
        projectId: project.id,
        number: await this.repository.nextNumber(project.id),
        environmentId: environment.id,
        flagKey,
        segmentKey,
        kind: input.kind,
        baseVersion: input.baseVersion,
        change,
        runAt: input.runAt ?? null,
        scheduledChangeId: null,
        before,
        reason: input.reason,
        author: personOf(actor),
        reviewers: input.reviewers ?? [],
        status: 'pending',
        requiredApprovals,
        approvals: [],
        rejections: [],
        comments: [],
        appliedAt: null,
        appliedVersion: null,
      });
      const view = await this.view(project, saved);
      await this.record(actor, 'change_request.created', projectKey, saved, input.reason, null, view);
      await this.events.publish('change_request.created', { projectKey, changeRequest: view });
      return view;
    });
  }

  async approve(reviewer: Reviewer, projectKey: string, number: number, comment?: string): Promise<ChangeRequestResponse> {
    return this.review(reviewer, projectKey, number, 'approve', comment);
  }

  async reject(reviewer: Reviewer, projectKey: string, number: number, comment?: string): Promise<ChangeRequestResponse> {
    return this.review(reviewer, projectKey, number, 'reject', comment);
  }

  async comment(reviewer: Reviewer, projectKey: string, number: number, body: string): Promise<ChangeRequestResponse> {
    return this.db.transaction(async () => {
      const { project, request } = await this.locked(projectKey, number);
      request.comments = [...request.comments, { id: randomUUID(), user: personOf(reviewer.actor), at: new Date().toISOString(), body }];
      const saved = await this.repository.save(request);
      const view = await this.view(project, saved);
      await this.record(reviewer.actor, 'change_request.commented', projectKey, saved, null, null, { number, body });
      return view;
    });
  }

  async apply(reviewer: Reviewer, projectKey: string, number: number): Promise<ChangeRequestResponse> {
    // A plan reads its control baseline inside the transaction, where telemetry cannot write: write
    // what this instance has acknowledged first, as the direct POST does.
    const peek = await this.repository.find((await this.projects.project(projectKey)).id, number);
    if (peek?.kind === 'rollout-plan') await this.rollouts.settleTelemetry();
    return this.db.transaction(async () => {
      const { project, request } = await this.locked(projectKey, number);
      if (request.status !== 'approved')
        throw new DomainError('NOT_APPROVED', `Change request #${number} is ${request.status}: only an approved request can be applied`, {
          status: request.status,
          approvals: request.approvals.length,
          requiredApprovals: request.requiredApprovals,
        });
      const me = personOf(reviewer.actor).key;
      if (request.author.key !== me && !request.approvals.some((a) => a.user.key === me))
        throw forbidden(`Only the author or someone who approved change request #${number} may apply it`);
      const environment = await this.environmentOf(project, request);
      const reason = `change request #${number}: ${request.reason}`;
      let appliedVersion: number | null = null;
      try {
        if (request.kind === 'segment') {
          const segmentKey = request.segmentKey!;
          const segment = await this.segments.get(projectKey, segmentKey);
          if (segment.version !== request.baseVersion) throw this.stale(request, segment.version, segment);
          const update = request.change as SegmentUpdate;
          appliedVersion = (
            await this.segments.update(
              reviewer.actor,
              projectKey,
              segmentKey,
              toSegmentChange({ ...update, version: request.baseVersion, reason } as UpdateSegmentDto),
            )
          ).version;
        } else {
          const flagKey = request.flagKey!;
          const flag = await this.flags.get(projectKey, flagKey);
          const current = await this.currentVersion(project, environment, flag, request.kind);
          if (current.version !== request.baseVersion) throw this.stale(request, current.version, current.view);
          const ref = { projectKey, flagKey, environmentKey: environment.key };
          if (request.kind === 'archive') {
            appliedVersion = (await this.flags.archive(reviewer.actor, projectKey, flagKey, reason, request.baseVersion)).version;
          } else if (request.kind === 'rollout-plan') {
            // Created and started as the direct POST would (same checks and refusals); from then on its
            // stages, advances, rollbacks and guards run without asking again.
            await this.rollouts.create(reviewer.actor, ref, request.change as unknown as CreateRolloutPlanDto);
            appliedVersion = (await this.flags.getConfig(projectKey, flagKey, environment.key)).version;
          } else if (request.kind === 'config' && request.runAt !== null && request.runAt.getTime() > Date.now()) {
            // Not due yet: the usual scheduled change, fired by the scheduler, base-checked when it fires.
            const scheduled = await this.scheduled.create(reviewer.actor, ref, {
              runAt: request.runAt,
              basedOnVersion: request.baseVersion,
              reason,
              replace: request.change as unknown as ScheduledConfig,
            });
            request.scheduledChangeId = scheduled.id;
          } else {
            const write = await this.flags.changeConfig(reviewer.actor, ref, this.configChange(request, reason));
            appliedVersion = write.config.version;
          }
        }
      } catch (err) {
        // The base moved between the check above and the row lock: the same refusal, nothing written.
        if (err instanceof DomainError && err.code === 'VERSION_CONFLICT') {
          const details = err.details as { currentVersion: number; current?: unknown };
          throw this.stale(request, details.currentVersion, details.current ?? null);
        }
        throw err;
      }
      const before = await this.view(project, request);
      request.status = 'applied';
      request.appliedAt = new Date();
      request.appliedVersion = appliedVersion;
      const saved = await this.repository.save(request);
      const view = await this.view(project, saved);
      await this.record(reviewer.actor, 'change_request.applied', projectKey, saved, reason, before, view);
      await this.events.publish('change_request.applied', { projectKey, changeRequest: view });
      return view;
    });
  }

  async rebase(reviewer: Reviewer, projectKey: string, number: number, baseVersion: number, change?: EditableFlagConfig): Promise<ChangeRequestResponse> {
    return this.db.transaction(async () => {
      const { project, request } = await this.locked(projectKey, number);
      if (request.author.key !== personOf(reviewer.actor).key) throw forbidden(`Only the author may rebase change request #${number}`);
      this.mustBeOpen(request, 'rebased');
      const environment = await this.environmentOf(project, request);
      const before = await this.view(project, request);
      if (change !== undefined && request.kind !== 'config')
        throw validationFailed([{ field: 'change', reason: `a ${request.kind} request carries no config` }]);
      if (request.kind === 'segment') {
        const segment = await this.segments.get(projectKey, request.segmentKey!);
        if (segment.version !== baseVersion) throw versionConflict(`Segment '${segment.key}'`, segment.version, segment);
        request.before = segment as unknown as Record<string, unknown>;
      } else {
        const flag = await this.flags.get(projectKey, request.flagKey!);
        const base = await this.checkBase(project, environment, flag, request.kind, baseVersion);
        if (change !== undefined) request.change = editable(change);
        if (request.kind === 'config') await this.checkConfig(project, environment.key, flag, request.change as EditableFlagConfig);
        request.before = base as unknown as Record<string, unknown> | null;
      }
      request.baseVersion = baseVersion;
      // A different change (or the same one on a different base) needs reviewing again.
      request.approvals = [];
      request.rejections = [];
      request.status = 'pending';
      const saved = await this.repository.save(request);
      const view = await this.view(project, saved);
      await this.record(reviewer.actor, 'change_request.rebased', projectKey, saved, null, before, view);
      return view;
    });
  }

  async cancel(reviewer: Reviewer, projectKey: string, number: number): Promise<ChangeRequestResponse> {
    return this.db.transaction(async () => {
      const { project, request } = await this.locked(projectKey, number);
      if (request.author.key !== personOf(reviewer.actor).key && !reviewer.admin)
        throw forbidden(`Only the author or an admin may cancel change request #${number}`);
      this.mustBeOpen(request, 'cancelled');
      const before = await this.view(project, request);
      request.status = 'cancelled';
      const saved = await this.repository.save(request);
      const view = await this.view(project, saved);
      await this.record(reviewer.actor, 'change_request.cancelled', projectKey, saved, null, before, view);
      return view;
    });
  }

  private async review(reviewer: Reviewer, projectKey: string, number: number, verdict: 'approve' | 'reject', comment?: string) {
    return this.db.transaction(async () => {
      const { project, request } = await this.locked(projectKey, number);
      const me = personOf(reviewer.actor);
      if (request.author.key === me.key)
        throw new DomainError(
          'SELF_APPROVAL',
          verdict === 'approve'
            ? `You wrote change request #${number}: someone else must approve it`
            : `You wrote change request #${number}: cancel it instead of rejecting it`,
        );
      if (request.status !== 'pending' && request.status !== 'approved')
        throw conflict(`Change request #${number} is ${request.status}: only a pending or approved request can be reviewed`, { status: request.status });
      const before = await this.view(project, request);
      const wasApproved = request.status === 'approved';
      const review = { user: me, at: new Date().toISOString(), comment: comment?.trim() ? comment : null };
      // One verdict per reviewer: a new one replaces their earlier one.
      request.approvals = request.approvals.filter((a) => a.user.key !== me.key);
      request.rejections = request.rejections.filter((r) => r.user.key !== me.key);
      if (verdict === 'approve') {
        request.approvals = [...request.approvals, review];
        request.status = request.approvals.length >= request.requiredApprovals ? 'approved' : 'pending';
      } else {
        request.rejections = [...request.rejections, review];
        request.status = 'rejected';
      }
      const saved = await this.repository.save(request);
      const view = await this.view(project, saved);
      await this.record(
        reviewer.actor,
        verdict === 'approve' ? 'change_request.approved' : 'change_request.rejected',
        projectKey,
        saved,
        review.comment,
        before,
        view,
      );
      if (verdict === 'reject') await this.events.publish('change_request.rejected', { projectKey, changeRequest: view });
      else if (!wasApproved && saved.status === 'approved') await this.events.publish('change_request.approved', { projectKey, changeRequest: view });
      return view;
    });
  }

  /** The change FlagsService writes: based on the request's base version, so a moved config refuses it. */
  private configChange(request: ChangeRequestEntity, reason: string): FlagConfigChange {
    if (request.kind === 'restore')
      return { action: 'flag.restored', reason, basedOnVersion: request.baseVersion, apply: (current) => (current.kill ? { ...current, kill: null } : null) };
    const change = request.change as EditableFlagConfig;
    return { action: 'flag.config.updated', reason, basedOnVersion: request.baseVersion, apply: (current) => ({ ...change, kill: current.kill }) };
  }

  /** 409 unless `baseVersion` is current; the config view at it (null for an archive). */
  private async checkBase(project: ProjectEntity, environment: EnvironmentEntity, flag: FlagView, kind: ChangeRequestKind, baseVersion: number) {
    if (flag.archived) throw conflict(`Flag '${flag.key}' is archived; unarchive it to change it`);
    const current = await this.currentVersion(project, environment, flag, kind);
    if (current.version !== baseVersion)
      throw versionConflict(kind === 'archive' ? `Flag '${flag.key}'` : `The config of '${flag.key}' in ${environment.key}`, current.version, current.view);
    return kind === 'archive' ? null : (current.view as FlagConfigView);
  }

  private async currentVersion(project: ProjectEntity, environment: EnvironmentEntity, flag: FlagView, kind: ChangeRequestKind) {
    if (kind === 'archive') return { version: flag.version, view: flag as unknown };
    const view = flag.environments[environment.key] ?? (await this.flags.getConfig(project.key, flag.key, environment.key));
    return { version: view.version, view: view as unknown };
  }

  private stale(request: ChangeRequestEntity, currentVersion: number, current: unknown): DomainError {
    return new DomainError(
      'STALE_BASE',
      `Change request #${request.number} was made against version ${request.baseVersion}, but it is at version ${currentVersion} now: rebase it`,
      { baseVersion: request.baseVersion, currentVersion, current },
    );
  }

  /** The checks the write makes, made now, so a bad config is refused when the request is made (fields under `change.`). */
  private async checkConfig(project: ProjectEntity, environmentKey: string, flag: FlagView, change: EditableFlagConfig) {
    const flags = new Map((await this.flags.list(project.key, {})).map((f) => [f.key, f]));
    const segmentKeys = await this.segments.keys(project.id);
    const problems = validateFlagConfig(change, {
      flagKey: flag.key,
      variants: flag.variants,
      segmentKeys,
      variantsOf: (key) => flags.get(key)?.variants,
      prerequisitesOf: (key) =>
        (key === flag.key ? change.prerequisites : (flags.get(key)?.environments[environmentKey]?.prerequisites ?? [])).map((p) => p.flag),
    });
    if (problems.length > 0) throw validationFailed(problems.map((p) => ({ ...p, field: `change.${p.field}` })));
  }

  private mustBeOpen(request: ChangeRequestEntity, becoming: string): void {
    if (!OPEN.has(request.status))
      throw conflict(`Change request #${request.number} is ${request.status}: it cannot be ${becoming}`, { status: request.status });
  }

  private async locked(projectKey: string, number: number) {
    const project = await this.projects.project(projectKey);
    const request = await this.repository.findForUpdate(project.id, number);
    if (!request) throw notFound('Change request', `#${number}`);
    return { project, request };
  }

  private async environmentOf(project: ProjectEntity, request: ChangeRequestEntity): Promise<EnvironmentEntity> {
    const environment = (await this.projects.environments(project.id)).find((e) => e.id === request.environmentId);
    if (!environment) throw notFound('Environment', request.environmentId);
    return environment;
  }

  private async view(project: ProjectEntity, request: ChangeRequestEntity): Promise<ChangeRequestResponse> {
    const environments = await this.projects.environments(project.id);
    const flag = request.flagKey === null ? null : await this.flags.get(project.key, request.flagKey).catch(() => null);
    const segment = request.segmentKey === null ? null : await this.segments.get(project.key, request.segmentKey).catch(() => null);
    return this.present(request, project, environments, flag, segment);
  }

  private present(
    request: ChangeRequestEntity,
    project: ProjectEntity,
    environments: EnvironmentEntity[],
    flag: FlagView | null,
    segment: SegmentResponse | null,
  ): ChangeRequestResponse {
    const environmentKey = environments.find((e) => e.id === request.environmentId)?.key ?? '';
    const before = request.kind === 'rollout-plan' ? null : (request.before as unknown as FlagConfigView | null);
    const after: FlagConfigView | null =
      before === null ? null : request.kind === 'restore' ? { ...before, killed: false, kill: null } : { ...before, ...(request.change ?? {}) };
    const currentVersion =
      request.kind === 'segment' ? segment?.version : request.kind === 'archive' ? flag?.version : flag?.environments[environmentKey]?.version;
    return {
      id: request.id,
      number: request.number,
      project: project.key,
      environment: environmentKey,
      kind: request.kind,
      flag: request.flagKey,
      segment: request.segmentKey,
      baseVersion: request.baseVersion,
      change: request.change as ChangeRequestResponse['change'],
      diff: before && after ? { before, after } : null,
      runAt: request.runAt?.toISOString() ?? null,
      scheduledChangeId: request.scheduledChangeId,
      reason: request.reason,
      author: user(request.author),
      reviewers: request.reviewers,
      status: request.status,
      requiredApprovals: request.requiredApprovals,
      approvals: request.approvals.map((a) => ({ user: user(a.user), at: a.at, comment: a.comment })),
      rejections: request.rejections.map((r) => ({ user: user(r.user), at: r.at, comment: r.comment })),
      comments: request.comments.map((c) => ({ id: c.id, user: user(c.user), at: c.at, body: c.body })),
      createdAt: request.createdAt.toISOString(),
      updatedAt: request.updatedAt.toISOString(),
      appliedAt: request.appliedAt?.toISOString() ?? null,
      appliedVersion: request.appliedVersion,
      stale: OPEN.has(request.status) && currentVersion !== undefined && currentVersion !== request.baseVersion,
    };
  }

  private record(actor: Actor, action: string, projectKey: string, request: ChangeRequestEntity, reason: string | null, before: object | null, after: object) {
    return this.audit.record({
      actor,
      action,
      // On the flag (or segment), as every change to it is, so its history and the audit filter by flag show them.
      resourceType: request.segmentKey === null ? 'flag' : 'segment',
      resourceKey: request.segmentKey ?? request.flagKey ?? '',
      projectKey,
      environmentKey: request.kind === 'archive' || request.kind === 'segment' ? undefined : (request.before as { environment?: string } | null)?.environment,
      reason,
      before,
      after,
    });
  }
}
