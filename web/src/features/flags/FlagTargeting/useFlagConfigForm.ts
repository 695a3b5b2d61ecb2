import { type FlagConfigView, type FlagView, useSaveFlagConfig } from '../../../api/flags';
import { conflictingFields, rebaseDraft, toEditable, validateConfig } from '../flagConfig';
import { useVersionedEdit } from '../useVersionedEdit';

/** A flag's config in one environment as a versioned edit; the component only renders it. */
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
  return useVersionedEdit({
    server: flag.environments[environment],
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
};

export type FlagConfigForm = ReturnType<typeof useFlagConfigForm>;
