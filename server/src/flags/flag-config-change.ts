import type { Serve } from '@signalbox/sdk/core';
import type { KillRecord } from './flag-config.entity.js';
import type { FlagConfigInput } from './flag-config.validator.js';

/** What an editor sets for a flag in one environment. */
export interface EditableFlagConfig extends FlagConfigInput {
  on: boolean;
}

/** Everything a flag's config in one environment holds besides its version: what a change replaces. */
export interface FlagConfigState extends EditableFlagConfig {
  kill: KillRecord | null;
}

/** The audit action a config change is recorded as. */
export type FlagConfigAction = 'flag.config.updated' | 'flag.config.reverted' | 'flag.killed' | 'flag.restored';

/**
 * A change of a flag's config in one environment: what `FlagsService.changeConfig`, the only way a
 * config is written, takes. `apply` gets the current config, read under the row lock, and returns
 * the complete config to write, so no caller reads, merges and writes back on its own.
 */
export interface FlagConfigChange {
  action: FlagConfigAction;
  reason?: string;
  /** The version the change is based on: any other current version refuses it (409). Absent: it applies to whatever is current. */
  basedOnVersion?: number;
  /** A revert names the version it restored; the audit entry's `after` carries it as `revertedTo`. */
  revertedTo?: number;
  /** The complete config to write; null when the current one already is what was asked (nothing is written). */
  apply(current: Readonly<FlagConfigState>): FlagConfigState | null;
}

/** Sets everything an editor sets; a kill stays as it is (only the kill switch kills and restores). */
export const replaceConfig = (config: EditableFlagConfig, options: { reason?: string; basedOnVersion?: number } = {}): FlagConfigChange => ({
  action: 'flag.config.updated',
  ...options,
  apply: (current) => ({ ...config, kill: current.kill }),
});

/** Serves `defaultRule` to every context no target or rule picks; the rest stays (rollout stages, experiment decisions). */
export const serveByDefault = (defaultRule: Serve, reason: string): FlagConfigChange => ({
  action: 'flag.config.updated',
  reason,
  apply: (current) => ({ ...current, defaultRule }),
});
