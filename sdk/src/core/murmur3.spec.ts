import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketFor, bucketWithPrefix } from './bucket.js';
import { hashPrefix, murmur3WithPrefix, murmur3x86_32 } from './murmur3.js';
import { encodeUtf8Into } from './utf8.js';

// Published MurmurHash3_x86_32 vectors (SMHasher / common test suites), seed 0 unless given.
const REFERENCE: [string, number, number][] = [
  ['', 0, 0x00000000],
  ['', 1, 0x514e28b7],
  ['', 0xffffffff, 0x81f16f39],
  ['a', 0, 0x3c2569b2],
  ['abc', 0, 0xb3dd93fa],
  ['abcd', 0, 0x43ed676a],
  ['hello', 0, 0x248bfa47],
  ['Hello, world!', 0, 0xc0363e43],
  ['Hello, world!', 1234, 0xfaf6cdb3],
  ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723],
  ['aaaa', 0x9747b28c, 0x5a97808a],
  ['Hello, world!', 0x9747b28c, 0x24884cba],
];

const codeUnitStrings = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 }).map((codes) => String.fromCharCode(...codes));

describe('murmur3x86_32', () => {
  it.each(REFERENCE)('hashes %j with seed %d to the published value', (text, seed, expected) => {
    expect(murmur3x86_32(text, seed)).toBe(expected);
  });

  it('hashes a string continued from a precomputed prefix as if hashed whole', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), codeUnitStrings, (prefix, suffix) => {
        expect(murmur3WithPrefix(hashPrefix(prefix), suffix)).toBe(murmur3x86_32(prefix + suffix));
      }),
    );
  });

  it('buckets from a precomputed salt prefix exactly as from the whole string (ASCII fast path included)', () => {
    const units = fc.oneof(fc.string({ unit: 'binary-ascii' }), fc.string({ unit: 'binary' }), codeUnitStrings, fc.uuid());
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 12 }), units, (salt, unit) => {
        expect(bucketWithPrefix(hashPrefix(`${salt}.`), unit)).toBe(bucketFor(salt, unit));
      }),
      { numRuns: 2_000 },
    );
  });

  it('computes buckets in [0, 100000)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (salt, unit) => {
        const bucket = bucketFor(salt, unit);
        return Number.isInteger(bucket) && bucket >= 0 && bucket < 100_000;
      }),
    );
  });
});

describe('encodeUtf8Into', () => {
  it('writes the same bytes as TextEncoder, lone surrogates included', () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.oneof(codeUnitStrings, fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), (text) => {
        const out = new Uint8Array(text.length * 3);
        const length = encodeUtf8Into(text, out, 0);
        expect([...out.subarray(0, length)]).toEqual([...encoder.encode(text)]);
      }),
    );
  });

  it.each([
    ['a lone high surrogate', '\ud83d', [0xef, 0xbf, 0xbd]],
    ['a lone low surrogate', '\ude00', [0xef, 0xbf, 0xbd]],
    ['a reversed pair', '\ude00\ud83d', [0xef, 0xbf, 0xbd, 0xef, 0xbf, 0xbd]],
    ['an emoji', '😀', [0xf0, 0x9f, 0x98, 0x80]],
    ['a combining mark', 'e\u0301', [0x65, 0xcc, 0x81]],
  ])('encodes %s like TextEncoder', (_name, text, bytes) => {
    const out = new Uint8Array(12);
    expect([...out.subarray(0, encodeUtf8Into(text, out, 0))]).toEqual(bytes);
  });
});
