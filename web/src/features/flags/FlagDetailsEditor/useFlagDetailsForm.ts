import { type FlagView, useUpdateFlag } from '../../../api/flags';
import { draftKey } from '../../../components/common/draftStorage';
import { fieldsChangedByBoth, rebaseFields } from '../../../components/common/rebase';
import { useDraftRecovery } from '../../../components/common/useDraftRecovery';
import { DETAIL_FIELDS, detailsChange, type FlagDetailsDraft, toDetailsDraft } from '../flagDetails';
import { useVersionedEdit } from '../useVersionedEdit';

/** A flag's name, description, owner, tags and variants as a versioned edit (its unsaved changes kept for the session); the component only renders it. */
export const useFlagDetailsForm = (project: string, flag: FlagView) => {
  const save = useUpdateFlag(project, flag.key);
  const conflictingFields = (base: FlagDetailsDraft, mine: FlagDetailsDraft, theirs: FlagDetailsDraft) =>
    fieldsChangedByBoth(DETAIL_FIELDS, base, mine, theirs);
  const rebase = (base: FlagDetailsDraft, mine: FlagDetailsDraft, theirs: FlagDetailsDraft) => rebaseFields(DETAIL_FIELDS, base, mine, theirs);
  const form = useVersionedEdit({
    server: flag,
    toDraft: toDetailsDraft,
    prepare: (base, draft) => {
      const { change, errors } = detailsChange(base, draft);
      return { payload: change, errors };
    },
    save: (body) => save.mutateAsync(body as Parameters<typeof save.mutateAsync>[0]),
    conflictingFields,
    rebase,
    resetKey: flag.key,
  });
  const recovery = useDraftRecovery({
    storageKey: draftKey(project, flag.key, 'details'),
    form,
    server: flag,
    toDraft: toDetailsDraft,
    conflictingFields,
    rebase,
  });
  // The flag always exists here, so base and draft always do. A restored draft that needs rebasing blocks saving like a 409.
  return { ...form, base: form.base ?? flag, draft: form.draft ?? toDetailsDraft(flag), conflict: form.conflict ?? recovery.conflict, recovery };
};
