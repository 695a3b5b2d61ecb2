import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VersionedMap } from './config-store-map.js';

const KEYS = ['a', 'b', 'c', 'd', 'e', 'f'];
const operations = fc.array(fc.record({ key: fc.constantFrom(...KEYS), value: fc.option(fc.nat(5), { nil: undefined }) }), { maxLength: 300 });

describe('VersionedMap', () => {
  it('reads and iterates like a Map after any sequence of sets and deletes, across flattening', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...KEYS)), operations, (initial, ops) => {
        const reference = new Map(initial.map((key, i) => [key, i]));
        let versioned = VersionedMap.of(new Map(reference));
        for (const { key, value } of ops) {
          if (value === undefined) reference.delete(key);
          else reference.set(key, value);
          versioned = versioned.with(key, value);
          expect(versioned.size).toBe(reference.size);
          for (const k of KEYS) expect([versioned.has(k), versioned.get(k)]).toEqual([reference.has(k), reference.get(k)]);
        }
        expect([...versioned]).toEqual([...reference]);
        expect([...versioned.keys()]).toEqual([...reference.keys()]);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves earlier versions as they were', () => {
    const first = VersionedMap.of(new Map([['a', 1]]));
    const versions = [first];
    for (let i = 2; i < 200; i++) versions.push(versions[versions.length - 1]!.with(i % 2 === 0 ? 'a' : `k${i}`, i));
    expect([...first]).toEqual([['a', 1]]);
    expect(versions[10]!.get('a')).toBe(10);
    expect(versions[10]!.size).toBe(6);
  });
});
