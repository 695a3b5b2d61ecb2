import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EnvironmentConfig, Serve, Variant } from '@signalbox/sdk/core';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/principal.js';
import { ChangesService } from '../changes/changes.service.js';
import { conflict, type FieldProblem, notFound, validationFailed, versionConflict } from '../common/errors/domain-error.js';
import { DomainEvents } from '../common/events/domain-events.js';
import { Database } from '../database/database.service.js';
import { StaleFlagsReadModel } from '../lifecycle/stale-flags.read-model.js';
import { ProjectsService } from '../projects/projects.service.js';
import { SegmentsService } from '../segments/segments.service.js';
import type { FlagConfigChange } from './flag-config-change.js';
import type { FlagConfigEntity } from './flag-config.entity.js';
import { type ConfigValidationContext, type FlagConfigInput, validateFlagConfig, validateVariants } from './flag-config.validator.js';
import type { FlagEnvironmentRef } from './flag-environment.decorator.js';
import type { FlagEntity } from './flag.entity.js';
import { defaultConfig, type FlagConfigView, type FlagView, toConfigState, toConfigView, toCoreFlagConfig, toFlagView } from './flag.mapper.js';
import { type FlagScope, FlagsRepository, type OrderedFlag } from './flags.repository.js';
import type { FlagChange, FlagFilter, FlagListPosition, FlagOrder, FlagPageRequest, NewFlag } from './flag-changes.js';

/** The outcome of a config write: `changed` is false for a no-op (e.g. killing a killed flag); `sequence` is the change-log entry, if any. */
export interface ConfigWrite {
  config: FlagConfigView;
  changed: boolean;
  sequence: number | null;
}

/** A page of a list: the flags, how many the filter holds in all, and the position the next page starts after (null: none). */
export interface FlagPage {
  items: FlagView[];
  total: number;
  next: FlagListPosition | null;
}

type Project = Awaited<ReturnType<ProjectsService['project']>>;
type Environment = Awaited<ReturnType<ProjectsService['environment']>>;

type Config = Omit<FlagConfigEntity, 'updatedAt'> & { updatedAt?: Date };

const BOOLEAN_VARIANTS: Variant[] = [
  { key: 'on', value: true },
  { key: 'off', value: false },
];

const servedVariants = (serve: Serve | null): string[] =>
  serve === null ? [] : 'variant' in serve ? [serve.variant] : serve.rollout.variants.map((v) => v.variant);

/** Every place a config names a variant, as field paths, for "still in use" messages. */
const variantUses = (config: Config, variant: string): string[] => [
  ...(config.offVariant === variant ? ['offVariant'] : []),
  ...config.targets.flatMap((t, i) => (t.variant === variant ? [`targets[${i}]`] : [])),
  ...config.rules.flatMap((r, i) => (servedVariants(r.serve).includes(variant) ? [`rules[${i}].serve`] : [])),
  ...(servedVariants(config.defaultRule).includes(variant) ? ['defaultRule'] : []),
];

/** What validating one flag's config needs to know about the project, from flags and configs already read. */
const contextOf = (
  flag: FlagEntity,
  byKey: ReadonlyMap<string, FlagEntity>,
  configsByFlagId: ReadonlyMap<string, Pick<Config, 'prerequisites'>>,
  segmentKeys: ConfigValidationContext['segmentKeys'],
): ConfigValidationContext => ({
  flagKey: flag.key,
  variants: flag.variants,
  segmentKeys,
  variantsOf: (key: string) => byKey.get(key)?.variants,
  prerequisitesOf: (key: string) => {
    const other = byKey.get(key);
    return other ? (configsByFlagId.get(other.id)?.prerequisites ?? []).map((p) => p.flag) : [];
  },
});

/** Flags and their per-environment configs. Every write is versioned, audited and logged for delivery. */
@Injectable()
export class FlagsService {
  constructor(
    private readonly repository: FlagsRepository,
    private readonly projects: ProjectsService,
    private readonly segments: SegmentsService,
    private readonly changes: ChangesService,
    private readonly audit: AuditService,
    private readonly db: Database,
    private readonly events: DomainEvents,
    // The stale-flag rules live in lifecycle/ (GET .../flags/stale explains the reasons); the list's `stale` filter asks them.
    private readonly staleFlags: StaleFlagsReadModel,
  ) {}

