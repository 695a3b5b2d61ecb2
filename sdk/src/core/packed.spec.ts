import { describe, expect, it } from 'vitest';
import { aFlag, aSegment, clause, inSegments } from '../../test/builders.js';
import { affectedFlagKeys } from './affected.js';
import { compileEnvironment, compileKeyed, recompileKeyed } from './compile.js';
import { evaluate } from './evaluate.js';
import { explain } from './explain.js';
import { jsonOf, pack, unpack, type Held } from './packed.js';
import type { FlagConfig, Segment } from './types.js';

const flags = [
  aFlag('base')
    .withRule({ variant: 'on' }, clause('plan', 'in', ['pro']))
    .build(),
  aFlag('gated').withPrerequisite('base', 'on').withRule({ variant: 'on' }, inSegments('beta')).build(),
  aFlag('plain').build(),
];
const segments = [aSegment('beta', { included: ['u1'] })];

function packedMaps(): { flags: Map<string, Held<FlagConfig>>; segments: Map<string, Held<Segment>> } {
  return {
    flags: new Map(flags.map((flag) => [flag.key, pack(flag)])),
    segments: new Map(segments.map((segment) => [segment.key, pack(segment)])),
  };
}

describe('packed config items', () => {
  it('round-trips a config item through its JSON text', () => {
    const held = pack(flags[1]);
    expect(typeof held).toBe('string');
    expect(unpack(held)).toEqual(flags[1]);
    expect(jsonOf(held)).toBe(held);
    expect(jsonOf(flags[1])).toBe(held);
  });

  it('keeps an item that has no JSON text as it is, and says it has none', () => {
    const cyclic: Record<string, unknown> = { key: 'x' };
    cyclic.self = cyclic;
    expect(pack(cyclic)).toBe(cyclic);
    expect(jsonOf(cyclic)).toBeUndefined();
    const big = { key: 'y', weight: 1n };
    expect(pack(big)).toBe(big);
    expect(pack(undefined)).toBeUndefined();
  });

  it('compiles packed items to what their parsed form compiles to: evaluations, explanations and problems', () => {
    const fromPacked = compileKeyed({ sequence: 4, ...packedMaps() });
    const fromParsed = compileEnvironment({ sequence: 4, flags, segments });
    for (const key of ['base', 'gated', 'plain', 'missing']) {
      for (const context of [{ targetingKey: 'u1', plan: 'pro' }, { targetingKey: 'u2', plan: 'pro' }, { targetingKey: 'u1' }]) {
        expect(evaluate(fromPacked, key, context, false)).toEqual(evaluate(fromParsed, key, context, false));
        expect(explain(fromPacked, key, context)).toEqual(explain(fromParsed, key, context));
      }
    }
    expect(fromPacked.problems).toEqual(fromParsed.problems);
  });

  it('lists the flags a change affects through packed prerequisites and segment rules', () => {
    const { flags: packed } = packedMaps();
    const parsed = new Map(flags.map((flag) => [flag.key, flag]));
    expect(affectedFlagKeys(packed, new Set(['base']), new Set())).toEqual(['base', 'gated']);
    expect(affectedFlagKeys(packed, new Set(), new Set(['beta']))).toEqual(['gated']);
    expect(affectedFlagKeys(packed, new Set(['base']), new Set())).toEqual(affectedFlagKeys(parsed, new Set(['base']), new Set()));
  });

  it('recompiles from scratch with packed items when the previous environment cannot be reused', () => {
    const broken = compileEnvironment({ sequence: 1, flags: 'not a list' } as never);
    const { flags: packed, segments: packedSegments } = packedMaps();
    const { environment, affectedKeys } = recompileKeyed(broken, { sequence: 2, flags: packed, segments: packedSegments }, new Set(['base']), new Set());
    expect(affectedKeys).toEqual(['base', 'gated']);
    expect(environment.problems).toEqual([]);
    expect(evaluate(environment, 'gated', { targetingKey: 'u1', plan: 'pro' }, false)).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });
  });
});
