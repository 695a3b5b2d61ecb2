import { describe, expect, it } from 'vitest';
import { targetingState } from './targetingState';

describe('targetingState', () => {
  it('says rules decide when on and not killed', () => {
    expect(targetingState({ killed: false }, true)).toBe('On: rules and the default rule decide');
  });

  it('says the off variant is served when off', () => {
    expect(targetingState({ killed: false }, false)).toBe('Off: everyone gets the off variant');
  });

  it('says killed while the flag is killed, even with targeting on', () => {
    expect(targetingState({ killed: true }, true)).toBe('Killed: serving the off variant to everyone');
    expect(targetingState({ killed: true }, false)).toBe('Killed: serving the off variant to everyone');
  });
});
