import { fmix, mixBlock, mixTail, murmur3WithPrefix, murmur3x86_32, type HashPrefix } from './murmur3.js';

/** Rollout weights are thousandths of a percent: 100000 buckets. */
export const BUCKET_COUNT = 100_000;

/**
 * The bucket in [0, 100000) of a unit for a flag's salt: murmur3_x86_32(utf8(salt + "." + unit),
 * seed 0) mod 100000. Every Signalbox SDK computes the same number.
 */
export function bucketFor(salt: string, unit: string): number {
  return murmur3x86_32(`${salt}.${unit}`) % BUCKET_COUNT;
}

/**
 * `bucketFor` for a precomputed `hashPrefix(salt + ".")`: the rollout hot path. ASCII units (ids,
 * uuids, run ids) feed char codes straight into the hash with no encoding pass; anything else
 * takes the UTF-8 path. Reducing modulo the constant here keeps the result a small integer (a
 * full 32-bit hash returned from a function is boxed by V8, which allocates).
 */
export function bucketWithPrefix(prefix: HashPrefix, unit: string): number {
  let h = prefix.state;
  let block = prefix.tailWord;
  let filled = prefix.tailLength;
  const length = unit.length;
  let i = 0;
  // Complete the block the prefix's tail started.
  if (filled > 0) {
    for (; filled < 4 && i < length; i++, filled++) {
      const code = unit.charCodeAt(i);
      if (code >= 0x80) return murmur3WithPrefix(prefix, unit, BUCKET_COUNT);
      block |= code << (filled << 3);
    }
    if (filled === 4) {
      h = mixBlock(h, block);
      block = 0;
      filled = 0;
    }
  }
  // Whole blocks, four characters at a time.
  for (; i + 4 <= length; i += 4) {
    const a = unit.charCodeAt(i);
    const b = unit.charCodeAt(i + 1);
    const c = unit.charCodeAt(i + 2);
    const d = unit.charCodeAt(i + 3);
    if ((a | b | c | d) >= 0x80) return murmur3WithPrefix(prefix, unit, BUCKET_COUNT);
    h = mixBlock(h, a | (b << 8) | (c << 16) | (d << 24));
  }
  for (; i < length; i++, filled++) {
    const code = unit.charCodeAt(i);
    if (code >= 0x80) return murmur3WithPrefix(prefix, unit, BUCKET_COUNT);
    block |= code << (filled << 3);
  }
  if (filled > 0) h = mixTail(h, block);
  return fmix(h ^ (prefix.consumed + prefix.tailLength + length)) % BUCKET_COUNT;
}