  /** Every flag the filter holds, in `order` (default: by key). */
  async list(projectKey: string, filter: FlagFilter, order?: FlagOrder): Promise<FlagView[]> {
    const project = await this.projects.project(projectKey);
    const scope = await this.scope(project, filter);
    const environmentIds = await this.environmentIdsFor(project.id, order);
    const flags = (await this.repository.ordered(project.id, scope, { order, environmentIds })).map((row) => row.flag);
    const views = await this.views(project.id, flags);
    if (filter.stale === undefined) return views;
    const stale = await this.staleFlags.staleKeys(project.id, views);
    return views.filter((view) => stale.has(view.key) === filter.stale);
  }

  /** One page of the flags the filter holds, the number of them all, and where the next page starts (null: this is the last). */
  async page(projectKey: string, filter: FlagFilter, request: FlagPageRequest): Promise<FlagPage> {
    const project = await this.projects.project(projectKey);
    const scope = await this.scope(project, filter);
    const environmentIds = await this.environmentIdsFor(project.id, request.order);
    const { order, limit, after } = request;
    if (filter.stale === undefined) {
      // One row more than the page tells whether there is a next page without a second query.
      const [rows, total] = await Promise.all([
        this.repository.ordered(project.id, scope, { order, environmentIds, limit: limit + 1, after }),
        this.repository.count(project.id, scope),
      ]);
      return this.toPage(project.id, rows.slice(0, limit), total, rows.length > limit);
    }
    // Staleness is decided from configs and telemetry in code (lifecycle/), not in SQL: read the
    // whole ordered list, keep the stale (or fresh) ones, then take the page after the position.
    const all = await this.repository.ordered(project.id, scope, { order, environmentIds });
    const stale = await this.staleFlags.staleKeys(
      project.id,
      await this.views(
        project.id,
        all.map((row) => row.flag),
      ),
    );
    const kept = all.filter((row) => stale.has(row.flag.key) === filter.stale);
    const afterPosition = after
      ? new Set((await this.repository.ordered(project.id, scope, { order, environmentIds, after })).map((row) => row.flag.key))
      : null;
    const remaining = afterPosition ? kept.filter((row) => afterPosition.has(row.flag.key)) : kept;
    return this.toPage(project.id, remaining.slice(0, limit), kept.length, remaining.length > limit);
  }

  private async toPage(projectId: string, rows: OrderedFlag[], total: number, more: boolean): Promise<FlagPage> {
    const last = rows.at(-1);
    return {
      items: await this.views(
        projectId,
        rows.map((row) => row.flag),
      ),
      total,
      next: more && last ? { value: last.sortValue, key: last.flag.key } : null,
    };
  }

  /** The filter in storage terms: an environment key becomes its id (404 when unknown). */
  private async scope(project: Project, filter: FlagFilter): Promise<FlagScope> {
    const scope: FlagScope = { q: filter.q, tag: filter.tag, owner: filter.owner, archived: filter.archived ?? 'active' };
    if (filter.status === undefined) return scope;
    if (filter.environment === undefined) throw validationFailed([{ field: 'environment', reason: 'status filters by the state in an environment: name it' }]);
    const environment = await this.projects.environment(project, filter.environment);
    return { ...scope, status: { environmentId: environment.id, status: filter.status } };
  }

  private async environmentIdsFor(projectId: string, order: FlagOrder | undefined): Promise<string[]> {
    return order?.field === 'evaluated' ? (await this.projects.environments(projectId)).map((e) => e.id) : [];
  }

  async get(projectKey: string, key: string): Promise<FlagView> {
    const project = await this.projects.project(projectKey);
    const [view] = await this.views(project.id, [await this.flag(project.id, key)]);
    return view!;
  }

  async getConfig(projectKey: string, key: string, environmentKey: string): Promise<FlagConfigView> {
    const project = await this.projects.project(projectKey);
    const environment = await this.projects.environment(project, environmentKey);
    const flag = await this.flag(project.id, key);
    const config = (await this.repository.findConfig(flag.id, environment.id)) ?? defaultConfig(flag, environment.id);
    return toConfigView(environmentKey, config);
  }

