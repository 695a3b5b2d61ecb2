import type { FlagConfig } from '../core/types.js';

interface References {
  segments: readonly string[];
  prerequisites: readonly string[];
}

const NONE: References = { segments: [], prerequisites: [] };

/**
 * Which flags name each segment (in a rule) and each flag (as a prerequisite), kept up to date one
 * flag at a time, so the flags a change affects are found without walking every flag. Reads
 * configs as `affectedFlagKeys` does and tolerates the same malformed ones.
 */
export class FlagDependents {
  private readonly references = new Map<string, References>();
  private readonly segmentUsers = new Map<string, Set<string>>();
  private readonly prerequisiteUsers = new Map<string, Set<string>>();

  /** Forgets everything and indexes `flags` (a snapshot). */
  reset(flags: Iterable<[string, FlagConfig]>): void {
    this.references.clear();
    this.segmentUsers.clear();
    this.prerequisiteUsers.clear();
    for (const [key, flag] of flags) this.update(key, flag);
  }

  /** `key` is now `flag` (`undefined`: deleted). */
  update(key: string, flag: FlagConfig | undefined): void {
    const before = this.references.get(key);
    if (before !== undefined) {
      for (const segment of before.segments) this.segmentUsers.get(segment)?.delete(key);
      for (const prerequisite of before.prerequisites) this.prerequisiteUsers.get(prerequisite)?.delete(key);
    }
    const after = flag === undefined ? NONE : referencesOf(flag);
    // Most flags name no segment and no prerequisite: nothing to index.
    if (after === NONE) {
      if (before !== undefined) this.references.delete(key);
      return;
    }
    this.references.set(key, after);
    for (const segment of after.segments) add(this.segmentUsers, segment, key);
    for (const prerequisite of after.prerequisites) add(this.prerequisiteUsers, prerequisite, key);
  }

  /**
   * What `affectedFlagKeys(flags, changedFlags, changedSegments)` returns: the changed flags, the
   * flags with a rule on a changed segment, and their dependents through prerequisites, in the
   * order of `flags`, deleted flags last. Walks `flags` only to order more than one key.
   */
  affected(flags: ReadonlyMap<string, unknown>, changedFlags: ReadonlySet<string>, changedSegments: ReadonlySet<string>): string[] {
    // The usual change, one flag no other flag requires: itself, nothing to walk or order.
    if (changedSegments.size === 0 && changedFlags.size === 1) {
      const [only] = changedFlags as Set<string>;
      const users = this.prerequisiteUsers.get(only!);
      if (users === undefined || users.size === 0) return [only!];
    }
    const affected = new Set<string>(changedFlags);
    for (const segment of changedSegments) for (const user of this.segmentUsers.get(segment) ?? []) affected.add(user);
    const pending = [...affected];
    while (pending.length > 0) {
      for (const dependent of this.prerequisiteUsers.get(pending.pop()!) ?? []) {
        if (affected.has(dependent)) continue;
        affected.add(dependent);
        pending.push(dependent);
      }
    }
    if (affected.size <= 1) return [...affected];
    const ordered: string[] = [];
    for (const key of flags.keys()) if (affected.has(key)) ordered.push(key);
    for (const key of changedFlags) if (!flags.has(key)) ordered.push(key);
    return ordered;
  }
}

function add(index: Map<string, Set<string>>, key: string, user: string): void {
  const users = index.get(key);
  if (users === undefined) index.set(key, new Set([user]));
  else users.add(user);
}

/** What `flag` names; `NONE` (no list made) when it names nothing. */
function referencesOf(flag: FlagConfig): References {
  let segments: string[] | undefined;
  let prerequisites: string[] | undefined;
  const rules: unknown = flag?.rules;
  if (Array.isArray(rules)) {
    for (const rule of rules as unknown[]) {
      const clauses: unknown = (rule as { clauses?: unknown } | null)?.clauses;
      if (!Array.isArray(clauses)) continue;
      for (const clause of clauses as unknown[]) {
        const names: unknown = (clause as { segments?: unknown } | null)?.segments;
        if ((clause as { op?: unknown } | null)?.op !== 'segment' || !Array.isArray(names)) continue;
        for (const name of names as unknown[]) if (typeof name === 'string') (segments ??= []).push(name);
      }
    }
  }
  const required: unknown = flag?.prerequisites;
  if (Array.isArray(required)) {
    for (const prerequisite of required as unknown[]) {
      const on = (prerequisite as { flag?: unknown } | null)?.flag;
      if (typeof on === 'string') (prerequisites ??= []).push(on);
    }
  }
  if (segments === undefined && prerequisites === undefined) return NONE;
  return { segments: segments ?? NONE.segments, prerequisites: prerequisites ?? NONE.prerequisites };
}
