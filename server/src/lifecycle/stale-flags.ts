import type { FlagConfigView, FlagView } from '../flags/flag.mapper.js';

export const DEFAULT_SINGLE_VARIANT_HOURS = 48;
export const DEFAULT_UNUSED_DAYS = 7;

export type StaleReasonCode = 'EXPIRED' | 'SINGLE_VARIANT' | 'UNUSED';

export interface StaleReason {
  code: StaleReasonCode;
  message: string;
  /** Since when the condition holds (expiry date; newest config change of the single-variant environments; last evaluation). */
  since: string;
  /** SINGLE_VARIANT: what each environment serves to everyone (null = the caller's default). */
  servedByEnvironment?: Record<string, string | null>;
}

export interface StaleCriteria {
  now: Date;
  singleVariantHours: number;
  /** UNUSED applies only when evaluation data is given: the newest evaluation in any environment (null: never). */
  lastEvaluatedAt?: Date | null;
  unusedDays?: number;
}

/**
 * The one variant a config serves to every context, or `undefined` when it can serve more than one.
 * `null` means the caller's default (an empty off variant or default rule).
 */
export const singleServedVariant = (config: FlagConfigView): string | null | undefined => {
  if (config.killed || !config.on) return config.offVariant;
  // A prerequisite can switch a context to the off variant; targets and rules can pick others.
  if (config.prerequisites.length > 0 || config.targets.length > 0 || config.rules.length > 0) return undefined;
  const serve = config.defaultRule;
  if (serve === null) return null;
  if ('variant' in serve) return serve.variant;
  const weighted = serve.rollout.variants.filter((v) => v.weight > 0);
  return weighted.length === 1 ? weighted[0]!.variant : undefined;
};

const HOUR_MS = 3_600_000;

/**
 * Why a flag is stale, empty when it is not. Pure: the caller supplies the clock.
 * - EXPIRED: past its expiry date (temporary and permanent flags alike);
 * - SINGLE_VARIANT (temporary flags only): in every environment the flag serves one variant to
 *   everyone (off, killed, or on with no targets, rules or prerequisites and a one-variant default
 *   rule; environments may serve different variants), and no environment's config changed for
 *   `singleVariantHours`.
 * - UNUSED (temporary flags only): no SDK has evaluated it in any environment for `unusedDays`
 *   (counted from its creation when it was never evaluated).
 */
export const staleReasons = (flag: FlagView, criteria: StaleCriteria): StaleReason[] => {
  const reasons: StaleReason[] = [];
  if (flag.expiresAt !== null && Date.parse(flag.expiresAt) <= criteria.now.getTime()) {
    reasons.push({ code: 'EXPIRED', message: `Expired on ${flag.expiresAt}`, since: flag.expiresAt });
  }
  const environments = Object.values(flag.environments);
  if (flag.lifecycle === 'temporary' && environments.length > 0) {
    const served: Record<string, string | null> = {};
    let newestChange = Date.parse(flag.createdAt);
    let single = true;
    for (const config of environments) {
      const variant = singleServedVariant(config);
      if (variant === undefined) {
        single = false;
        break;
      }
      served[config.environment] = variant;
      // A config never written has no timestamp of its own: it is as old as the flag.
      newestChange = Math.max(newestChange, config.updatedAt ? Date.parse(config.updatedAt) : 0);
    }
    const hours = (criteria.now.getTime() - newestChange) / HOUR_MS;
    if (single && hours >= criteria.singleVariantHours) {
      const summary = Object.entries(served)
        .map(([env, variant]) => `${env}: ${variant ?? "caller's default"}`)
        .join(', ');
      reasons.push({
        code: 'SINGLE_VARIANT',
        message: `Has served one variant to everyone for ${Math.floor(hours)} hours (${summary})`,
        since: new Date(newestChange).toISOString(),
        servedByEnvironment: served,
      });
    }
  }
  if (flag.lifecycle === 'temporary' && criteria.lastEvaluatedAt !== undefined) {
    const days = criteria.unusedDays ?? DEFAULT_UNUSED_DAYS;
    const reference = criteria.lastEvaluatedAt ?? new Date(flag.createdAt);
    const idleDays = (criteria.now.getTime() - reference.getTime()) / (24 * HOUR_MS);
    if (idleDays >= days) {
      reasons.push({
        code: 'UNUSED',
        message: criteria.lastEvaluatedAt
          ? `No SDK has evaluated it for ${Math.floor(idleDays)} days`
          : `No SDK has evaluated it since it was created ${Math.floor(idleDays)} days ago`,
        since: reference.toISOString(),
      });
    }
  }
  return reasons;
};
