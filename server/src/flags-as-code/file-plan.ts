import type { Prerequisite, Rule, Serve, Target, Variant } from '@signalbox/sdk/core';
import type { FieldProblem } from '../common/errors/domain-error.js';
import { validateFlagConfig, validateVariants } from '../flags/flag-config.validator.js';
import type { FlagConfigView, FlagView } from '../flags/flag.mapper.js';
import type { SegmentResponse } from '../segments/dto/segment.response.js';
import type { FileConfig, FileFlag, FileSegment, SignalboxFile } from './signalbox-file.js';

// The plan: what applying a file to a project would change, computed from the file and the
// project's current state alone (no I/O), so the plan answered and the plan applied are the same.

export type PlannedResource = 'segment' | 'flag' | 'config';
export type PlannedAction = 'create' | 'update' | 'delete' | 'archive';

/** What a flag, segment or config holds that the file manages, in one comparable shape. */
export type Comparable = Record<string, unknown>;

export interface PlannedChange {
  resource: PlannedResource;
  action: PlannedAction;
  key: string;
  /** Configs only. */
  environment?: string;
  /** Where in the file the item is (absent for pruned items, which the file does not list). */
  path?: string;
  /** The version the change is based on (checked again, under lock, when applied); null for a create. */
  version: number | null;
  /** The top-level fields that differ. */
  fields: string[];
  before: Comparable | null;
  after: Comparable | null;
}

export interface PlanConflict {
  resource: PlannedResource;
  key: string;
  environment?: string;
  path: string;
  /** The version the file was exported at (null: the file treats it as new). */
  baseVersion: number | null;
  currentVersion: number;
  message: string;
}

export interface Plan {
  changes: PlannedChange[];
  conflicts: PlanConflict[];
  /** Problems the API would refuse (a 400), named by their path in the file. */
  problems: FieldProblem[];
}

/** The project as the plan needs it: every flag (archived too), every segment, the environment keys. */
export interface ProjectState {
  key: string;
  environments: string[];
  flags: FlagView[];
  segments: SegmentResponse[];
}

/** JSON with keys in sorted order: equal values, equal text. */
export const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );

const changedFields = (before: Comparable, after: Comparable): string[] =>
  [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => canonical(before[k]) !== canonical(after[k]));

const variantsOf = (variants: readonly Variant[]) =>
  variants.map((v) => ({ key: v.key, value: v.value, ...(v.name ? { name: v.name } : {}), ...(v.description ? { description: v.description } : {}) }));

export const flagComparable = (flag: FileFlag | FlagView): Comparable => ({
  name: flag.name,
  description: flag.description ?? '',
  owner: flag.owner ?? null,
  tags: flag.tags ?? [],
  variants: variantsOf(flag.variants),
  lifecycle: flag.lifecycle ?? 'temporary',
  expiresAt: flag.expiresAt ? new Date(flag.expiresAt).toISOString() : null,
});

export interface ConfigFields {
  on: boolean;
  offVariant: string | null;
  targets: Target[];
  rules: Rule[];
  defaultRule: Serve | null;
  prerequisites: Prerequisite[];
}

export const configComparable = (config: FileConfig | FlagConfigView): ConfigFields => ({
  on: config.on,
  offVariant: config.offVariant,
  targets: config.targets,
  rules: config.rules,
  defaultRule: config.defaultRule,
  prerequisites: config.prerequisites,
});

export const segmentComparable = (segment: FileSegment | SegmentResponse): Comparable => ({
  name: segment.name,
  description: segment.description ?? '',
  included: segment.included,
  excluded: segment.excluded,
  rules: segment.rules,
});

const isDate = (text: string): boolean => /^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(new Date(text).getTime());

