import { useEffect, useRef, useState } from 'react';
import { sameJson } from './diffJson';
import { readDraft, removeDraft, type StoredDraft, writeDraft } from './draftStorage';

/** What this hook reads and drives of a versioned edit form (see features/flags/useVersionedEdit). */
export interface RecoverableEdit<S extends { version: number }, D> {
  base: S | undefined;
  draft: D | undefined;
  dirty: boolean;
  reason: string;
  setReason: (reason: string) => void;
  update: (change: (draft: D) => D) => void;
}

/** A restored draft that started from an older version than the server's: shown as a version conflict. */
export interface RestoreConflict<S, D> {
  base: S;
  draft: D;
  current: S;
  conflicting: string[];
}

export interface DraftRecovery<S, D> {
  /** A draft from an earlier visit that differs from what is saved, until the user restores or discards it. */
  offer: { savedAt: string } | null;
  restore: () => void;
  dismiss: () => void;
  conflict: RestoreConflict<S, D> | null;
  /** The restored changes replayed on top of the server's newer version. */
  reapply: () => void;
  discardConflict: () => void;
  /** Drop the stored draft (the user chose to leave without saving). */
  forget: () => void;
}

/**
 * Keeps a versioned edit's unsaved changes in session storage while it is dirty, clears them once it is
 * clean again (saved or discarded), and on the next visit offers to restore them. A draft whose base is
 * older than the server's copy is not put back as it is (that would silently overwrite someone else's
 * save): it goes through the same conflict view as a 409, with "reapply mine on top".
 * The component using it is keyed by the edited object, so `storageKey` is fixed for its lifetime.
 */
export const useDraftRecovery = <S extends { version: number }, D>({
  storageKey,
  form,
  server,
  toDraft,
  conflictingFields,
  rebase,
}: {
  storageKey: string;
  form: RecoverableEdit<S, D>;
  server: S | undefined;
  toDraft: (saved: S) => D;
  conflictingFields: (base: D, mine: D, theirs: D) => string[];
  rebase: (base: D, mine: D, theirs: D) => D;
}): DraftRecovery<S, D> => {
  // Read once, on open: later writes are this visit's own edits.
  const [found] = useState(() => readDraft<S, D>(storageKey));
  const [offered, setOffered] = useState<StoredDraft<S, D> | null>(() => (found && server && !sameJson(found.draft, toDraft(server)) ? found : null));
  const [conflict, setConflict] = useState<(RestoreConflict<S, D> & { reason: string }) | null>(null);
  const wasDirty = useRef(false);
  const { dirty, draft, base, reason } = form;

  const checkedOnOpen = useRef(false);
  useEffect(() => {
    // Only on open: `offered` changing later is the user's answer, handled where it is given.
    if (checkedOnOpen.current) return;
    checkedOnOpen.current = true;
    // A stored draft that matches what is saved has nothing left to restore.
    if (found && !offered) removeDraft(storageKey);
  }, [found, offered, storageKey]);

  useEffect(() => {
    if (dirty && base && draft !== undefined) {
      writeDraft<S, D>(storageKey, { draft, base, reason, savedAt: new Date().toISOString() });
      wasDirty.current = true;
    } else if (wasDirty.current) {
      // Saved, discarded, or edited back to what is saved.
      removeDraft(storageKey);
      wasDirty.current = false;
    }
  }, [storageKey, dirty, draft, base, reason]);

  const restore = () => {
    if (!offered || !server) return;
    setOffered(null);
    if (offered.base.version === server.version) {
      form.update(() => offered.draft);
      form.setReason(offered.reason);
      return;
    }
    setConflict({
      base: offered.base,
      draft: offered.draft,
      current: server,
      conflicting: conflictingFields(toDraft(offered.base), offered.draft, toDraft(server)),
      reason: offered.reason,
    });
  };

  const dismiss = () => {
    setOffered(null);
    // Edits made meanwhile own the stored draft now.
    if (!dirty) removeDraft(storageKey);
  };

  const reapply = () => {
    if (!conflict) return;
    // On top of the newest copy the form holds, which is the version the next save names.
    const theirs = base ?? conflict.current;
    form.update(() => rebase(toDraft(conflict.base), conflict.draft, toDraft(theirs)));
    form.setReason(conflict.reason);
    setConflict(null);
  };

  const discardConflict = () => {
    setConflict(null);
    if (!dirty) removeDraft(storageKey);
  };

  const forget = () => {
    setOffered(null);
    setConflict(null);
    removeDraft(storageKey);
  };

  return { offer: offered && { savedAt: offered.savedAt }, restore, dismiss, conflict, reapply, discardConflict, forget };
};
