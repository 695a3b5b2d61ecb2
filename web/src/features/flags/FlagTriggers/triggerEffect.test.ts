import { describe, expect, it } from 'vitest';
import { describeEffect, undoLabel } from './triggerEffect';

describe('triggerEffect', () => {
  it('describes each effect as the list shows it', () => {
    expect(describeEffect({ type: 'kill' })).toBe('kills the flag');
    expect(describeEffect({ type: 'pause-rollout' })).toBe('pauses the rollout plan');
    expect(describeEffect({ type: 'serve-variant', variant: 'v3' })).toBe('serves v3 by default');
    expect(describeEffect({ type: 'set-rollout', variant: 'v2', percentage: 12.5, restVariant: 'v1' })).toBe('rolls v2 out to 12.5% (rest v1)');
  });

  it('offers an undo on resolve only where the server has one', () => {
    expect(undoLabel('kill')).toBe('Restore when the alert resolves');
    expect(undoLabel('turn-off')).toBe('Turn back on when the alert resolves');
    expect(undoLabel('set-rollout')).toBeNull();
    expect(undoLabel('abort-rollout')).toBeNull();
  });
});
