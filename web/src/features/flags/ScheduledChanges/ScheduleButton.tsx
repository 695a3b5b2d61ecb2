import { useState } from 'react';
import type { FlagConfigView } from '../../../api/flags';
import type { EnvironmentView } from '../../../api/projects';
import type { EditableConfig } from '../flagConfig';
import { ScheduleDialog } from './ScheduleDialog';

/** What the button reads from the targeting form (see FlagTargeting/useFlagConfigForm). */
export interface SchedulableForm {
  base: FlagConfigView | undefined;
  draft: EditableConfig | undefined;
  reason: string;
  dirty: boolean;
  conflict: unknown;
  discard: () => void;
}

/** "Schedule…" beside Save: the edited targeting is written later instead of now; the editor then goes back to the current config. */
export const ScheduleButton = ({
  project,
  flagKey,
  environment,
  form,
}: {
  project: string;
  flagKey: string;
  environment: EnvironmentView;
  form: SchedulableForm;
}) => {
  const [open, setOpen] = useState(false);
  const { base, draft } = form;
  if (!base || !draft) return null;
  return (
    <>
      <div className="schedule-action">
        <button type="button" className="btn" disabled={!form.dirty || !!form.conflict} onClick={() => setOpen(true)}>
          Schedule…
        </button>
      </div>
      {open && (
        <ScheduleDialog
          project={project}
          flagKey={flagKey}
          environment={environment}
          base={base}
          draft={draft}
          initialReason={form.reason}
          onClose={() => setOpen(false)}
          onScheduled={() => {
            setOpen(false);
            form.discard();
          }}
          // Nothing is scheduled until the request is applied: the editor goes back to the current config, as after a save that became a request.
          onRequested={form.discard}
        />
      )}
    </>
  );
};
