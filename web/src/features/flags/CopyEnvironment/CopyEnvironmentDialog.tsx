import { type FormEvent, useState } from 'react';
import { ApiError, errorMessage } from '../../../api/client';
import { type CopyPlan, type PlanConflict, useCopyEnvironment, useEnvironmentCopyPlan } from '../../../api/environmentCopy';
import type { EnvironmentView } from '../../../api/projects';
import { Dialog } from '../../../components/common/Dialog';
import { DiffView } from '../../../components/common/DiffView';
import { Field } from '../../../components/common/Field';
import { errorsFor, type FieldErrors, toFieldErrors } from '../../../components/common/fieldErrors';
import { FormActions } from '../../../components/common/FormActions';
import './CopyEnvironmentDialog.css';

/**
 * Copies every flag's config from another environment into this one: a dry run lists what would
 * change, flag by flag, and the copy writes exactly the reviewed flags as one transaction, refused
 * whole (409) if any of them moved in this environment since the review.
 */
export const CopyEnvironmentDialog = ({
  project,
  target,
  environments,
  onCopied,
  onClose,
}: {
  project: string;
  target: EnvironmentView;
  environments: EnvironmentView[];
  onCopied: (copied: number) => void;
  onClose: () => void;
}) => {
  const sources = environments.filter((e) => e.key !== target.key);
  const [source, setSource] = useState(sources[0]?.key ?? '');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [conflicts, setConflicts] = useState<PlanConflict[]>([]);
  const plan = useEnvironmentCopyPlan(project, source, target.key);
  const copy = useCopyEnvironment(project, source, target.key);
  const sourceName = sources.find((e) => e.key === source)?.name ?? source;
  const reviewed: CopyPlan | undefined = plan.data;
  const changes = reviewed?.changes.filter((c) => c.resource === 'config') ?? [];

  const choose = (key: string) => {
    setSource(key);
    setConflicts([]);
    setFormError(null);
  };

  const reviewAgain = async () => {
    setConflicts([]);
    setFormError(null);
    await plan.refetch();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!reviewed || changes.length === 0) return;
    if (reason.trim() === '') {
      setErrors({ reason: ['a copy needs a reason'] });
      return;
    }
    setErrors({});
    setFormError(null);
    try {
      await copy.mutateAsync({ plan: reviewed, reason: reason.trim() });
      onCopied(new Set(changes.map((c) => c.key)).size);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'VERSION_CONFLICT') {
        setConflicts((error.details as { conflicts?: PlanConflict[] } | undefined)?.conflicts ?? []);
      } else {
        if (error instanceof ApiError && error.fieldErrors.length > 0) setErrors(toFieldErrors(error.fieldErrors));
        setFormError(errorMessage(error));
      }
    }
  };

  return (
    <Dialog title={`Copy flags into ${target.name}`} onClose={onClose} dirty={reason.trim() !== ''}>
      <form className="copy-environment" onSubmit={(e) => void submit(e)} noValidate aria-label="Copy environment">
        <label className="field">
          <span>Copy from</span>
          <select value={source} onChange={(e) => choose(e.target.value)} disabled={copy.isPending}>
            {sources.map((env) => (
              <option key={env.key} value={env.key}>
                {env.name}
              </option>
            ))}
          </select>
        </label>
        <p>
          Replaces, for every active flag, on/off, the off variant, prerequisites, individual targets, rules and the default rule in {target.name} with{' '}
          {sourceName}&apos;s, as one change. Kill switches are not copied: {target.name}&apos;s stay as they are.
        </p>
        {plan.isPending ? (
          <p className="muted" role="status">
            Comparing {sourceName} with {target.name}…
          </p>
        ) : plan.isError ? (
          <p className="form-error" role="alert">
            Could not compare the environments: {errorMessage(plan.error)}
          </p>
        ) : changes.length === 0 ? (
          <p className="muted" role="status">
            {target.name} already serves {sourceName}&apos;s configs: nothing to copy.
          </p>
        ) : (
          <>
            <p role="status">
              <strong>
                {changes.length} flag{changes.length === 1 ? '' : 's'} would change in {target.name}
              </strong>
              {reviewed?.summary.create ? ` (${reviewed.summary.create} new)` : ''}.
            </p>
            <ul className="copy-environment-changes" aria-label="What changes">
              {changes.map((change) => (
                <li key={change.key}>
                  <details>
                    <summary>
                      <code>{change.key}</code> <span className="muted">{change.version === null ? 'new config' : `v${change.version}`}</span>{' '}
                      {change.fields.map((f) => (
                        <span key={f} className="badge">
                          {f}
                        </span>
                      ))}
                    </summary>
                    <DiffView caption={`${change.key} in ${target.name}`} before={change.before ?? {}} after={change.after ?? {}} />
                  </details>
                </li>
              ))}
            </ul>
          </>
        )}
        {conflicts.length > 0 && (
          <div className="notice" role="alert">
            <p>
              Nothing was copied: {conflicts.map((c) => c.key).join(', ')} changed in {target.name} since this review.
            </p>
            <button type="button" className="btn btn-small" onClick={() => void reviewAgain()}>
              Review again
            </button>
          </div>
        )}
        <Field path="reason" label="Reason (kept in the audit log of every change)" messages={errorsFor(errors, 'reason')}>
          {(p) => (
            <textarea
              {...p}
              rows={2}
              maxLength={1000}
              value={reason}
              placeholder={`e.g. promote ${sourceName} to ${target.name}`}
              onChange={(e) => {
                setReason(e.target.value);
                if (e.target.value.trim() !== '') setErrors({});
              }}
            />
          )}
        </Field>
        <FormActions
          error={formError}
          onCancel={onClose}
          submitLabel={`Copy ${changes.length} flag${changes.length === 1 ? '' : 's'} to ${target.name}`}
          submitting={copy.isPending}
          disabled={changes.length === 0 || conflicts.length > 0 || plan.isFetching}
        />
      </form>
    </Dialog>
  );
};