  async create(actor: Actor, projectKey: string, input: NewFlag): Promise<FlagView> {
    const variants: Variant[] = input.variants ? [...input.variants] : input.kind === 'boolean' ? BOOLEAN_VARIANTS : [];
    const problems: FieldProblem[] =
      variants.length === 0 ? [{ field: 'variants', reason: `a ${input.kind} flag needs at least one variant` }] : validateVariants(input.kind, variants);
    const keys = new Set(variants.map((v) => v.key));
    const first = variants[0]?.key ?? '';
    const offVariant = input.offVariant ?? (keys.has('off') ? 'off' : first);
    const onVariant = input.onVariant ?? (keys.has('on') ? 'on' : first);
    if (variants.length > 0 && !keys.has(offVariant)) problems.push({ field: 'offVariant', reason: `variant '${offVariant}' does not exist in this flag` });
    if (variants.length > 0 && !keys.has(onVariant)) problems.push({ field: 'onVariant', reason: `variant '${onVariant}' does not exist in this flag` });
    if (problems.length > 0) throw validationFailed(problems);
    return this.db.transaction(async () => {
      const project = await this.projects.project(projectKey);
      if (await this.repository.find(project.id, input.key)) throw conflict(`A flag with key '${input.key}' already exists in ${projectKey}`);
      const flag = await this.repository.save({
        projectId: project.id,
        key: input.key,
        name: input.name,
        description: input.description ?? '',
        owner: input.owner ?? null,
        tags: input.tags ? [...input.tags] : [],
        kind: input.kind,
        variants,
        defaultOffVariant: offVariant,
        defaultOnVariant: onVariant,
        lifecycle: input.lifecycle ?? 'temporary',
        expiresAt: input.expiresAt ?? null,
        salt: randomBytes(16).toString('hex'),
        archivedAt: null,
        version: 1,
      });
      await this.publishToAll(project.id, flag);
      const [view] = await this.views(project.id, [flag]);
      await this.audit.record({ actor, action: 'flag.created', resourceType: 'flag', resourceKey: flag.key, projectKey, after: view });
      return view!;
    });
  }

  async update(actor: Actor, projectKey: string, key: string, input: FlagChange): Promise<FlagView> {
    return this.db.transaction(async () => {
      const project = await this.projects.project(projectKey);
      const flag = await this.repository.findForUpdate(project.id, key);
      if (!flag) throw notFound('Flag', key);
      const [before] = await this.views(project.id, [flag]);
      if (flag.version !== input.basedOnVersion) throw versionConflict(`Flag '${key}'`, flag.version, before);
      let variantsChanged = false;
      if (input.variants !== undefined) {
        const variants: Variant[] = [...input.variants];
        const problems = validateVariants(flag.kind, variants);
        problems.push(...(await this.removedVariantProblems(project.id, flag, new Set(variants.map((v) => v.key)))));
        if (problems.length > 0) throw validationFailed(problems);
        variantsChanged = JSON.stringify(variants) !== JSON.stringify(flag.variants);
        flag.variants = variants;
      }
      if (input.name !== undefined) flag.name = input.name;
      if (input.description !== undefined) flag.description = input.description;
      if (input.owner !== undefined) flag.owner = input.owner;
      if (input.tags !== undefined) flag.tags = [...input.tags];
      if (input.lifecycle !== undefined) flag.lifecycle = input.lifecycle;
      if (input.expiresAt !== undefined) flag.expiresAt = input.expiresAt;
      flag.version += 1;
      const saved = await this.repository.save(flag);
      if (variantsChanged && !saved.archivedAt) await this.publishToAll(project.id, saved);
      const [after] = await this.views(project.id, [saved]);
      await this.audit.record({ actor, action: 'flag.updated', resourceType: 'flag', resourceKey: key, projectKey, reason: input.reason, before, after });
      return after!;
    });
  }

  /** `basedOnVersion`: the flag version the caller saw (an approved change request's base); any other refuses it (409). */
  async archive(actor: Actor, projectKey: string, key: string, reason?: string, basedOnVersion?: number): Promise<FlagView> {
    return this.db.transaction(async () => {
      const project = await this.projects.project(projectKey);
      const flag = await this.repository.findForUpdate(project.id, key);
      if (!flag) throw notFound('Flag', key);
      const [before] = await this.views(project.id, [flag]);
      if (basedOnVersion !== undefined && basedOnVersion !== flag.version) throw versionConflict(`Flag '${key}'`, flag.version, before);
      if (flag.archivedAt) return before!;
      const dependents = await this.dependents(project.id, key);
      if (dependents.length > 0) throw conflict(`Flag '${key}' is a prerequisite of: ${dependents.join(', ')}`, { flags: dependents });
      flag.archivedAt = new Date();
      flag.version += 1;
      const saved = await this.repository.save(flag);
      // Archived flags leave every SDK: evaluations then answer FLAG_NOT_FOUND with the caller's default.
      for (const environment of await this.projects.environments(project.id)) await this.changes.append(environment.id, 'flag', key, null);
      const [after] = await this.views(project.id, [saved]);
      await this.audit.record({ actor, action: 'flag.archived', resourceType: 'flag', resourceKey: key, projectKey, reason, before, after });
      return after!;
    });
  }

