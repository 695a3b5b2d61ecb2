declare const packedItem: unique symbol;

/**
 * A flag or segment config held as its JSON text until it is compiled. A client of a large
 * environment usually evaluates a few of its flags: one string per item instead of the dozens of
 * objects its parsed form is takes half the memory, and gives a garbage collector nothing to trace
 * (a process holding many clients spent most of a full collection marking configs no one read).
 */
export type Packed<T> = string & { readonly [packedItem]: T };

/** A config item as held by key: parsed, or packed until compiled. */
export type Held<T> = T | Packed<T>;

/** `value` as JSON text, or `value` itself when it has none (a cycle, a BigInt): the compiler then reads it as it is. */
export function pack<T>(value: T): Held<T> {
  try {
    const text: unknown = JSON.stringify(value);
    if (typeof text !== 'string') return value;
    // V8 returns a long JSON text as a tree of pieces (a dozen objects for one flag, each traced
    // by every full collection); reading a character makes it one flat string, so it is held as one.
    text.charCodeAt(0);
    return text as Packed<T>;
  } catch {
    return value;
  }
}

/** The item itself: a packed one parsed (a new object per call; compile it once and keep that). */
export function unpack<T>(held: Held<T>): T {
  return typeof held === 'string' ? (JSON.parse(held) as T) : held;
}

/** The item's JSON text, to compare two items without parsing either; `undefined` when it has none. */
export function jsonOf<T>(held: Held<T>): string | undefined {
  if (typeof held === 'string') return held;
  try {
    return JSON.stringify(held);
  } catch {
    return undefined;
  }
}
