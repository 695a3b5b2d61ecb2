import { encodeUtf8Into } from './utf8.js';

const UINT32_RANGE = 2 ** 32;
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/**
 * The hash state after the whole 4-byte blocks of a fixed prefix (a flag's `salt + "."`), so a
 * rollout hashes only the unit's bytes per evaluation.
 */
export interface HashPrefix {
  /** State after the prefix's whole blocks. */
  readonly state: number;
  /** How many of the prefix's bytes (0-3) start the next block. */
  readonly tailLength: number;
  /** Those bytes packed little-endian, as the start of the next block. */
  readonly tailWord: number;
  /** Bytes consumed into `state`. */
  readonly consumed: number;
}

// One growable scratch buffer: evaluation is synchronous, so reusing it is safe and saves an
// allocation per hash.
let scratch = new Uint8Array(256);

function scratchFor(bytes: number): Uint8Array {
  if (scratch.length < bytes) scratch = new Uint8Array(Math.max(bytes, scratch.length * 2));
  return scratch;
}

/** Mixes one little-endian 4-byte block into the state. */
export function mixBlock(state: number, block: number): number {
  let k = Math.imul(block, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  let h = state ^ k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** Mixes the final 1-3 bytes (packed little-endian in `tail`) into the state. */
export function mixTail(state: number, tail: number): number {
  let k = Math.imul(tail, C1);
  k = (k << 15) | (k >>> 17);
  return state ^ Math.imul(k, C2);
}

/** The finalizer, given the state xor the total byte length; returns the unsigned hash. */
export function fmix(state: number): number {
  let h = state;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hashes `bytes[0, length)` continuing from `state` (with `consumed` bytes already hashed) and
 * returns the unsigned hash modulo `modulus`.
 */
function finish(state: number, bytes: Uint8Array, length: number, consumed: number, modulus: number): number {
  let h = state;
  const whole = length & ~3;
  let i = 0;
  for (; i < whole; i += 4) {
    h = mixBlock(h, bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
  }
  const rest = length - whole;
  if (rest > 0) {
    let tail = bytes[i]!;
    if (rest > 1) tail |= bytes[i + 1]! << 8;
    if (rest > 2) tail |= bytes[i + 2]! << 16;
    h = mixTail(h, tail);
  }
  return fmix(h ^ (consumed + length)) % modulus;
}

/** MurmurHash3 x86 32-bit of the UTF-8 bytes of `text`, as an unsigned 32-bit integer. */
export function murmur3x86_32(text: string, seed = 0): number {
  const bytes = scratchFor(text.length * 3);
  const length = encodeUtf8Into(text, bytes, 0);
  return finish(seed | 0, bytes, length, 0, UINT32_RANGE);
}

/** Precomputes the hash state of `prefix` so the rest can be hashed per call. */
export function hashPrefix(prefix: string): HashPrefix {
  // The scratch encoder, not a TextEncoder: constructing one per rollout cost more than the hashing.
  const bytes = scratchFor(prefix.length * 3);
  const length = encodeUtf8Into(prefix, bytes, 0);
  const whole = length & ~3;
  let state = 0;
  for (let i = 0; i < whole; i += 4) {
    state = mixBlock(state, bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
  }
  let tailWord = 0;
  for (let i = whole; i < length; i++) tailWord |= bytes[i]! << ((i - whole) << 3);
  return { state, tailLength: length - whole, tailWord, consumed: whole };
}

/**
 * MurmurHash3 x86 32-bit (seed 0) of utf8(prefix + suffix), given `hashPrefix(prefix)`, modulo
 * `modulus` (default: the full unsigned hash). Encodes the suffix into a scratch buffer.
 */
export function murmur3WithPrefix(prefix: HashPrefix, suffix: string, modulus = UINT32_RANGE): number {
  const tailLength = prefix.tailLength;
  const bytes = scratchFor(tailLength + suffix.length * 3);
  for (let i = 0; i < tailLength; i++) bytes[i] = (prefix.tailWord >>> (i << 3)) & 0xff;
  const length = encodeUtf8Into(suffix, bytes, tailLength);
  return finish(prefix.state, bytes, length, prefix.consumed, modulus);
}
