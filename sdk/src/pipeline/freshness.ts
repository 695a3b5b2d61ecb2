import { SignalboxStaleConfigError } from './stale-config-error.js';

/** A fail-closed requirement: a config no older than `maxAgeMs`, waiting at most `waitMs` for one. */
export interface FreshnessRequirement {
  /** Oldest acceptable config, in ms (see `SignalboxClient.configAgeMs`). */
  maxAgeMs: number;
  /** How long to wait for a fresh enough config before throwing; default 0 (check once). */
  waitMs?: number;
}

/** Anything that can say how old its config is. */
export interface ConfigAgeSource {
  readonly configAgeMs: number;
}

const CHECK_EVERY_MS = 20;

/**
 * Resolves as soon as `source.configAgeMs ≤ maxAgeMs`; rejects with a
 * {@link SignalboxStaleConfigError} once `waitMs` has passed without that.
 */
export async function waitForFreshConfig(source: ConfigAgeSource, requirement: FreshnessRequirement, flagKey?: string): Promise<void> {
  const { maxAgeMs } = requirement;
  const waitMs = Math.max(0, requirement.waitMs ?? 0);
  if (source.configAgeMs <= maxAgeMs) return;
  const started = Date.now();
  for (;;) {
    const waited = Date.now() - started;
    if (waited >= waitMs) throw new SignalboxStaleConfigError(source.configAgeMs, maxAgeMs, waitMs, flagKey);
    await new Promise((resolve) => setTimeout(resolve, Math.min(CHECK_EVERY_MS, waitMs - waited)));
    if (source.configAgeMs <= maxAgeMs) return;
  }
}
