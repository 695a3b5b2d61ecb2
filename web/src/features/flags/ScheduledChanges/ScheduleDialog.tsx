import { type FormEvent, useId, useRef, useState } from 'react';
import { type ChangeRequest, isChangeRequestCreated } from '../../../api/changeRequests';
import type { FlagConfigView } from '../../../api/flags';
import { approvalOf, type EnvironmentView } from '../../../api/projects';
import { useCreateScheduledChange } from '../../../api/scheduledChanges';
import { Dialog } from '../../../components/common/Dialog';
import { DiffView } from '../../../components/common/DiffView';
import { describedBy, FieldMessage } from '../../../components/common/FieldMessage';
import { errorsFor } from '../../../components/common/fieldErrors';
import { FormActions } from '../../../components/common/FormActions';
import { ChangeRequestNotice } from '../../changeRequests/ChangeRequestNotice/ChangeRequestNotice';
import { type EditableConfig, toEditable } from '../flagConfig';
import { inZones } from './scheduleTime';
import { useScheduleForm } from './useScheduleForm';

const USER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** "Schedule…" from the targeting editor: the edited config, written at a chosen time if the config is still at `base`'s version then. */
export const ScheduleDialog = ({
  project,
  flagKey,
  environment,
  base,
  draft,
  initialReason,
  onScheduled,
  onRequested,
  onClose,
}: {
  project: string;
  flagKey: string;
  environment: EnvironmentView;
  base: FlagConfigView;
  draft: EditableConfig;
  initialReason: string;
  onScheduled: () => void;
  /** In an environment that requires approval: a change request was made instead (the dialog stays open to say so). */
  onRequested: () => void;
  onClose: () => void;
}) => {
  const create = useCreateScheduledChange(project, flagKey, environment.key);
  const approval = approvalOf(environment);
  const [requested, setRequested] = useState<ChangeRequest | null>(null);
  const made = useRef<ChangeRequest | null>(null);
  const form = useScheduleForm({
    initialReason,
    reasonRequired: environment.requireChangeReason,
    onSubmit: async ({ runAt, reason }) => {
      const answer = await create.mutateAsync({ runAt, reason, version: base.version, replace: draft });
      made.current = isChangeRequestCreated(answer) ? answer.changeRequest : null;
    },
  });
  const timeId = useId();
  const reasonId = useId();
  const timeField = useRef<HTMLInputElement>(null);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    // React carries events up the component tree through the dialog's portal: the targeting form
    // around the button must not see this submit, or it would save the draft now as well.
    e.stopPropagation();
    if (!(await form.submit())) return;
    if (made.current) {
      setRequested(made.current);
      onRequested();
    } else onScheduled();
  };
  const timeMessages = errorsFor(form.errors, 'runAt');
  const reasonMessages = errorsFor(form.errors, 'reason');
  const configMessages = Object.entries(form.errors).filter(([field]) => field.startsWith('replace'));
  const title = `Schedule a change to ${flagKey} in ${environment.name}`;
  if (requested)
    return (
      <Dialog title={title} onClose={onClose}>
        <ChangeRequestNotice request={requested} />
        {requested.runAt && <p className="muted">Once it is approved and applied, the change is scheduled for {inZones(requested.runAt).utc}.</p>}
        <div className="actions">
          <button type="button" className="btn" onClick={onClose}>
            Done
          </button>
        </div>
      </Dialog>
    );
  return (
    <Dialog title={title} onClose={onClose} initialFocus={timeField} dirty>
      <form onSubmit={(e) => void onSubmit(e)} noValidate className="schedule-form">
        <div className="field">
          <label htmlFor={timeId}>Apply at (your time, {USER_ZONE})</label>
          <input
            id={timeId}
            ref={timeField}
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
          <label htmlFor={reasonId}>Reason{environment.requireChangeReason ? ` (required in ${environment.name})` : ' (optional)'}</label>
          <input id={reasonId} value={form.reason} onChange={(e) => form.setReason(e.target.value)} {...describedBy('reason', reasonMessages)} />
          <FieldMessage path="reason" messages={reasonMessages} />
        </div>
        <p className="muted">
          It applies only if the config is still at version {base.version} then; if someone changes it first, the scheduled change is not applied and is
          reported instead.
        </p>
        {approval.requireApproval && (
          <p className="muted approval-hint">
            {environment.name} requires approval: this creates a change request that needs {approval.requiredApprovals} approval
            {approval.requiredApprovals === 1 ? '' : 's'}; once it is approved and applied, the change is scheduled for this time.
          </p>
        )}
        <DiffView before={toEditable(base)} after={draft} caption={`What changes at the scheduled time`} />
        {configMessages.length > 0 && (
          <ul className="form-error">
            {configMessages.map(([field, messages]) => (
              <li key={field}>
                <code>{field}</code>: {messages.join('; ')}
              </li>
            ))}
          </ul>
        )}
        <FormActions
          error={form.formError}
          onCancel={onClose}
          submitLabel={approval.requireApproval ? 'Request scheduled change' : 'Schedule change'}
          submitting={form.submitting}
        />
      </form>
    </Dialog>
  );
};
