import type { Actor } from '../auth/principal.js';
import type { FlagConfigChange } from './flag-config-change.js';
import type { FlagConfigView } from './flag.mapper.js';

/** One version of a flag's config in an environment, as its audit entry recorded it. */
export interface FlagVersion {
  version: number;
  at: string;
  actor: Pick<Actor, 'type' | 'name'>;
  action: string;
  reason: string | null;
  /** For a revert: the version whose config it wrote again. */
  revertedTo: number | null;
  /** The config as it was after this version. */
  config: FlagConfigView;
}

/** The parts of an audit entry a version is read from (AuditService's answer has more). */
export interface ConfigAuditEntry {
  at: Date;
  actorType: Actor['type'];
  actorName: string;
  action: string;
  reason: string | null;
  after: object | null;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The version an audit entry wrote, or null when the entry is no config write of this environment
 * (flag-level entries and anything else about the flag share the resource key). Every config write
 * goes through FlagsService.changeConfig, whose entry's `after` is the config view with its version.
 */
export const toFlagVersion = (entry: ConfigAuditEntry, environmentKey: string): FlagVersion | null => {
  const after = entry.after;
  if (!isObject(after) || after.environment !== environmentKey || !Number.isInteger(after.version)) return null;
  if (!Array.isArray(after.targets) || !Array.isArray(after.rules) || !Array.isArray(after.prerequisites)) return null;
  const { revertedTo, ...config } = after;
  return {
    version: after.version as number,
    at: entry.at.toISOString(),
    actor: { type: entry.actorType, name: entry.actorName },
    action: entry.action,
    reason: entry.reason,
    revertedTo: Number.isInteger(revertedTo) ? (revertedTo as number) : null,
    config: config as unknown as FlagConfigView,
  };
};

/**
 * Writes an earlier version's config again. The kill stays as it is now: only the kill switch kills
 * and restores, so reverting never silently lifts (or re-applies) a kill. Always writes a new
 * version, even when the config already equals the target, so the revert is on record.
 */
export const revertChange = (target: FlagVersion, options: { basedOnVersion: number; reason?: string }): FlagConfigChange => ({
  action: 'flag.config.reverted',
  reason: options.reason,
  basedOnVersion: options.basedOnVersion,
  revertedTo: target.version,
  apply: (current) => ({
    on: target.config.on,
    offVariant: target.config.offVariant,
    targets: target.config.targets,
    rules: target.config.rules,
    defaultRule: target.config.defaultRule,
    prerequisites: target.config.prerequisites,
    kill: current.kill,
  }),
});
