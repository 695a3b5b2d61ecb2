import type { FlagConfig } from '@signalbox/sdk/core';
import type { FlagConfigResponse, FlagResponse } from './dto/flag.response.js';
import type { FlagConfigState } from './flag-config-change.js';
import type { FlagConfigEntity } from './flag-config.entity.js';
import type { FlagEntity } from './flag.entity.js';

/** A flag's config in one environment as the API shows it: the response DTO is the one definition. */
export type FlagConfigView = FlagConfigResponse;

/** A flag with its config in every environment (keyed by environment key), as the API shows it. */
export type FlagView = FlagResponse;

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

/** What a config holds besides its keys, version and timestamp, and nothing more (a stored row or a caller's object may carry more). */
export const toConfigState = (config: FlagConfigState): FlagConfigState => ({
  on: config.on,
  kill: config.kill,
  offVariant: config.offVariant,
  targets: config.targets,
  rules: config.rules,
  defaultRule: config.defaultRule,
  prerequisites: config.prerequisites,
});

export const toConfigView = (environmentKey: string, config: Omit<FlagConfigEntity, 'updatedAt'> & { updatedAt?: Date }): FlagConfigView => {
  const { on, kill, ...rest } = toConfigState(config);
  return { environment: environmentKey, on, killed: kill !== null, kill, ...rest, version: config.version, updatedAt: config.updatedAt?.toISOString() ?? null };
};

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
