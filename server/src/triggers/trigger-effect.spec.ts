import { describe, expect, it } from 'vitest';
import type { FlagConfigState } from '../flags/flag-config-change.js';
import { configAfter, effectProblems, outcomeOf, undoOf } from './trigger-effect.js';

const config = (extra: Partial<FlagConfigState> = {}): FlagConfigState => ({
  on: true,
  kill: null,
  offVariant: 'v1',
  targets: [],
  rules: [],
  defaultRule: { variant: 'v1' },
  prerequisites: [],
  ...extra,
});

describe('configAfter', () => {
  it('turns the flag on or off, and asks for nothing when it already is', () => {
    expect(configAfter({ type: 'turn-off' }, config())).toMatchObject({ on: false });
    expect(configAfter({ type: 'turn-on' }, config())).toBeNull();
  });

  it('serves a variant by default, leaving targets, rules and a kill as they are', () => {
    const current = config({ targets: [{ variant: 'v1', values: ['u'] }], kill: { reason: 'r', by: 'b', at: 'now' } });
    expect(configAfter({ type: 'serve-variant', variant: 'v2' }, current)).toEqual({ ...current, defaultRule: { variant: 'v2' } });
    expect(configAfter({ type: 'serve-variant', variant: 'v1' }, current)).toBeNull();
  });

  it('sets a rollout in thousandths of a percent, keeping bucketBy, and sees an equal one stored with keys reordered', () => {
    const current = config({ defaultRule: { rollout: { bucketBy: 'runId', variants: [{ variant: 'v1', weight: 100_000 }] } } });
    const next = configAfter({ type: 'set-rollout', variant: 'v2', percentage: 0.125, restVariant: 'v1' }, current)!;
    expect(next.defaultRule).toEqual({
      rollout: {
        bucketBy: 'runId',
        variants: [
          { variant: 'v2', weight: 125 },
          { variant: 'v1', weight: 99_875 },
        ],
      },
    });
    // jsonb hands keys back in its own order.
    const stored = config({
      defaultRule: {
        rollout: {
          variants: [
            { weight: 125, variant: 'v2' },
            { weight: 99_875, variant: 'v1' },
          ],
          bucketBy: 'runId',
        },
      },
    });
    expect(configAfter({ type: 'set-rollout', variant: 'v2', percentage: 0.125, restVariant: 'v1' }, stored)).toBeNull();
  });
});

describe('undo and outcomes', () => {
  it('undoes only what has one clear opposite', () => {
    expect(undoOf({ type: 'kill' })).toEqual({ type: 'restore' });
    expect(undoOf({ type: 'pause-rollout' })).toEqual({ type: 'resume-rollout' });
    expect(undoOf({ type: 'serve-variant', variant: 'v2' })).toBeNull();
    expect(undoOf({ type: 'abort-rollout' })).toBeNull();
    expect(outcomeOf({ type: 'restore' })).toBe('restored');
  });

  it('names the field of an effect that cannot work on the flag', () => {
    expect(effectProblems({ type: 'serve-variant', variant: 'v9' }, ['v1', 'v2'], false).map((p) => p.field)).toEqual(['effect.variant']);
    expect(effectProblems({ type: 'set-rollout', variant: 'v1', percentage: 5, restVariant: 'v1' }, ['v1', 'v2'], false).map((p) => p.field)).toEqual([
      'effect.restVariant',
    ]);
    expect(effectProblems({ type: 'abort-rollout' }, ['v1'], true).map((p) => p.field)).toEqual(['restoreOnResolve']);
    expect(effectProblems({ type: 'kill' }, ['on', 'off'], true)).toEqual([]);
  });
});
