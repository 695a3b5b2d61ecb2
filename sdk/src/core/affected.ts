import { unpack, type Held } from './packed.js';
import type { FlagConfig } from './types.js';

/**
 * The keys of every flag whose evaluation can change when `changedFlags` and `changedSegments`
 * change: the flags themselves, flags with a rule on a changed segment, and, transitively, flags
 * that have any of those as a prerequisite. Returned in the order of `flags`. Tolerates malformed
 * configs (they are the compiler's business, not this function's).
 */
export function affectedFlagKeys(
  flags: ReadonlyMap<string, Held<FlagConfig>>,
  changedFlags: ReadonlySet<string>,
  changedSegments: ReadonlySet<string>,
): string[] {
  const affected = new Set<string>(changedFlags);
  const dependents = new Map<string, string[]>();
  for (const [key, held] of flags) {
    const flag = unpack(held);
    if (changedSegments.size > 0 && referencesSegment(flag, changedSegments)) affected.add(key);
    const prerequisites: unknown = flag?.prerequisites;
    if (!Array.isArray(prerequisites)) continue;
    for (const prerequisite of prerequisites as unknown[]) {
      const on = (prerequisite as { flag?: unknown } | null)?.flag;
      if (typeof on !== 'string') continue;
      const list = dependents.get(on);
      if (list === undefined) dependents.set(on, [key]);
      else list.push(key);
    }
  }
  if (dependents.size > 0) {
    const pending = [...affected];
    while (pending.length > 0) {
      for (const dependent of dependents.get(pending.pop()!) ?? []) {
        if (affected.has(dependent)) continue;
        affected.add(dependent);
        pending.push(dependent);
      }
    }
  }
  const ordered: string[] = [];
  for (const key of flags.keys()) if (affected.has(key)) ordered.push(key);
  // Deleted flags are not in `flags` any more but did change.
  for (const key of changedFlags) if (!flags.has(key)) ordered.push(key);
  return ordered;
}

function referencesSegment(flag: FlagConfig, segments: ReadonlySet<string>): boolean {
  const rules: unknown = flag?.rules;
  if (!Array.isArray(rules)) return false;
  for (const rule of rules as unknown[]) {
    const clauses: unknown = (rule as { clauses?: unknown } | null)?.clauses;
    if (!Array.isArray(clauses)) continue;
    for (const clause of clauses as unknown[]) {
      const names: unknown = (clause as { op?: unknown; segments?: unknown } | null)?.segments;
      if ((clause as { op?: unknown } | null)?.op !== 'segment' || !Array.isArray(names)) continue;
      for (const name of names as unknown[]) if (typeof name === 'string' && segments.has(name)) return true;
    }
  }
  return false;
}
