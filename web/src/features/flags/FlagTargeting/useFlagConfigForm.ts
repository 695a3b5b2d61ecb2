import { type FlagConfigView, type FlagView, useSaveFlagConfig } from '../../../api/flags';
import { draftKey } from '../../../components/common/draftStorage';
import { useDraftRecovery } from '../../../components/common/useDraftRecovery';
import { conflictingFields, rebaseDraft, toEditable, validateConfig } from '../flagConfig';
import { useVersionedEdit } from '../useVersionedEdit';

/**
 * A flag's config in one environment as a versioned edit; the component only renders it. Unsaved
 * changes are kept per flag and environment for the tab's session and offered back on the next visit.
 */
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
  const save = useSaveFlagConfig(project, flag.key, environment);
  const server = flag.environments[environment];
  const form = useVersionedEdit({
    server,
    toDraft: toEditable,
    prepare: (_base, draft, reason) => ({ payload: draft, errors: validateConfig(draft, flag, { reasonRequired, reason }) }),
    save: (body) => save.mutateAsync(body as Parameters<typeof save.mutateAsync>[0]),
    conflictingFields,
    rebase: rebaseDraft,
    // A kill or a restore is a save of its own, and the environment switch a new object.
    isNewer: (server: FlagConfigView, base: FlagConfigView) =>
      server.version !== base.version || server.environment !== base.environment || server.killed !== base.killed,
    resetKey: `${flag.key}:${environment}`,
  });
  const recovery = useDraftRecovery({
    storageKey: draftKey(project, flag.key, environment),
    form,
    server,
    toDraft: toEditable,
    conflictingFields,
    rebase: rebaseDraft,
  });
  // A restored draft that needs rebasing blocks saving just like a 409 does.
  return { ...form, conflict: form.conflict ?? recovery.conflict, recovery };
};

export type FlagConfigForm = ReturnType<typeof useFlagConfigForm>;
