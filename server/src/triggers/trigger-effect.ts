import type { Serve } from '@signalbox/sdk/core';
import type { FieldProblem } from '../common/errors/domain-error.js';
import { everyMember } from '../common/openapi/every-member.js';
import type { FlagConfigState } from '../flags/flag-config-change.js';

/**
 * What a trigger does when an alert fires, fixed when the trigger is created: the caller of the
 * URL can only say "firing" or "resolved", never what to change. Stored as the trigger's `effect`.
 */
export type TriggerEffect =
  | { type: 'kill' }
  | { type: 'turn-on' }
  | { type: 'turn-off' }
  | { type: 'serve-variant'; variant: string }
  | { type: 'set-rollout'; variant: string; percentage: number; restVariant: string }
  | { type: 'pause-rollout' }
  | { type: 'resume-rollout' }
  | { type: 'abort-rollout' };

export type TriggerEffectType = TriggerEffect['type'];

export const TRIGGER_EFFECT_TYPES = everyMember<TriggerEffectType>()([
  'kill',
  'turn-on',
  'turn-off',
  'serve-variant',
  'set-rollout',
  'pause-rollout',
  'resume-rollout',
  'abort-rollout',
]);

/** The effects a resolved alert undoes, and with what; the others have no single "before" to go back to. */
export type UndoEffect = { type: 'restore' } | { type: 'turn-on' } | { type: 'turn-off' } | { type: 'resume-rollout' } | { type: 'pause-rollout' };

export const undoOf = (effect: TriggerEffect): UndoEffect | null => {
  switch (effect.type) {
    case 'kill':
      return { type: 'restore' };
    case 'turn-on':
      return { type: 'turn-off' };
    case 'turn-off':
      return { type: 'turn-on' };
    case 'pause-rollout':
      return { type: 'resume-rollout' };
    case 'resume-rollout':
      return { type: 'pause-rollout' };
    case 'serve-variant':
    case 'set-rollout':
    case 'abort-rollout':
      return null;
  }
};

/** What a call did, as recorded on the trigger (`lastAction`) and answered to the caller. */
export type TriggerOutcome =
  'killed' | 'restored' | 'turned-on' | 'turned-off' | 'variant-served' | 'rollout-set' | 'rollout-paused' | 'rollout-resumed' | 'rollout-aborted' | 'ignored';

export const TRIGGER_OUTCOMES = everyMember<TriggerOutcome>()([
  'killed',
  'restored',
  'turned-on',
  'turned-off',
  'variant-served',
  'rollout-set',
  'rollout-paused',
  'rollout-resumed',
  'rollout-aborted',
  'ignored',
]);

export const outcomeOf = (effect: TriggerEffect | UndoEffect): Exclude<TriggerOutcome, 'ignored'> => {
  switch (effect.type) {
    case 'kill':
      return 'killed';
    case 'restore':
      return 'restored';
    case 'turn-on':
      return 'turned-on';
    case 'turn-off':
      return 'turned-off';
    case 'serve-variant':
      return 'variant-served';
    case 'set-rollout':
      return 'rollout-set';
    case 'pause-rollout':
      return 'rollout-paused';
    case 'resume-rollout':
      return 'rollout-resumed';
    case 'abort-rollout':
      return 'rollout-aborted';
  }
};

/** JSON with keys sorted: a stored jsonb value comes back with its keys in another order. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

/** Percent (up to three decimals) to the rollout's thousandths of a percent. */
const weightOf = (percentage: number): number => Math.round(percentage * 1000);

/**
 * The config an effect that edits the flag's config asks for, or null when the config already is
 * that (a repeated alert changes nothing and writes nothing). Kills and restores go through the kill switch.
 */
export const configAfter = (
  effect: Extract<TriggerEffect, { type: 'turn-on' | 'turn-off' | 'serve-variant' | 'set-rollout' }>,
  current: Readonly<FlagConfigState>,
): FlagConfigState | null => {
  const same = (serve: Serve) => canonical(serve) === canonical(current.defaultRule);
  switch (effect.type) {
    case 'turn-on':
    case 'turn-off': {
      const on = effect.type === 'turn-on';
      return current.on === on ? null : { ...current, on };
    }
    case 'serve-variant': {
      const defaultRule: Serve = { variant: effect.variant };
      return same(defaultRule) ? null : { ...current, defaultRule };
    }
    case 'set-rollout': {
      // Keep the unit the current rollout buckets by, so a pipeline's runId rollout stays one.
      const bucketBy = current.defaultRule && 'rollout' in current.defaultRule ? current.defaultRule.rollout.bucketBy : undefined;
      const weight = weightOf(effect.percentage);
      const defaultRule: Serve = {
        rollout: {
          ...(bucketBy ? { bucketBy } : {}),
          variants: [
            { variant: effect.variant, weight },
            { variant: effect.restVariant, weight: 100_000 - weight },
          ],
        },
      };
      return same(defaultRule) ? null : { ...current, defaultRule };
    }
  }
};

/** Checks an effect against the flag it is for (its variants), at creation: a 400 naming the field. */
export const effectProblems = (effect: TriggerEffect, variants: readonly string[], restoreOnResolve: boolean): FieldProblem[] => {
  const problems: FieldProblem[] = [];
  const known = new Set(variants);
  if ('variant' in effect && !known.has(effect.variant))
    problems.push({ field: 'effect.variant', reason: `the flag has no variant '${effect.variant}' (it has ${variants.join(', ')})` });
  if (effect.type === 'set-rollout') {
    if (!known.has(effect.restVariant))
      problems.push({ field: 'effect.restVariant', reason: `the flag has no variant '${effect.restVariant}' (it has ${variants.join(', ')})` });
    else if (effect.restVariant === effect.variant) problems.push({ field: 'effect.restVariant', reason: 'must be another variant than effect.variant' });
  }
  if (restoreOnResolve && undoOf(effect) === null)
    problems.push({ field: 'restoreOnResolve', reason: `a ${effect.type} trigger has nothing to restore on resolve; leave it false` });
  return problems;
};
