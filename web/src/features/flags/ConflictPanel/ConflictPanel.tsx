import type { EditableConfig, FlagConfigView } from '../../../api/types';
import { DiffView } from '../../../components/common/DiffView';
import { formatTime } from '../../../components/common/format';
import { toEditable } from '../flagConfig';

/** A save hit a newer version: what the other person changed, what you changed, and the way forward. */
export const ConflictPanel = ({
  base,
  draft,
  current,
  conflicting,
  onReapply,
  onDiscard,
}: {
  base: FlagConfigView;
  draft: EditableConfig;
  current: FlagConfigView;
  conflicting: string[];
  onReapply: () => void;
  onDiscard: () => void;
}) => (
  <section className="conflict card" role="alert" aria-label="Version conflict">
    <h3>Someone else changed this flag while you were editing</h3>
    <p>
      You started from version {base.version}; it is now at version {current.version} (saved {formatTime(current.updatedAt)}). Nothing was saved.
    </p>
    <div className="conflict-diffs">
      <DiffView caption={`Their changes (v${base.version} → v${current.version})`} before={toEditable(base)} after={toEditable(current)} />
      <DiffView caption="Your changes" before={toEditable(base)} after={draft} />
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
