import { formatClock } from '../../../components/common/clock';
import { DiffView } from '../../../components/common/DiffView';
import { formatTime } from '../../../components/common/format';
import type { DraftRecovery } from '../../../components/common/useDraftRecovery';

/**
 * A save hit a newer version: what the other person changed, what you changed, and the way forward.
 * `editable` picks from a saved version the part the form edits, in the shape of `draft`.
 */
export const ConflictPanel = <T extends { version: number; updatedAt: string | null }>({
  base,
  draft,
  current,
  editable,
  conflicting,
  onReapply,
  onDiscard,
}: {
  base: T;
  draft: unknown;
  current: T;
  editable: (saved: T) => unknown;
  conflicting: string[];
  onReapply: () => void;
  onDiscard: () => void;
}) => (
  <section className="conflict card" role="alert" aria-label="Version conflict">
    <h3>Someone else changed this flag while you were editing</h3>
    <p>
      You started from version {base.version}; it is now at version {current.version}
      {/* A config's updatedAt is null until its first save. */}
      {current.updatedAt && ` (saved ${formatTime(current.updatedAt)})`}. Nothing was saved.
    </p>
    <div className="conflict-diffs">
      <DiffView caption={`Their changes (v${base.version} → v${current.version})`} before={editable(base)} after={editable(current)} />
      <DiffView caption="Your changes" before={editable(base)} after={draft} />
    </div>
    {conflicting.length > 0 && (
      <p className="warn">
        You both changed <strong>{conflicting.join(', ')}</strong>; reapplying keeps your version of {conflicting.length === 1 ? 'it' : 'them'}.
      </p>
    )}
    <div className="actions">
      <button type="button" className="btn btn-primary" onClick={onReapply}>
        Reapply my changes on top
      </button>
      <button type="button" className="btn" onClick={onDiscard}>
        Discard mine, load theirs
      </button>
    </div>
  </section>
);

/** Unsaved changes from an earlier visit (a reload, a crash, a navigation): put them back, or drop them. */
export const DraftOffer = ({ savedAt, onRestore, onDiscard }: { savedAt: string; onRestore: () => void; onDiscard: () => void }) => (
  <section className="notice draft-offer" role="region" aria-label="Unsaved changes">
    <p>
      <strong>Restore your unsaved changes from {formatClock(savedAt, { seconds: false })}?</strong>
    </p>
    <div className="actions">
      <button type="button" className="btn btn-primary btn-small" onClick={onRestore}>
        Restore draft
      </button>
      <button type="button" className="btn btn-small" onClick={onDiscard}>
        Discard draft
      </button>
    </div>
  </section>
);

/**
 * What a versioned edit of a flag tells its user above the form: a draft to restore, a conflict to
 * resolve (after a 409, or when a restored draft started from an older version), or that someone
 * saved meanwhile.
 */
export const VersionNotices = <T extends { version: number; updatedAt: string | null }, D>({
  form,
  editable,
}: {
  form: {
    base: T | undefined;
    draft: D | undefined;
    conflict: { current: T; conflicting: string[] } | null;
    remoteChanged: boolean;
    reapply: () => void;
    discard: () => void;
    recovery?: DraftRecovery<T, D>;
  };
  editable: (saved: T) => D;
}) => {
  const { recovery } = form;
  return (
    <>
      {recovery?.offer && <DraftOffer savedAt={recovery.offer.savedAt} onRestore={recovery.restore} onDiscard={recovery.dismiss} />}
      {recovery?.conflict ? (
        <ConflictPanel
          base={recovery.conflict.base}
          draft={recovery.conflict.draft}
          current={recovery.conflict.current}
          editable={editable}
          conflicting={recovery.conflict.conflicting}
          onReapply={recovery.reapply}
          onDiscard={recovery.discardConflict}
        />
      ) : (
        form.conflict &&
        form.base && (
          <ConflictPanel
            base={form.base}
            draft={form.draft}
            current={form.conflict.current}
            editable={editable}
            conflicting={form.conflict.conflicting}
            onReapply={form.reapply}
            onDiscard={form.discard}
          />
        )
      )}
      {form.remoteChanged && !form.conflict && (
        <p className="notice" role="status">
          Someone else saved a newer version of this flag while you were editing. Saving will show you both changes.
        </p>
      )}
    </>
  );
};
