import type { Prerequisite, Rule, Serve, Target } from '@signalbox/sdk/core';
import { toClause } from '../targeting/clause.mapper.js';
import type { PatchFlagConfigDto, PrerequisiteDto, ReplaceFlagConfigDto, RuleDto, ServeDto, TargetDto } from './dto/flag-config.dto.js';
import { type FlagConfigChange, type FlagConfigState, replaceConfig } from './flag-config-change.js';
import type { FlagConfigInput } from './flag-config.validator.js';

// Request bodies → the domain, at the HTTP edge: the service sees only complete configs.

export const toServe = (dto: ServeDto): Serve => {
  if (dto.rollout && dto.variant === undefined) {
    const { bucketBy, variants } = dto.rollout;
    return { rollout: { ...(bucketBy ? { bucketBy } : {}), variants: variants.map((v) => ({ variant: v.variant, weight: v.weight })) } };
  }
  // Neither or both: keep what was sent so validation can say "exactly one".
  return { variant: dto.variant, ...(dto.rollout ? { rollout: dto.rollout } : {}) } as Serve;
};

const toRule = (dto: RuleDto): Rule => ({
  ...(dto.id ? { id: dto.id } : {}),
  ...(dto.description ? { description: dto.description } : {}),
  clauses: dto.clauses.map(toClause),
  serve: toServe(dto.serve),
});

export const toRules = (dtos: RuleDto[]): Rule[] => dtos.map(toRule);
export const toTargets = (dtos: TargetDto[]): Target[] => dtos.map((t) => ({ variant: t.variant, values: t.values }));
export const toPrerequisites = (dtos: PrerequisiteDto[]): Prerequisite[] => dtos.map((p) => ({ flag: p.flag, variant: p.variant }));

const toConfigInput = (dto: Pick<ReplaceFlagConfigDto, 'offVariant' | 'targets' | 'rules' | 'defaultRule' | 'prerequisites'>): FlagConfigInput => ({
  offVariant: dto.offVariant,
  targets: toTargets(dto.targets),
  rules: toRules(dto.rules),
  defaultRule: dto.defaultRule === null ? null : toServe(dto.defaultRule),
  prerequisites: toPrerequisites(dto.prerequisites),
});

/** PUT: the whole config, based on `version`. */
export const toReplaceChange = (dto: ReplaceFlagConfigDto): FlagConfigChange =>
  replaceConfig({ on: dto.on, ...toConfigInput(dto) }, { reason: dto.reason, basedOnVersion: dto.version });

/** The fields a PATCH may carry, without `version` and `reason`. */
export type FlagConfigPatch = Pick<PatchFlagConfigDto, 'on' | 'offVariant' | 'targets' | 'rules' | 'defaultRule' | 'prerequisites'>;

/**
 * The PATCH rule: absent keeps the current value, null clears it (lists become empty; an empty off
 * variant or default rule serves the caller's default), a value sets it. `on` cannot be cleared, so
 * null keeps it too. A kill is not the patch's to change.
 */
export const mergeConfigPatch = (current: Readonly<FlagConfigState>, patch: FlagConfigPatch): FlagConfigState => ({
  on: patch.on ?? current.on,
  kill: current.kill,
  offVariant: patch.offVariant === undefined ? current.offVariant : patch.offVariant,
  targets: patch.targets === undefined ? current.targets : toTargets(patch.targets ?? []),
  rules: patch.rules === undefined ? current.rules : toRules(patch.rules ?? []),
  defaultRule: patch.defaultRule === undefined ? current.defaultRule : patch.defaultRule === null ? null : toServe(patch.defaultRule),
  prerequisites: patch.prerequisites === undefined ? current.prerequisites : toPrerequisites(patch.prerequisites ?? []),
});

/** PATCH: the fields sent, merged into the config current when the change is applied, based on `version`. */
export const toPatchChange = (dto: PatchFlagConfigDto): FlagConfigChange => ({
  action: 'flag.config.updated',
  reason: dto.reason,
  basedOnVersion: dto.version,
  apply: (current) => mergeConfigPatch(current, dto),
});
