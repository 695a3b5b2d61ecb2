import { describe, expect, it } from 'vitest';
import { aFlag, aSegment, inSegments } from '../../test/builders.js';
import { compileEnvironment } from '../core/compile.js';
import { evaluate } from '../core/evaluate.js';
import type { EnvironmentConfig, FlagConfig, Segment } from '../core/types.js';
import type { ChangeMessage, SnapshotMessage } from '../protocol/messages.js';
import { ConfigStore } from './config-store.js';

function snapshot(sequence: number, flags: FlagConfig[], segments: Segment[] = []): SnapshotMessage {
  return { type: 'snapshot', sequence, config: { sequence, flags, segments } };
}

function flagChange(sequence: number, key: string, flag: FlagConfig | null): ChangeMessage {
  return { type: 'change', sequence, kind: 'flag', key, flag };
}

function segmentChange(sequence: number, key: string, segment: Segment | null): ChangeMessage {
  return { type: 'change', sequence, kind: 'segment', key, segment };
}

function storeAt(sequence: number, flags: FlagConfig[] = [aFlag('a').build()], segments: Segment[] = []): ConfigStore {
  const store = new ConfigStore();
  store.apply(snapshot(sequence, flags, segments));
  store.commit();
  return store;
}

describe('ConfigStore', () => {
  it('applies a snapshot and reports every flag as changed on the first commit', () => {
    const store = new ConfigStore();
    expect(store.apply(snapshot(7, [aFlag('a').build(), aFlag('b').build()]))).toBe('applied');
    const batch = store.commit();
    expect(batch).toEqual({ sequence: 7, changedKeys: ['a', 'b'], problems: [] });
    expect(store.sequence).toBe(7);
    expect(store.compiled?.flagKeys()).toEqual(['a', 'b']);
  });

  it('applies the next change and moves the sequence on', () => {
    const store = storeAt(7);
    expect(store.apply(flagChange(8, 'a', aFlag('a').with({ on: false, version: 2 }).build()))).toBe('applied');
    expect(store.commit()?.changedKeys).toEqual(['a']);
    expect(store.sequence).toBe(8);
    expect(store.compiled?.flags.get('a')?.on).toBe(false);
  });

  it('leaves an environment it compiled as it was when later changes arrive, even for flags it had not read', () => {
    const store = storeAt(7, [aFlag('a').build(), aFlag('b').build()], [aSegment('s', { included: ['u1'] })]);
    const pinned = store.compiled!;
    // Neither flag nor the segment has been read from `pinned`: it compiles them from the config it was made from.
    store.apply(flagChange(8, 'a', aFlag('a').with({ on: false, version: 2 }).build()));
    store.apply(flagChange(9, 'b', null));
    store.apply(flagChange(10, 'c', aFlag('c').build()));
    store.apply(segmentChange(11, 's', null));
    expect(store.commit()?.changedKeys).toEqual(['a', 'c', 'b']);
    expect(pinned.flags.get('a')?.on).toBe(true);
    expect(pinned.flagKeys()).toEqual(['a', 'b']);
    expect([...pinned.segments.keys()]).toEqual(['s']);
    expect(store.compiled?.flags.get('a')?.on).toBe(false);
    expect(store.compiled?.flagKeys()).toEqual(['a', 'c']);
    expect(store.compiled?.segments.size).toBe(0);
  });

  it('lists flags deleted before the first commit among the changed ones', () => {
    const store = new ConfigStore();
    store.apply(snapshot(1, [aFlag('a').build(), aFlag('b').build()]));
    store.apply(flagChange(2, 'b', null));
    expect(store.commit()?.changedKeys).toEqual(['a', 'b']);
    expect(store.compiled?.flagKeys()).toEqual(['a']);
  });

  it('ignores changes it already has as duplicates', () => {
    const store = storeAt(7);
    const compiled = store.compiled;
    expect(store.apply(flagChange(7, 'a', aFlag('a').with({ on: false }).build()))).toBe('duplicate');
    expect(store.apply(flagChange(3, 'a', null))).toBe('duplicate');
    expect(store.commit()).toBeUndefined();
    expect(store.compiled).toBe(compiled);
    expect(store.sequence).toBe(7);
  });

  it('reports a gap for a change that skips a sequence, and applies nothing', () => {
    const store = storeAt(7);
    expect(store.apply(flagChange(9, 'a', null))).toBe('gap');
    expect(store.commit()).toBeUndefined();
    expect(store.sequence).toBe(7);
    expect(store.compiled?.flags.has('a')).toBe(true);
  });

  it('waits for a first snapshot before applying changes', () => {
    const store = new ConfigStore();
    expect(store.apply(flagChange(1, 'a', aFlag('a').build()))).toBe('waiting');
    expect(store.hasConfig).toBe(false);
  });

  it('treats a gap from sequence 0 as a gap once it holds a config', () => {
    const store = storeAt(0, []);
    expect(store.apply(flagChange(1, 'a', aFlag('a').build()))).toBe('applied');
    expect(store.apply(flagChange(3, 'b', aFlag('b').build()))).toBe('gap');
  });

  it('deletes flags and segments on tombstones', () => {
    const store = storeAt(1, [aFlag('a').build(), aFlag('b').build()], [aSegment('beta')]);
    store.apply(flagChange(2, 'a', null));
    store.apply(segmentChange(3, 'beta', null));
    expect(store.commit()?.changedKeys).toEqual(['a']);
    expect(store.compiled?.flagKeys()).toEqual(['b']);
    expect(store.compiled?.segments.has('beta')).toBe(false);
    expect(store.toConfig()).toEqual({ sequence: 3, flags: [aFlag('b').build()], segments: [] });
  });

  it('accepts a tombstone for something it never had, to keep the sequence', () => {
    const store = storeAt(1);
    expect(store.apply(flagChange(2, 'ghost', null))).toBe('applied');
    expect(store.sequence).toBe(2);
  });

  it('upserts a new flag at the end and an existing one in place', () => {
    const store = storeAt(1, [aFlag('a').build(), aFlag('b').build()]);
    store.apply(flagChange(2, 'c', aFlag('c').build()));
    store.apply(flagChange(3, 'a', aFlag('a').with({ version: 2 }).build()));
    expect(store.commit()?.changedKeys).toEqual(['a', 'c']);
    expect(store.compiled?.flagKeys()).toEqual(['a', 'b', 'c']);
  });

  it('compiles a burst of changes once', () => {
    const store = storeAt(1);
    const before = store.compiled;
    for (let sequence = 2; sequence <= 20; sequence++) store.apply(flagChange(sequence, 'a', aFlag('a').with({ version: sequence }).build()));
    const batch = store.commit();
    expect(batch?.sequence).toBe(20);
    expect(store.compiled).not.toBe(before);
    expect(store.commit()).toBeUndefined();
  });

  it('reports flags using a changed segment, and flags depending on them through prerequisites', () => {
    const store = storeAt(
      1,
      [
        aFlag('uses-beta').withRule({ variant: 'on' }, inSegments('beta')).build(),
        aFlag('needs-uses-beta').withPrerequisite('uses-beta', 'on').build(),
        aFlag('needs-needs').withPrerequisite('needs-uses-beta', 'on').build(),
        aFlag('unrelated').build(),
      ],
      [aSegment('beta')],
    );
    store.apply(segmentChange(2, 'beta', aSegment('beta', { included: ['u1'] })));
    expect(store.commit()?.changedKeys).toEqual(['uses-beta', 'needs-uses-beta', 'needs-needs']);
  });

  it('reports only what a snapshot actually changed', () => {
    const store = storeAt(1, [aFlag('a').build(), aFlag('b').build(), aFlag('c').build()]);
    store.apply(snapshot(5, [aFlag('a').build(), aFlag('b').with({ killed: true }).build(), aFlag('d').build()]));
    expect(store.commit()?.changedKeys).toEqual(['b', 'd', 'c']);
  });

  it('moves to the sequence of an identical snapshot without recompiling', () => {
    const store = storeAt(1);
    const compiled = store.compiled;
    store.apply(snapshot(4, [aFlag('a').build()]));
    expect(store.commit()).toEqual({ sequence: 4, changedKeys: [], problems: [] });
    expect(store.compiled).toBe(compiled);
  });

  it('holds a snapshot’s flags and segments as JSON text until compiled, and gives them back parsed', () => {
    const flags = [aFlag('a').withRule({ variant: 'off' }, inSegments('s')).build(), aFlag('b').build()];
    const segments = [aSegment('s', { included: ['u1'] })];
    const store = storeAt(3, flags, segments);
    // The memory a process with many clients saves: one string per item nobody evaluated.
    const held = store as unknown as { flags: ReadonlyMap<string, unknown>; segments: ReadonlyMap<string, unknown> };
    expect(typeof held.flags.get('b')).toBe('string');
    expect(typeof held.segments.get('s')).toBe('string');
    expect(evaluate(store.compiled!, 'a', { targetingKey: 'u1' }, null)).toMatchObject({ variant: 'off', reason: 'TARGETING_MATCH' });
    expect(store.toConfig()).toEqual({ sequence: 3, flags, segments });
    // A change's flag arrives parsed and is usually read next: it stays parsed.
    store.apply(flagChange(4, 'b', aFlag('b').with({ on: false, version: 2 }).build()));
    expect(typeof held.flags.get('b')).toBe('object');
  });

  it('compares a snapshot with what changes brought, parsed or packed, by content', () => {
    const store = storeAt(1, [aFlag('a').build(), aFlag('b').build()]);
    store.apply(flagChange(2, 'a', aFlag('a').with({ version: 2, on: false }).build()));
    store.commit();
    const compiled = store.compiled;
    // The same content again, packed this time: nothing changed.
    store.apply(snapshot(2, [aFlag('a').with({ version: 2, on: false }).build(), aFlag('b').build()]));
    expect(store.commit()).toBeUndefined();
    store.apply(snapshot(5, [aFlag('a').with({ version: 2, on: false }).build(), aFlag('b').build()]));
    expect(store.commit()).toEqual({ sequence: 5, changedKeys: [], problems: [] });
    expect(store.compiled).toBe(compiled);
    store.apply(snapshot(6, [aFlag('a').with({ version: 3 }).build(), aFlag('b').build()]));
    expect(store.commit()?.changedKeys).toEqual(['a']);
    expect(evaluate(store.compiled!, 'a', { targetingKey: 'u1' }, null)).toMatchObject({ variant: 'on' });
  });

  it('takes a snapshot older than its state (the server is the authority, e.g. after a restore)', () => {
    const store = storeAt(50);
    expect(store.apply(snapshot(30, [aFlag('x').build()]))).toBe('applied');
    store.commit();
    expect(store.sequence).toBe(30);
    expect(store.compiled?.flagKeys()).toEqual(['x']);
  });

  it('ignores malformed messages without throwing', () => {
    const store = storeAt(1);
    const junk: unknown[] = [
      null,
      42,
      { type: 'snapshot', sequence: 2 },
      { type: 'snapshot', sequence: -1, config: { sequence: 1, flags: [], segments: [] } },
      { type: 'change', sequence: 2, kind: 'flag' },
      { type: 'change', sequence: 2, kind: 'widget', key: 'a' },
      { type: 'change', sequence: 2, kind: 'flag', key: 'a', flag: 'nope' },
      { type: 'change', sequence: 2.5, kind: 'flag', key: 'a', flag: null },
      { type: 'hello' },
    ];
    for (const message of junk) expect(store.apply(message as ChangeMessage)).toBe('invalid');
    expect(store.sequence).toBe(1);
    expect(store.commit()).toBeUndefined();
  });

  it('keeps serving, with the problem listed, when a flag in the config is unreadable', () => {
    const store = new ConfigStore();
    const broken = { ...aFlag('broken').build(), variants: 'nope' } as unknown as FlagConfig;
    store.apply(snapshot(1, [aFlag('fine').build(), broken]));
    const batch = store.commit();
    expect(batch?.problems.length).toBeGreaterThan(0);
    expect(store.compiled?.flags.has('fine')).toBe(true);
  });

  it('refuses to replace its state with something that is not a config', () => {
    const store = storeAt(3);
    expect(store.replace({ flags: 'x' } as unknown as EnvironmentConfig)).toBe(false);
    expect(store.sequence).toBe(3);
  });

  it('keeps the segment table across flag changes and evaluates as a full compile of the same config does', () => {
    const problems: string[] = [];
    const store = new ConfigStore((found) => problems.push(...found.map((problem) => problem.message)));
    const flags = [aFlag('a').withRule({ variant: 'off' }, inSegments('s')).build(), aFlag('b').withRule({ variant: 'off' }, inSegments('broken')).build()];
    const broken = { key: 'broken', included: 'nobody' } as unknown as Segment;
    store.apply(snapshot(1, flags, [aSegment('s', { included: ['u1'] }), broken]));
    store.commit();
    const sameAsFullCompile = () => {
      const expected = compileEnvironment(store.toConfig());
      for (const key of ['a', 'b', 'c']) {
        for (const targetingKey of ['u1', 'u2']) {
          expect(evaluate(store.compiled!, key, { targetingKey }, null)).toEqual(evaluate(expected, key, { targetingKey }, null));
        }
      }
      expect(store.compiled!.problems).toEqual(expected.problems);
    };
    sameAsFullCompile();
    const reported = problems.length;
    expect(reported).toBeGreaterThan(0);
    const segments = store.compiled!.table.segments;
    store.apply(flagChange(2, 'a', aFlag('a').withRule({ variant: 'off' }, inSegments('s')).with({ version: 2 }).build()));
    store.apply(flagChange(3, 'c', aFlag('c').withRule({ variant: 'off' }, inSegments('s', 'broken')).build()));
    store.commit();
    // A flag change makes no segment table: the compiled segments (and their problems, reported once) carry over.
    expect(store.compiled!.table.segments).toBe(segments);
    sameAsFullCompile();
    // A segment change makes a new one.
    store.apply(segmentChange(4, 's', aSegment('s', { included: ['u2'] })));
    expect(store.commit()?.changedKeys).toEqual(['a', 'c']);
    expect(store.compiled!.table.segments).not.toBe(segments);
    sameAsFullCompile();
    // The broken segment's problem was reported when first found, and a carried-over table did not report it again.
    expect(problems.filter((message) => message === problems[0]).length).toBe(1);
  });
});
