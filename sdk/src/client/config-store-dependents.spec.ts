import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aFlag, inSegments } from '../../test/builders.js';
import { affectedFlagKeys } from '../core/affected.js';
import type { FlagConfig } from '../core/types.js';
import { FlagDependents } from './config-store-dependents.js';

const FLAG_KEYS = ['a', 'b', 'c', 'd'];
const SEGMENT_KEYS = ['s1', 's2'];
const SHAPES: Array<(key: string) => FlagConfig> = [
  (key) => aFlag(key).build(),
  (key) => aFlag(key).withRule({ variant: 'off' }, inSegments('s1')).build(),
  (key) => aFlag(key).withRule({ variant: 'off' }, inSegments('s1', 's2')).build(),
  (key) => aFlag(key).withPrerequisite('a', 'on').build(),
  (key) => aFlag(key).withPrerequisite('b', 'on').withPrerequisite('c', 'off').build(),
  (key) => aFlag(key).withPrerequisite('d', 'on').withRule({ variant: 'off' }, inSegments('s2')).build(),
  (key) => ({ ...aFlag(key).build(), rules: 'broken' as unknown as FlagConfig['rules'] }),
];

describe('FlagDependents', () => {
  it('finds the flags a change affects exactly as affectedFlagKeys does, while flags change one at a time', () => {
    const step = fc.record({
      key: fc.constantFrom(...FLAG_KEYS),
      shape: fc.option(fc.nat(SHAPES.length - 1), { nil: null }),
      segments: fc.subarray(SEGMENT_KEYS),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const flags = new Map<string, FlagConfig>();
        const dependents = new FlagDependents();
        dependents.reset(flags);
        for (const { key, shape, segments } of steps) {
          const flag = shape === null ? undefined : SHAPES[shape]!(key);
          if (flag === undefined) flags.delete(key);
          else flags.set(key, flag);
          dependents.update(key, flag);
          const changedFlags = new Set([key]);
          const changedSegments = new Set(segments);
          expect(dependents.affected(flags, changedFlags, changedSegments)).toEqual(affectedFlagKeys(flags, changedFlags, changedSegments));
          expect(dependents.affected(flags, new Set(), changedSegments)).toEqual(affectedFlagKeys(flags, new Set(), changedSegments));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('answers a one-flag change without walking, as affectedFlagKeys does, whether or not other flags require the flag', () => {
    const flags = new Map<string, FlagConfig>([
      ['a', aFlag('a').build()],
      ['b', aFlag('b').withPrerequisite('a', 'on').build()],
      ['c', aFlag('c').withRule({ variant: 'off' }, inSegments('s1')).build()],
    ]);
    const dependents = new FlagDependents();
    dependents.reset(flags);
    for (const changed of [['a'], ['b'], ['c'], ['gone'], ['a', 'c']]) {
      for (const segments of [[], ['s1']]) {
        const changedFlags = new Set(changed);
        const changedSegments = new Set(segments);
        expect(dependents.affected(flags, changedFlags, changedSegments)).toEqual(affectedFlagKeys(flags, changedFlags, changedSegments));
      }
    }
    // The flag that required `a` no longer does: a change of `a` is `a` alone.
    flags.set('b', aFlag('b').build());
    dependents.update('b', flags.get('b'));
    expect(dependents.affected(flags, new Set(['a']), new Set())).toEqual(['a']);
    expect(affectedFlagKeys(flags, new Set(['a']), new Set())).toEqual(['a']);
  });
});
