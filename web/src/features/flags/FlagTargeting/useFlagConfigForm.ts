import { useEffect, useMemo, useState } from 'react';
import { ApiError } from '../../../api/client';
import { useSaveFlagConfig } from '../../../api/flags';
import type { EditableConfig, FlagConfigView, FlagView } from '../../../api/types';
import { sameJson } from '../../../components/common/diffJson';
import { type FieldErrors, toFieldErrors } from '../../../components/common/fieldErrors';
import { conflictingFields, rebaseDraft, toEditable, validateConfig } from '../flagConfig';

export interface VersionConflict {
  current: FlagConfigView;
  conflicting: string[];
}

/** State and validation of a flag's config in one environment; the component only renders it. */
export const useFlagConfigForm = ({
  project,
  flag,
  environment,
  reasonRequired,
}: {
  project: string;
  flag: FlagView;
  environment: string;
  reasonRequired: boolean;
}) => {
  const server = flag.environments[environment];
  const [base, setBase] = useState<FlagConfigView | undefined>(server);
  const [draft, setDraft] = useState<EditableConfig | undefined>(server && toEditable(server));
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<VersionConflict | null>(null);
  const [savedVersion, setSavedVersion] = useState<number | null>(null);
  const save = useSaveFlagConfig(project, flag.key, environment);

  const dirty = !!base && !!draft && !sameJson(toEditable(base), draft);

  // Live updates: while the user has not changed anything, follow the server.
  useEffect(() => {
    if (!server) return;
    if (!dirty && !conflict && (!base || server.version !== base.version || server.environment !== base.environment || server.killed !== base.killed)) {
      setBase(server);
      setDraft(toEditable(server));
    }
  }, [server, dirty, conflict, base]);

  // Switching environment starts over.
  useEffect(() => {
    setBase(server);
    setDraft(server && toEditable(server));
    setErrors({});
    setConflict(null);
    setFormError(null);
    setReason('');
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [environment, flag.key]);

  const update = (change: (draft: EditableConfig) => EditableConfig) => {
    setDraft((d) => (d ? change(d) : d));
    setSavedVersion(null);
  };

  const submit = async () => {
    if (!draft || !base) return;
    setFormError(null);
    const found = validateConfig(draft, flag, { reasonRequired, reason });
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setFormError('Fix the fields marked below.');
      return;
    }
    try {
      const saved = await save.mutateAsync({ ...draft, version: base.version, reason: reason.trim() || undefined });
      setBase(saved);
      setDraft(toEditable(saved));
      setReason('');
      setSavedVersion(saved.version);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'VERSION_CONFLICT') {
        const current = (error.details as { current: FlagConfigView }).current;
        setConflict({ current, conflicting: conflictingFields(toEditable(base), draft, toEditable(current)) });
        return;
      }
      if (error instanceof ApiError && error.fieldErrors.length > 0) {
        setErrors(toFieldErrors(error.fieldErrors));
        setFormError(error.message);
        return;
      }
      setFormError(error instanceof Error ? error.message : 'Could not save');
    }
  };

  /** Replay the user's changes on top of the config someone else saved. */
  const reapply = () => {
    if (!conflict || !base || !draft) return;
    setDraft(rebaseDraft(toEditable(base), draft, toEditable(conflict.current)));
    setBase(conflict.current);
    setConflict(null);
  };

  const discard = () => {
    const current = conflict?.current ?? server;
    setBase(current);
    setDraft(current && toEditable(current));
    setConflict(null);
    setErrors({});
    setFormError(null);
  };

  const remoteChanged = useMemo(() => dirty && !!server && !!base && server.version !== base.version, [dirty, server, base]);

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
    remoteChanged,
    saving: save.isPending,
    savedVersion,
    submit,
    reapply,
    discard,
  };
};

export type FlagConfigForm = ReturnType<typeof useFlagConfigForm>;
