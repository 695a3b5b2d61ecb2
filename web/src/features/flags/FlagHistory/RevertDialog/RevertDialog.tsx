import { type FormEvent, useRef, useState } from 'react';
import { ApiError, errorMessage } from '../../../../api/client';
import type { FlagConfigView } from '../../../../api/flags';
import type { FlagVersion, RevertRequest } from '../../../../api/versions';
import { Dialog } from '../../../../components/common/Dialog';
import { DiffView } from '../../../../components/common/DiffView';
import { describedBy, FieldMessage } from '../../../../components/common/FieldMessage';
import { errorsFor, type FieldErrors, toFieldErrors } from '../../../../components/common/fieldErrors';
import { FormActions } from '../../../../components/common/FormActions';
import { ConflictPanel } from '../../ConflictPanel/ConflictPanel';

/** What a revert writes: everything but the kill, which only the kill switch changes. */
export const revertable = (config: FlagConfigView) => ({
  on: config.on,
  offVariant: config.offVariant,
  targets: config.targets,
  rules: config.rules,
  defaultRule: config.defaultRule,
  prerequisites: config.prerequisites,
});

/**
 * Confirms a revert: the difference between the current config and the version, a reason, one
 * request. A 409 shows what changed meanwhile, with a way to revert on top of it or give up.
 */
export const RevertDialog = ({
  flagKey,
  environment,
  current,
  target,
  reasonRequired,
  onSubmit,
  onClose,
}: {
  flagKey: string;
  environment: string;
  current: FlagConfigView;
  target: FlagVersion;
  reasonRequired: boolean;
  onSubmit: (request: RevertRequest) => Promise<unknown>;
  onClose: () => void;
}) => {
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  // After a 409: the config someone else saved meanwhile; the next attempt is based on it.
  const [newer, setNewer] = useState<FlagConfigView | null>(null);
  const reasonField = useRef<HTMLTextAreaElement>(null);
  // The config the diff was shown against, kept while the dialog is open: a live update of the page
  // must not move the revert onto a version the user never reviewed (it gets the conflict view instead).
  const [reviewed] = useState(current);
  const base = newer ?? reviewed;

  const send = async (version: number) => {
    const trimmed = reason.trim();
    if (reasonRequired && !trimmed) {
      setErrors({ reason: [`${environment} asks for a reason for every change`] });
      return;
    }
    setSubmitting(true);
    setErrors({});
    setFormError(null);
    try {
      await onSubmit({ toVersion: target.version, version, ...(trimmed ? { reason: trimmed } : {}) });
      onClose();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'VERSION_CONFLICT') {
        const details = err.details as { current?: FlagConfigView } | undefined;
        if (details?.current) setNewer(details.current);
        else setFormError(err.message);
      } else if (err instanceof ApiError && err.fieldErrors.length > 0) {
        setErrors(toFieldErrors(err.fieldErrors));
        // Problems with the version's own config (a variant since removed) have no field here: list them.
        const others = err.fieldErrors.filter((e) => e.field !== 'reason');
        setFormError(others.length > 0 ? `This version cannot be restored: ${others.map((e) => `${e.field}: ${e.reason}`).join('; ')}` : null);
      } else setFormError(errorMessage(err));
    } finally {
      setSubmitting(false);
    }
  };
  const handle = (e: FormEvent) => {
    e.preventDefault();
    void send(base.version);
  };
  const reasonMessages = errorsFor(errors, 'reason');
  return (
    <Dialog title={`Revert ${flagKey} in ${environment} to version ${target.version}`} onClose={onClose} initialFocus={reasonField} dirty={reason !== ''}>
      <form onSubmit={handle} noValidate>
        {newer ? (
          <ConflictPanel
            base={reviewed}
            current={newer}
            draft={revertable(target.config)}
            editable={revertable}
            conflicting={[]}
            onReapply={() => void send(newer.version)}
            onDiscard={onClose}
          />
        ) : (
          <>
            <p>
              Writes the config of version {target.version} again, as version {reviewed.version + 1}.{' '}
              {reviewed.killed ? 'The flag stays killed: only the kill switch restores it.' : 'The kill switch is not changed.'}
            </p>
            <DiffView caption={`Current (v${reviewed.version}) → version ${target.version}`} before={revertable(reviewed)} after={revertable(target.config)} />
          </>
        )}
        <label htmlFor="revert-reason" className="field-label">
          Reason{reasonRequired ? '' : ' (optional)'}
        </label>
        <textarea
          ref={reasonField}
          id="revert-reason"
          rows={2}
          value={reason}
          placeholder="e.g. v5's rule sent search traffic to the wrong model"
          onChange={(e) => setReason(e.target.value)}
          {...describedBy('reason', reasonMessages)}
        />
        <FieldMessage path="reason" messages={reasonMessages} />
        {!newer && <FormActions error={formError} onCancel={onClose} submitLabel={`Revert to version ${target.version}`} submitting={submitting} />}
        {newer && formError && (
          <p className="form-error" role="alert">
            {formError}
          </p>
        )}
      </form>
    </Dialog>
  );
};
