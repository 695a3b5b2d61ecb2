const GONE: unique symbol = Symbol('gone');

/**
 * Past this many entries of difference from its base a version is flattened into a new base: a
 * change copies at most this many entries, and a flatten (a copy of everything) comes at most once
 * per this many changes.
 */
const MAX_DIFFERENCE = 64;

/**
 * An immutable map by key in insertion order, of which `with` makes a new version in time bounded
 * by `MAX_DIFFERENCE`, however large the map: versions share one base map and each holds its own
 * small difference. A compiled environment keeps reading the version it was compiled from while
 * the client applies the next change to a new one, so no change copies the whole config.
 * Iteration order is a `Map`'s: a replaced key keeps its place, a new (or deleted and re-added) key goes last.
 */
export class VersionedMap<V> implements ReadonlyMap<string, V> {
  private constructor(
    private readonly base: ReadonlyMap<string, V>,
    /** Keys of `base` replaced or deleted. */
    private readonly replaced: ReadonlyMap<string, V | typeof GONE>,
    /** Keys placed after `base` (new, or deleted and re-added). */
    private readonly appended: ReadonlyMap<string, V>,
    readonly size: number,
  ) {}

  /** Takes `entries` over; the caller must not change it afterwards. */
  static of<V>(entries: Map<string, V>): VersionedMap<V> {
    return new VersionedMap(entries, new Map(), new Map(), entries.size);
  }

  get(key: string): V | undefined {
    const appended = this.appended.get(key);
    if (appended !== undefined) return appended;
    const replaced = this.replaced.get(key);
    if (replaced !== undefined) return replaced === GONE ? undefined : replaced;
    return this.base.get(key);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** A new version with `key` set to `value`, or deleted when `value` is `undefined`. */
  with(key: string, value: V | undefined): VersionedMap<V> {
    const had = this.has(key);
    const size = this.size + (value === undefined ? (had ? -1 : 0) : had ? 0 : 1);
    let replaced = this.replaced;
    let appended = this.appended;
    if (this.appended.has(key)) {
      appended = new Map(this.appended);
      if (value === undefined) (appended as Map<string, V>).delete(key);
      else (appended as Map<string, V>).set(key, value);
    } else if (this.base.has(key) && (value === undefined || this.replaced.get(key) !== GONE)) {
      replaced = new Map(this.replaced).set(key, value === undefined ? GONE : value);
    } else if (value !== undefined) {
      appended = new Map(this.appended).set(key, value);
    } else {
      return this;
    }
    if (replaced.size + appended.size > MAX_DIFFERENCE) return VersionedMap.of(new Map(new VersionedMap(this.base, replaced, appended, size)));
    return new VersionedMap(this.base, replaced, appended, size);
  }

  *entries(): MapIterator<[string, V]> {
    for (const [key, value] of this.base) {
      const replaced = this.replaced.get(key);
      if (replaced === GONE) continue;
      yield [key, replaced ?? value];
    }
    yield* this.appended;
  }

  *keys(): MapIterator<string> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }
}
