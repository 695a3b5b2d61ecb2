import { useMemo, useState } from 'react';
import { type ChangeRequest, isChangeRequestCreated } from '../../api/changeRequests';
import { ApiError, errorMessage } from '../../api/client';
import { sameJson } from '../../components/common/diffJson';
import { type FieldErrors, toFieldErrors } from '../../components/common/fieldErrors';

/** Something the server versions: a save names the version it started from, a stale one gets 409. */
export interface Versioned {
  version: number;
}

export interface VersionConflict<S> {
  /** What the server holds now. */
  current: S;
  /** Fields both the user and the other save changed. */
  conflicting: string[];
}

export interface VersionedEditOptions<S extends Versioned, D> {
  /** The server's copy as the page knows it now (kept fresh by polling); undefined when there is none. */
  server: S | undefined;
  /** The editable part of a saved copy. */
  toDraft: (saved: S) => D;
  /** What to send (without version and reason), or the fields to fix first. */
  prepare: (base: S, draft: D, reason: string) => { payload?: object; errors: FieldErrors };
  /** The saved copy, or (in an environment that requires approval) the change request the save became. */
  save: (body: object) => Promise<S | { changeRequest: ChangeRequest }>;
  conflictingFields: (base: D, mine: D, theirs: D) => string[];
  /** The user's changes replayed on top of theirs. */
  rebase: (base: D, mine: D, theirs: D) => D;
  /** Whether `server` holds a newer save than `base`. */
  isNewer?: (server: S, base: S) => boolean;
  /** A new value (another environment, another flag) starts the form over. */
  resetKey?: string;
}

/** The value a field path (`rules[0].clauses[1].values`) names inside `root`, or undefined. */
const valueAt = (root: unknown, path: string): unknown =>
  path
    .split(/[.[\]]+/)
    .filter(Boolean)
    .reduce<unknown>((value, part) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined), root);

/**
 * The messages still worth showing: a field's messages go once the user changes that field (its
 * value in the form differs from the one the messages were about); the other fields' stay.
 */
const stillStanding = (errors: FieldErrors, about: unknown, now: unknown): FieldErrors => {
  // `values[2]` belongs to the one input for all of `values` (as errorsFor shows it): compare that.
  const field = (path: string) => path.replace(/\[\d+\]$/, '');
  const left = Object.entries(errors).filter(([path]) => sameJson(valueAt(about, field(path)), valueAt(now, field(path))));
  return left.length === Object.keys(errors).length ? errors : Object.fromEntries(left);
};

const newestOf = <S extends Versioned>(...copies: Array<S | undefined>): S | undefined =>
  copies.reduce<S | undefined>((newest, copy) => (copy && (!newest || copy.version > newest.version) ? copy : newest), undefined);

/**
 * Editing a versioned server object: a draft over the version it started from, live updates while
 * the draft is clean, field errors (the form's and the API's), and on 409 both changes with
 * "reapply mine on top". The component only renders what this returns.
 */
export const useVersionedEdit = <S extends Versioned, D>(options: VersionedEditOptions<S, D>) => {
  const { server, toDraft, isNewer = (s: S, b: S) => s.version > b.version } = options;
  const [base, setBase] = useState<S | undefined>(server);
  const [draft, setDraft] = useState<D | undefined>(() => server && toDraft(server));
  const [reason, setReason] = useState('');
  // Messages with the form (draft and reason) they were about, so editing a field clears its own.
  const [reported, setReported] = useState<{ errors: FieldErrors; about?: unknown }>({ errors: {} });
  const [formError, setFormError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<VersionConflict<S> | null>(null);
  const [savedVersion, setSavedVersion] = useState<number | null>(null);
  const [requested, setRequested] = useState<ChangeRequest | null>(null);
  const [saving, setSaving] = useState(false);
  const [resetKey, setResetKey] = useState(options.resetKey);

  const dirty = !!base && draft !== undefined && !sameJson(toDraft(base), draft);
  const setErrors = (next: FieldErrors) => setReported({ errors: next, about: { ...draft, reason } });
  const errors = useMemo(
    () => (reported.about === undefined ? reported.errors : stillStanding(reported.errors, reported.about, { ...draft, reason })),
    [reported, draft, reason],
  );

  const adopt = (copy: S | undefined) => {
    setBase(copy);
    setDraft(copy && toDraft(copy));
  };

  // Both adjustments happen while rendering, so nothing renders the stale state first
  // (react.dev: "Adjusting some state when a prop changes").
  if (options.resetKey !== resetKey) {
    // Another object starts over.
    setResetKey(options.resetKey);
    adopt(server);
    setErrors({});
    setConflict(null);
    setFormError(null);
    setReason('');
  } else if (server && !dirty && !conflict && (!base || isNewer(server, base))) {
    // Live updates: while the user has changed nothing, follow the server (only forward: a
    // just-saved version may be newer than the copy the page still shows).
    adopt(server);
  }

  const update = (change: (draft: D) => D) => {
    setDraft((current) => (current === undefined ? current : change(current)));
    setSavedVersion(null);
    setRequested(null);
  };

  const submit = async () => {
    if (!base || draft === undefined) return;
    setFormError(null);
    const { payload, errors: found } = options.prepare(base, draft, reason);
    setErrors(found);
    if (Object.keys(found).length > 0 || !payload) {
      setFormError('Fix the fields marked below.');
      return;
    }
    setSaving(true);
    try {
      const saved = await options.save({ ...payload, version: base.version, reason: reason.trim() || undefined });
      setReason('');
      if (isChangeRequestCreated(saved)) {
        // Nothing was written: the proposal lives in the request now. The form goes back to the
        // config as it is, so it is not offered for saving twice nor guarded as unsaved.
        adopt(base);
        setSavedVersion(null);
        setRequested(saved.changeRequest);
      } else {
        adopt(saved);
        setSavedVersion(saved.version);
        setRequested(null);
      }
    } catch (error) {
      if (error instanceof ApiError && error.code === 'VERSION_CONFLICT') {
        const current = (error.details as { current: S }).current;
        setConflict({ current, conflicting: options.conflictingFields(toDraft(base), draft, toDraft(current)) });
      } else if (error instanceof ApiError && error.fieldErrors.length > 0) {
        setErrors(toFieldErrors(error.fieldErrors));
        setFormError(error.message);
      } else {
        setFormError(errorMessage(error));
      }
    } finally {
      setSaving(false);
    }
  };

  const reapply = () => {
    if (!conflict || !base || draft === undefined) return;
    setDraft(options.rebase(toDraft(base), draft, toDraft(conflict.current)));
    setBase(conflict.current);
    setConflict(null);
  };

  const discard = () => {
    // The newest copy the console has seen, wherever it came from.
    adopt(newestOf(server, conflict?.current, base));
    setConflict(null);
    setErrors({});
    setFormError(null);
  };

  return {
    base,
    draft,
    update,
    reason,
    setReason,
    errors,
    formError,
    conflict,
    dirty,
    remoteChanged: dirty && !!server && !!base && isNewer(server, base),
    saving,
    savedVersion,
    /** The change request the last save became, in an environment that requires approval. */
    requested,
    submit,
    reapply,
    discard,
  };
};
