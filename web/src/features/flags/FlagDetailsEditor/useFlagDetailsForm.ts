import { type FlagView, useUpdateFlag } from '../../../api/flags';
import { fieldsChangedByBoth, rebaseFields } from '../../../components/common/rebase';
import { DETAIL_FIELDS, detailsChange, toDetailsDraft } from '../flagDetails';
import { useVersionedEdit } from '../useVersionedEdit';

/** A flag's name, description, owner, tags and variants as a versioned edit; the component only renders it. */
export const useFlagDetailsForm = (project: string, flag: FlagView) => {
  const save = useUpdateFlag(project, flag.key);
  const form = useVersionedEdit({
    server: flag,
    toDraft: toDetailsDraft,
    prepare: (base, draft) => {
      const { change, errors } = detailsChange(base, draft);
      return { payload: change, errors };
    },
    save: (body) => save.mutateAsync(body as Parameters<typeof save.mutateAsync>[0]),
    conflictingFields: (base, mine, theirs) => fieldsChangedByBoth(DETAIL_FIELDS, base, mine, theirs),
    rebase: (base, mine, theirs) => rebaseFields(DETAIL_FIELDS, base, mine, theirs),
    resetKey: flag.key,
  });
  // The flag always exists here, so base and draft always do.
  return { ...form, base: form.base ?? flag, draft: form.draft ?? toDetailsDraft(flag) };
};
