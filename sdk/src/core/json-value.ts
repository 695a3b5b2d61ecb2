import { ConfigError } from './config-error.js';
import type { JsonValue } from './types.js';

const MAX_DEPTH = 64;

/** A deep, frozen copy of a JSON value, so compiled configs cannot change under evaluation. */
export function frozenJsonCopy(value: unknown, depth = 0): JsonValue {
  if (depth > MAX_DEPTH) throw new ConfigError('a JSON value is nested too deeply (or is cyclic)');
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ConfigError('a JSON number must be finite');
    return value;
  }
  if (Array.isArray(value)) return Object.freeze(value.map((element: unknown) => frozenJsonCopy(element, depth + 1))) as JsonValue[];
  if (typeof value === 'object') {
    const copy: { [key: string]: JsonValue } = {};
    for (const key of Object.keys(value)) {
      const element = frozenJsonCopy((value as Record<string, unknown>)[key], depth + 1);
      // Plain assignment to "__proto__" would set the prototype instead of a property.
      Object.defineProperty(copy, key, { value: element, enumerable: true, writable: true, configurable: true });
    }
    return Object.freeze(copy);
  }
  throw new ConfigError(`a ${typeof value} is not a JSON value`);
}
