export interface JsonChange {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Bookkeeping fields every change touches; a diff that lists them hides the real change. */
const NOISE = new Set(['version', 'updatedAt', 'environment']);

/** The leaves that differ between two JSON values, with paths like `rules[0].clauses[1].values`. */
export const diffJson = (before: unknown, after: unknown, path = '', ignore: Set<string> = NOISE): JsonChange[] => {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => !(path === '' && ignore.has(key)));
    return keys.flatMap((key) => diffJson(before[key], after[key], path ? `${path}.${key}` : key, ignore));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    return Array.from({ length }, (_, i) => diffJson(before[i], after[i], `${path}[${i}]`, ignore)).flat();
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (before === undefined) return [{ path, kind: 'added', after }];
  if (after === undefined) return [{ path, kind: 'removed', before }];
  return [{ path, kind: 'changed', before, after }];
};

export const sameJson = (a: unknown, b: unknown): boolean => diffJson(a, b, '', new Set()).length === 0;