/** Everything applying `file` to `state` would change, what conflicts, and what the API would refuse. */
export const planFile = (file: SignalboxFile, state: ProjectState, prune: boolean): Plan => {
  const changes: PlannedChange[] = [];
  const conflicts: PlanConflict[] = [];
  const problems: FieldProblem[] = [];
  const flagsByKey = new Map(state.flags.map((f) => [f.key, f]));
  const segmentsByKey = new Map(state.segments.map((s) => [s.key, s]));
  const environments = new Set(state.environments);

  const moved = (resource: PlannedResource, key: string, path: string, baseVersion: number | null, currentVersion: number, environment?: string) =>
    conflicts.push({
      resource,
      key,
      ...(environment ? { environment } : {}),
      path,
      baseVersion,
      currentVersion,
      message: `${resource === 'config' ? `the config of '${key}' in ${environment}` : `${resource} '${key}'`} is at version ${currentVersion}, the file is based on ${
        baseVersion === null ? 'none (it treats it as new)' : `version ${baseVersion}`
      }: export again and reapply your edits`,
    });

  // Segments first: flag rules may name the new ones.
  const fileSegments = new Set(file.segments.map((s) => s.key));
  file.segments.forEach((segment, i) => {
    const path = `segments[${i}]`;
    const current = segmentsByKey.get(segment.key);
    const after = segmentComparable(segment);
    if (!current)
      return changes.push({ resource: 'segment', action: 'create', key: segment.key, path, version: null, fields: Object.keys(after), before: null, after });
    const before = segmentComparable(current);
    const fields = changedFields(before, after);
    if (fields.length === 0) return;
    if (segment.baseVersion !== current.version) moved('segment', segment.key, path, segment.baseVersion ?? null, current.version);
    changes.push({ resource: 'segment', action: 'update', key: segment.key, path, version: current.version, fields, before, after });
  });
  const segmentKeys = new Set([...state.segments.map((s) => s.key).filter((k) => !prune || fileSegments.has(k)), ...fileSegments]);

  // The project as it will be, for the config checks: variants and prerequisites of every flag.
  const fileFlags = new Map(file.flags.map((f) => [f.key, f]));
  const desiredVariants = (key: string) => fileFlags.get(key)?.variants ?? (flagsByKey.get(key)?.archived ? undefined : flagsByKey.get(key)?.variants);
  const desiredPrerequisites = (key: string, environment: string) =>
    (fileFlags.get(key)?.environments[environment] ?? flagsByKey.get(key)?.environments[environment])?.prerequisites.map((p) => p.flag) ?? [];

  file.flags.forEach((flag, i) => {
    const path = `flags[${i}]`;
    const current = flagsByKey.get(flag.key);
    if (flag.expiresAt !== undefined && !isDate(flag.expiresAt)) problems.push({ field: `${path}.expiresAt`, reason: 'expiresAt must be an ISO-8601 date' });
    if (flag.variants.length === 0) problems.push({ field: `${path}.variants`, reason: `a ${flag.kind} flag needs at least one variant` });
    problems.push(...validateVariants(flag.kind, flag.variants).map((p) => ({ ...p, field: `${path}.${p.field}` })));
    if (current?.archived) {
      conflicts.push({
        resource: 'flag',
        key: flag.key,
        path,
        baseVersion: flag.baseVersion ?? null,
        currentVersion: current.version,
        message: `flag '${flag.key}' is archived: unarchive it, or remove it from the file`,
      });
      return;
    }
    if (current && current.kind !== flag.kind) problems.push({ field: `${path}.kind`, reason: `a flag's kind cannot change (it is ${current.kind})` });
    const after = flagComparable(flag);
    if (!current) changes.push({ resource: 'flag', action: 'create', key: flag.key, path, version: null, fields: Object.keys(after), before: null, after });
    else {
      const before = flagComparable(current);
      const fields = changedFields(before, after);
      if (fields.length > 0) {
        if (flag.baseVersion !== current.version) moved('flag', flag.key, path, flag.baseVersion ?? null, current.version);
        changes.push({ resource: 'flag', action: 'update', key: flag.key, path, version: current.version, fields, before, after });
      }
    }
    for (const [environment, config] of Object.entries(flag.environments)) {
      const configPath = `${path}.environments.${environment}`;
      if (!environments.has(environment)) {
        problems.push({ field: configPath, reason: `environment '${environment}' does not exist in ${state.key}` });
        continue;
      }
      const after = configComparable(config) as unknown as Comparable;
      problems.push(
        ...validateFlagConfig(config, {
          flagKey: flag.key,
          variants: flag.variants,
          segmentKeys,
          variantsOf: desiredVariants,
          prerequisitesOf: (key) => desiredPrerequisites(key, environment),
        }).map((p) => ({ ...p, field: `${configPath}.${p.field}` })),
      );
      const currentConfig = current?.environments[environment];
      if (!current || !currentConfig) {
        changes.push({
          resource: 'config',
          action: 'create',
          key: flag.key,
          environment,
          path: configPath,
          version: null,
          fields: Object.keys(after),
          before: null,
          after,
        });
        continue;
      }
      const before = configComparable(currentConfig) as unknown as Comparable;
      const fields = changedFields(before, after);
      if (fields.length === 0) continue;
      const base = config.baseVersion ?? 0;
      if (base !== currentConfig.version) moved('config', flag.key, configPath, config.baseVersion ?? null, currentConfig.version, environment);
      changes.push({
        resource: 'config',
        action: 'update',
        key: flag.key,
        environment,
        path: configPath,
        version: currentConfig.version,
        fields,
        before,
        after,
      });
    }
  });

  if (prune) {
    for (const flag of state.flags)
      if (!flag.archived && !fileFlags.has(flag.key))
        changes.push({ resource: 'flag', action: 'archive', key: flag.key, version: flag.version, fields: [], before: flagComparable(flag), after: null });
    for (const segment of state.segments)
      if (!fileSegments.has(segment.key))
        changes.push({
          resource: 'segment',
          action: 'delete',
          key: segment.key,
          version: segment.version,
          fields: [],
          before: segmentComparable(segment),
          after: null,
        });
  }
  return { changes, conflicts, problems };
};
