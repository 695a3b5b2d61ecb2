import type { FlagConfig, Prerequisite, Rule, Serve, Target } from '@signalbox/sdk/core';
import { toClause } from '../targeting/clause.mapper.js';
import type { PrerequisiteDto, ReplaceFlagConfigDto, RuleDto, ServeDto, TargetDto } from './dto/flag-config.dto.js';
import type { FlagConfigEntity, KillRecord } from './flag-config.entity.js';
import type { FlagEntity } from './flag.entity.js';
import type { FlagConfigInput } from './flag-config.validator.js';

/** A flag's config in one environment as the API shows it. */
export interface FlagConfigView {
  environment: string;
  on: boolean;
  killed: boolean;
  kill: KillRecord | null;
  offVariant: string | null;
  targets: FlagConfig['targets'];
  rules: FlagConfig['rules'];
  defaultRule: FlagConfig['defaultRule'];
  prerequisites: FlagConfig['prerequisites'];
  version: number;
  updatedAt: string | null;
}

export interface FlagView {
  key: string;
  name: string;
  description: string;
  owner: string | null;
  tags: string[];
  kind: FlagEntity['kind'];
  variants: FlagEntity['variants'];
  lifecycle: FlagEntity['lifecycle'];
  expiresAt: string | null;
  archived: boolean;
  archivedAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  /** Keyed by environment key. */
  environments: Record<string, FlagConfigView>;
}

/** The config a flag has in an environment before anyone writes one: off, version 0. */
export const defaultConfig = (flag: FlagEntity, environmentId: string): Omit<FlagConfigEntity, 'updatedAt'> => ({
  flagId: flag.id,
  environmentId,
  on: false,
  kill: null,
  offVariant: flag.defaultOffVariant,
  targets: [],
  rules: [],
  defaultRule: { variant: flag.defaultOnVariant },
  prerequisites: [],
  version: 0,
});

export const toConfigView = (environmentKey: string, config: Omit<FlagConfigEntity, 'updatedAt'> & { updatedAt?: Date }): FlagConfigView => ({
  environment: environmentKey,
  on: config.on,
  killed: config.kill !== null,
  kill: config.kill,
  offVariant: config.offVariant,
  targets: config.targets,
  rules: config.rules,
  defaultRule: config.defaultRule,
  prerequisites: config.prerequisites,
  version: config.version,
  updatedAt: config.updatedAt?.toISOString() ?? null,
});

export const toFlagView = (flag: FlagEntity, environments: Record<string, FlagConfigView>): FlagView => ({
  key: flag.key,
  name: flag.name,
  description: flag.description,
  owner: flag.owner,
  tags: flag.tags,
  kind: flag.kind,
  variants: flag.variants,
  lifecycle: flag.lifecycle,
  expiresAt: flag.expiresAt?.toISOString() ?? null,
  archived: flag.archivedAt !== null,
  archivedAt: flag.archivedAt?.toISOString() ?? null,
  version: flag.version,
  createdAt: flag.createdAt.toISOString(),
  updatedAt: flag.updatedAt.toISOString(),
  environments,
});

/** What the evaluation core needs of a flag in one environment (what SDKs receive). */
export const toCoreFlagConfig = (flag: FlagEntity, config: Omit<FlagConfigEntity, 'updatedAt'>): FlagConfig => ({
  key: flag.key,
  kind: flag.kind,
  salt: flag.salt,
  variants: flag.variants,
  version: config.version,
  on: config.on,
  killed: config.kill !== null,
  offVariant: config.offVariant,
  targets: config.targets,
  rules: config.rules,
  defaultRule: config.defaultRule,
  prerequisites: config.prerequisites,
});

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

export const toConfigInput = (dto: Pick<ReplaceFlagConfigDto, 'offVariant' | 'targets' | 'rules' | 'defaultRule' | 'prerequisites'>): FlagConfigInput => ({
  offVariant: dto.offVariant,
  targets: toTargets(dto.targets),
  rules: toRules(dto.rules),
  defaultRule: dto.defaultRule === null ? null : toServe(dto.defaultRule),
  prerequisites: toPrerequisites(dto.prerequisites),
});
