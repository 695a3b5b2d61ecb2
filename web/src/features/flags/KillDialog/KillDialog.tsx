import { type FormEvent, useRef } from 'react';
import type { EnvironmentView } from '../../../api/projects';
import { Dialog } from '../../../components/common/Dialog';
import { describedBy, FieldMessage } from '../../../components/common/FieldMessage';
import { errorsFor } from '../../../components/common/fieldErrors';
import { useKillForm } from './useKillForm';
import { FormActions } from '../../../components/common/FormActions';

/**
 * Kill (or restore) a flag. Killing always asks why; restoring asks where the environment requires
 * a reason for every change. With the multi-environment API, several environments at once.
 */
export const KillDialog = ({
  mode,
  flagKey,
  environment,
  environments,
  onSubmit,
  onClose,
}: {
  mode: 'kill' | 'restore';
  flagKey: string;
  environment: EnvironmentView;
  /** Other environments the user may include; empty when the API kills one environment at a time. */
  environments: EnvironmentView[];
  onSubmit: (input: { reason: string; environments: string[] }) => Promise<unknown>;
  onClose: () => void;
}) => {
  const kill = mode === 'kill';
  const form = useKillForm({
    initialEnvironments: [environment.key],
    reasonRequired: kill || environment.requireChangeReason,
    onSubmit,
  });
  const handle = async (e: FormEvent) => {
    e.preventDefault();
    if (await form.submit()) onClose();
  };
  const reasonMessages = errorsFor(form.errors, 'reason');
  // The reason is what an operator types first (the environments default to the current one).
  const reasonField = useRef<HTMLTextAreaElement>(null);
  return (
    <Dialog
      title={kill ? `Kill ${flagKey}` : `Restore ${flagKey}`}
      onClose={onClose}
      tone={kill ? 'danger' : 'default'}
      initialFocus={reasonField}
      dirty={form.dirty}
    >
      <form onSubmit={(e) => void handle(e)} noValidate>
        <p>
          {kill
            ? 'Every SDK stops evaluating rules and rollouts for this flag and serves the off variant, at once.'
            : 'The flag goes back to exactly the config it had before the kill.'}
        </p>
        {environments.length > 1 && (
          <fieldset className="env-picker">
            <legend>Environments</legend>
            {environments.map((env) => (
              <label key={env.key} className="chip-check">
                <input type="checkbox" checked={form.environments.includes(env.key)} onChange={(e) => form.toggleEnvironment(env.key, e.target.checked)} />
                {env.name}
              </label>
            ))}
            <FieldMessage path="environments" messages={errorsFor(form.errors, 'environments')} />
          </fieldset>
        )}
        <label htmlFor="kill-reason" className="field-label">
          Reason{kill || environment.requireChangeReason ? '' : ' (optional)'}
        </label>
        <textarea
          ref={reasonField}
          id="kill-reason"
          rows={3}
          value={form.reason}
          placeholder={kill ? 'e.g. INC-4821: transformer v2 writes null user ids' : 'e.g. fix deployed in 2.4.1'}
          onChange={(e) => form.setReason(e.target.value)}
          // Enter submits, as in a one-line field (the reason is typed under pressure); Shift+Enter starts a new line.
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              e.currentTarget.form?.requestSubmit();
            }
          }}
          {...describedBy('reason', reasonMessages)}
        />
        <FieldMessage path="reason" messages={reasonMessages} />
        <FormActions error={form.formError} onCancel={onClose} submitLabel={kill ? 'Kill now' : 'Restore now'} submitting={form.submitting} danger={kill} />
      </form>
    </Dialog>
  );
};