  async unarchive(actor: Actor, projectKey: string, key: string, reason?: string): Promise<FlagView> {
    return this.db.transaction(async () => {
      const project = await this.projects.project(projectKey);
      const flag = await this.repository.findForUpdate(project.id, key);
      if (!flag) throw notFound('Flag', key);
      const [before] = await this.views(project.id, [flag]);
      if (!flag.archivedAt) return before!;
      flag.archivedAt = null;
      flag.version += 1;
      const saved = await this.repository.save(flag);
      await this.publishToAll(project.id, saved);
      const [after] = await this.views(project.id, [saved]);
      await this.audit.record({ actor, action: 'flag.unarchived', resourceType: 'flag', resourceKey: key, projectKey, reason, before, after });
      return after!;
    });
  }

  async delete(actor: Actor, projectKey: string, key: string, reason?: string): Promise<void> {
    await this.db.transaction(async () => {
      const project = await this.projects.project(projectKey);
      const flag = await this.repository.findForUpdate(project.id, key);
      if (!flag) throw notFound('Flag', key);
      if (!flag.archivedAt) throw conflict(`Flag '${key}' must be archived before it can be deleted`);
      const [before] = await this.views(project.id, [flag]);
      await this.repository.delete(flag.id);
      // When, for telemetry accepted before the delete and written after it (TelemetryService.write keeps its earlier minutes only).
      await this.db
        .manager()
        .query('INSERT INTO deleted_flags (id, project_id, key) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [flag.id, project.id, key]);
      // Telemetry is kept by key: a flag created again under it starts never evaluated, without samples, and without
      // this minute's rollups (reads leave out the minutes before a flag's creation minute, not that minute itself).
      for (const [table, since] of [
        ['flag_last_evaluated', ''],
        ['shadow_samples', ''],
        ['metric_rollups', " AND minute >= date_trunc('minute', now())"],
        ['evaluation_rollups', " AND minute >= date_trunc('minute', now())"],
      ])
        await this.db
          .manager()
          .query(`DELETE FROM ${table} WHERE flag_key = $1 AND environment_id IN (SELECT id FROM environments WHERE project_id = $2)${since}`, [
            key,
            project.id,
          ]);
      await this.audit.record({ actor, action: 'flag.deleted', resourceType: 'flag', resourceKey: key, projectKey, reason, before });
    });
  }

  /**
   * The one way a flag's config in an environment changes: versioned, validated, audited, appended
   * to the change log (SDKs get it) and published for webhooks, in one transaction. `changed` is
   * false when the change asked for what already is (e.g. killing a killed flag).
   */
  async changeConfig(actor: Actor, { projectKey, flagKey, environmentKey }: FlagEnvironmentRef, change: FlagConfigChange): Promise<ConfigWrite> {
    return this.db.transaction(async () => {
      const project = await this.projects.project(projectKey);
      const environment = await this.projects.environment(project, environmentKey);
      const flag = await this.flag(project.id, flagKey);
      if (flag.archivedAt) throw conflict(`Flag '${flagKey}' is archived; unarchive it to change its configuration`);
      return this.writeConfig(actor, projectKey, environment, flag, change, (next) => this.validationContext(project.id, environment.id, flag, next));
    });
  }

  /**
   * Many config changes in one project, in one transaction, each exactly as `changeConfig` makes it
   * (versioned, validated, audited, logged, published). The project's flags, configs and segment keys
   * are read once instead of once per change, so a file of thousands of configs applies in
   * linear time. Any refusal rolls back every change.
   */
  async changeConfigs(
    actor: Actor,
    projectKey: string,
    writes: Array<{ flagKey: string; environmentKey: string; change: FlagConfigChange }>,
  ): Promise<ConfigWrite[]> {
    return this.db.transaction(async () => {
      const project = await this.projects.project(projectKey);
      const environments = new Map((await this.projects.environments(project.id)).map((e) => [e.key, e]));
      const flags = await this.repository.listActive(project.id);
      const byKey = new Map(flags.map((f) => [f.key, f]));
      const segmentKeys = await this.segments.keys(project.id);
      const configsByEnvironment = new Map<string, Map<string, Config>>();
      const configsIn = async (environmentId: string) => {
        let configs = configsByEnvironment.get(environmentId);
        if (!configs) {
          const rows = await this.repository.configsInEnvironment(
            environmentId,
            flags.map((f) => f.id),
          );
          configsByEnvironment.set(environmentId, (configs = new Map(rows.map((c) => [c.flagId, c]))));
        }
        return configs;
      };
      const results: ConfigWrite[] = [];
      for (const { flagKey, environmentKey, change } of writes) {
        const environment = environments.get(environmentKey);
        if (!environment) throw notFound('Environment', environmentKey);
        const flag = byKey.get(flagKey) ?? (await this.flag(project.id, flagKey));
        if (flag.archivedAt || !byKey.has(flagKey)) throw conflict(`Flag '${flagKey}' is archived; unarchive it to change its configuration`);
        // The environment's configs only for a config with prerequisites (see validationContext).
        const write = await this.writeConfig(actor, projectKey, environment, flag, change, async (next) =>
          contextOf(flag, byKey, next.prerequisites.length === 0 ? new Map() : await configsIn(environment.id), segmentKeys),
        );
        // Later changes' prerequisite checks see this one (configs loaded later read it from the transaction).
        const configs = configsByEnvironment.get(environment.id);
        if (write.changed && configs)
          configs.set(flag.id, { ...(configs.get(flag.id) ?? defaultConfig(flag, environment.id)), prerequisites: write.config.prerequisites });
        results.push(write);
      }
      return results;
    });
  }

  private async writeConfig(
    actor: Actor,
    projectKey: string,
    environment: Environment,
    flag: FlagEntity,
    change: FlagConfigChange,
    context: (next: FlagConfigInput) => Promise<ConfigValidationContext>,
  ): Promise<ConfigWrite> {
    const { action, reason } = change;
    const environmentKey = environment.key;
    const flagKey = flag.key;
    const current = await this.repository.lockConfig(defaultConfig(flag, environment.id));
    const before = toConfigView(environmentKey, current);
    if (change.basedOnVersion !== undefined && change.basedOnVersion !== current.version) {
      throw versionConflict(`The config of '${flagKey}' in ${environmentKey}`, current.version, before);
    }
    const next = change.apply(toConfigState(current));
    if (next === null) return { config: before, changed: false, sequence: null };
    if (environment.requireChangeReason && !reason?.trim()) {
      throw validationFailed([{ field: 'reason', reason: `${environmentKey} requires a reason for every change` }]);
    }
    const problems = validateFlagConfig(next, await context(next));
    if (problems.length > 0) throw validationFailed(problems);
    Object.assign(current, toConfigState(next), { version: current.version + 1 });
    const saved = await this.repository.saveConfig(current);
    const sequence = await this.changes.append(environment.id, 'flag', flagKey, toCoreFlagConfig(flag, saved));
    const after = toConfigView(environmentKey, saved);
    const audited = change.revertedTo === undefined ? after : { ...after, revertedTo: change.revertedTo };
    await this.audit.record({ actor, action, resourceType: 'flag', resourceKey: flagKey, projectKey, environmentKey, reason, before, after: audited });
    // For outbound webhooks and other listeners; never for a rolled-back write.
    await this.events.publish('flag.changed', {
      projectKey,
      environmentKey,
      environmentId: environment.id,
      flagKey,
      action,
      actor: { ...actor },
      reason: reason ?? null,
      version: saved.version,
      sequence,
      on: saved.on,
      killed: saved.kill !== null,
    });
    return { config: after, changed: true, sequence };
  }

  /** Everything an environment serves, in evaluation shape. */
  async environmentConfig(environmentId: string): Promise<EnvironmentConfig | null> {
    // Head first: the state read afterwards is at least as new as the sequence reported.
    const sequence = await this.changes.head(environmentId);
    const found = await this.projects.environmentById(environmentId);
    if (!found) return null;
    const flags = await this.repository.listActive(found.project.id);
    const configs = new Map(
      (
        await this.repository.configsInEnvironment(
          environmentId,
          flags.map((f) => f.id),
        )
      ).map((c) => [c.flagId, c]),
    );
    return {
      sequence,
      flags: flags.map((flag) => toCoreFlagConfig(flag, configs.get(flag.id) ?? defaultConfig(flag, environmentId))),
      segments: await this.segments.forProject(found.project.id),
    };
  }

  private async validationContext(projectId: string, environmentId: string, flag: FlagEntity, next: FlagConfigInput): Promise<ConfigValidationContext> {
    const segmentKeys = await this.segments.keys(projectId);
    // Other flags matter to a config only through its prerequisites (their variants, the cycle check):
    // without any, the write needs none of them, and a toggle reads no other flag.
    if (next.prerequisites.length === 0) return contextOf(flag, new Map(), new Map(), segmentKeys);
    const flags = await this.repository.listActive(projectId);
    const configs = new Map(
      (
        await this.repository.configsInEnvironment(
          environmentId,
          flags.map((f) => f.id),
        )
      ).map((c) => [c.flagId, c]),
    );
    return contextOf(flag, new Map(flags.map((f) => [f.key, f])), configs, segmentKeys);
  }

  private async flag(projectId: string, key: string): Promise<FlagEntity> {
    const flag = await this.repository.find(projectId, key);
    if (!flag) throw notFound('Flag', key);
    return flag;
  }

  private async publishToAll(projectId: string, flag: FlagEntity): Promise<void> {
    const configs = new Map((await this.repository.configsOfFlag(flag.id)).map((c) => [c.environmentId, c]));
    for (const environment of await this.projects.environments(projectId)) {
      await this.changes.append(environment.id, 'flag', flag.key, toCoreFlagConfig(flag, configs.get(environment.id) ?? defaultConfig(flag, environment.id)));
    }
  }

  private async views(projectId: string, flags: FlagEntity[]): Promise<FlagView[]> {
    const environments = await this.projects.environments(projectId);
    const configs = await this.repository.configsOfFlags(flags.map((f) => f.id));
    const byFlagAndEnvironment = new Map(configs.map((c) => [`${c.flagId}/${c.environmentId}`, c]));
    return flags.map((flag) =>
      toFlagView(
        flag,
        Object.fromEntries(environments.map((e) => [e.key, toConfigView(e.key, byFlagAndEnvironment.get(`${flag.id}/${e.id}`) ?? defaultConfig(flag, e.id))])),
      ),
    );
  }

  /** Active flags whose config in any environment requires `key`. */
  private async dependents(projectId: string, key: string): Promise<string[]> {
    const flags = await this.repository.listActive(projectId);
    const configs = await this.repository.configsOfFlags(flags.map((f) => f.id));
    const ids = new Set(configs.filter((c) => c.prerequisites.some((p) => p.flag === key)).map((c) => c.flagId));
    return flags.filter((f) => ids.has(f.id)).map((f) => f.key);
  }

  private async removedVariantProblems(projectId: string, flag: FlagEntity, kept: Set<string>): Promise<FieldProblem[]> {
    const removed = flag.variants.map((v) => v.key).filter((k) => !kept.has(k));
    if (removed.length === 0) return [];
    const environments = new Map((await this.projects.environments(projectId)).map((e) => [e.id, e.key]));
    const problems: FieldProblem[] = [];
    for (const variant of removed) {
      if (variant === flag.defaultOffVariant || variant === flag.defaultOnVariant)
        problems.push({ field: 'variants', reason: `variant '${variant}' is the flag's default ${variant === flag.defaultOffVariant ? 'off' : 'on'} variant` });
      for (const config of await this.repository.configsOfFlag(flag.id)) {
        const uses = variantUses(config, variant);
        if (uses.length > 0)
          problems.push({ field: 'variants', reason: `variant '${variant}' is still used in ${environments.get(config.environmentId)}: ${uses.join(', ')}` });
      }
    }
    const flags = await this.repository.listActive(projectId);
    const configs = await this.repository.configsOfFlags(flags.map((f) => f.id));
    for (const config of configs) {
      const required = config.prerequisites.find((p) => p.flag === flag.key && removed.includes(p.variant));
      if (required)
        problems.push({
          field: 'variants',
          reason: `variant '${required.variant}' is required by flag '${flags.find((f) => f.id === config.flagId)?.key}' in ${environments.get(config.environmentId)}`,
        });
    }
    return problems;
  }
}
