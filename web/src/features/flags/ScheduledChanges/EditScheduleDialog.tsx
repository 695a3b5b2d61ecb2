import { type FormEvent, useId, useRef } from 'react';
import type { EnvironmentView } from '../../../api/projects';
import { type ScheduledChange, useUpdateScheduledChange } from '../../../api/scheduledChanges';
import { Dialog } from '../../../components/common/Dialog';
import { describedBy, FieldMessage } from '../../../components/common/FieldMessage';
import { errorsFor } from '../../../components/common/fieldErrors';
import { FormActions } from '../../../components/common/FormActions';
import { inZones } from './scheduleTime';
import { useScheduleForm } from './useScheduleForm';

const USER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Moves a scheduled change or changes its reason; a stale one can be rebased onto the current version. */
export const EditScheduleDialog = ({
  project,
  flagKey,
  environment,
  change,
  currentVersion,
  onClose,
}: {
  project: string;
  flagKey: string;
  environment: EnvironmentView;
  change: ScheduledChange;
  currentVersion: number;
  onClose: () => void;
}) => {
  const update = useUpdateScheduledChange(project, flagKey, environment.key);
  const rebaseId = useId();
  const rebase = useRef<HTMLInputElement>(null);
  const form = useScheduleForm({
    initialRunAt: change.runAt,
    initialReason: change.reason ?? '',
    reasonRequired: environment.requireChangeReason,
    onSubmit: ({ runAt, reason }) =>
      update.mutateAsync({
        id: change.id,
        edit: { runAt, reason: reason ?? null, ...(rebase.current?.checked ? { version: currentVersion } : {}) },
      }),
  });
  const timeId = useId();
  const reasonId = useId();
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (await form.submit()) onClose();
  };
  const timeMessages = errorsFor(form.errors, 'runAt');
  const reasonMessages = errorsFor(form.errors, 'reason');
  return (
    <Dialog title={`Edit the scheduled change to ${flagKey}`} onClose={onClose} dirty>
      <form onSubmit={(e) => void onSubmit(e)} noValidate className="schedule-form">
        <div className="field">
          <label htmlFor={timeId}>Apply at (your time, {USER_ZONE})</label>
          <input
            id={timeId}
            type="datetime-local"
            step={1}
            value={form.runAt}
            onChange={(e) => form.setRunAt(e.target.value)}
            {...describedBy('runAt', timeMessages)}
          />
          {form.at && <p className="muted">{inZones(form.at.toISOString()).utc}</p>}
          <FieldMessage path="runAt" messages={timeMessages} />
        </div>
        <div className="field">
          <label htmlFor={reasonId}>Reason</label>
          <input id={reasonId} value={form.reason} onChange={(e) => form.setReason(e.target.value)} {...describedBy('reason', reasonMessages)} />
          <FieldMessage path="reason" messages={reasonMessages} />
        </div>
        {change.stale &&
          // Moving its base is a new config change, which an environment that requires approval refuses here (403).
          (environment.requireApproval ? (
            <p className="muted">
              It was made against version {change.baseVersion}, and {environment.name} requires approval: to apply it over version {currentVersion}, cancel it
              and schedule it again, which makes a change request.
            </p>
          ) : (
            <label className="chip-check" htmlFor={rebaseId}>
              <input id={rebaseId} ref={rebase} type="checkbox" /> Apply it over the current version {currentVersion} (it was made against {change.baseVersion})
            </label>
          ))}
        <FormActions error={form.formError} onCancel={onClose} submitLabel="Save" submitting={form.submitting} />
      </form>
    </Dialog>
  );
};
