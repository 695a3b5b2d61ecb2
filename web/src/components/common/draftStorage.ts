/**
 * Unsaved edits kept in the tab's session storage, so a reload, a crash of the tab's page or a
 * navigation does not lose them. Session storage (not local) because a draft belongs to one tab's
 * editing session: two tabs editing the same flag must not restore each other's work.
 */
export interface StoredDraft<S, D> {
  /** What the user had typed. */
  draft: D;
  /** The saved copy the draft started from: its version decides between a plain restore and a rebase. */
  base: S;
  /** The reason typed for the audit log, if any. */
  reason: string;
  /** When the draft was last changed (ISO). */
  savedAt: string;
}

const PREFIX = 'signalbox.draft.v1:';

/** One draft per edited object, e.g. `draftKey('demo', 'etl.x', 'production')`. */
export const draftKey = (...parts: string[]): string => PREFIX + parts.map(encodeURIComponent).join('/');

const isStoredDraft = (value: unknown): value is StoredDraft<unknown, unknown> => {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const base = v.base as { version?: unknown } | null | undefined;
  return 'draft' in v && typeof base === 'object' && base !== null && typeof base.version === 'number' && typeof v.savedAt === 'string';
};

// Storage can be refused (a private window, a full quota, a sandboxed frame): drafts are a safety net,
// so a refusal only means no draft, never an error in the page.
const storage = (): Storage | null => {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
};

export const readDraft = <S, D>(key: string): StoredDraft<S, D> | null => {
  try {
    const text = storage()?.getItem(key);
    if (!text) return null;
    const value: unknown = JSON.parse(text);
    if (!isStoredDraft(value)) return null;
    return { ...(value as StoredDraft<S, D>), reason: typeof value.reason === 'string' ? value.reason : '' };
  } catch {
    return null;
  }
};

export const writeDraft = <S, D>(key: string, draft: StoredDraft<S, D>): void => {
  try {
    storage()?.setItem(key, JSON.stringify(draft));
  } catch {
    // See storage(): without room for the draft the edit still works, it just does not survive a reload.
  }
};

export const removeDraft = (key: string): void => {
  try {
    storage()?.removeItem(key);
  } catch {
    // Nothing stored, nothing to remove.
  }
};
