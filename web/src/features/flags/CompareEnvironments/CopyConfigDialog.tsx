import type { ChangeRequestCreated } from '../../../api/changeRequests';
import type { FormEvent } from 'react';
import type { FlagConfigView, FlagView } from '../../../api/flags';
import type { EnvironmentView } from '../../../api/projects';
import { Dialog } from '../../../components/common/Dialog';
import { DiffView } from '../../../components/common/DiffView';
import { diffJson } from '../../../components/common/diffJson';
import { Field } from '../../../components/common/Field';
import { errorsFor } from '../../../components/common/fieldErrors';
import { FormActions } from '../../../components/common/FormActions';
import { ConflictPanel } from '../ConflictPanel/ConflictPanel';
import { toEditable } from '../flagConfig';
import { copiedConfig, useCopyConfig } from './useCopyConfig';

const nameOf = (environments: EnvironmentView[], key: string) => environments.find((e) => e.key === key)?.name ?? key;

/** "Copy to…": pick two environments, review what the target would change, then write it as one versioned change. */
export const CopyConfigDialog = ({
  project,
  flag,
  environments,
  initialSource,
  initialTarget,
  onCopied,
  onClose,
}: {
  project: string;
  flag: FlagView;
  environments: EnvironmentView[];
  initialSource: string;
  initialTarget: string;
  /** `saved` is the change request the copy became where the target requires approval. */
  onCopied: (copy: { source: string; target: string; saved: FlagConfigView | ChangeRequestCreated }) => void;
  onClose: () => void;
}) => {
  const form = useCopyConfig({ project, flag, environments, initialSource, initialTarget });
  const { reviewed, conflict, sourceKey, targetKey } = form;
  const sourceName = nameOf(environments, sourceKey);
  const targetName = nameOf(environments, targetKey);
  const changes = reviewed ? diffJson(toEditable(reviewed.target), copiedConfig(reviewed.source)) : [];

  const handle = async (e: FormEvent) => {
    e.preventDefault();
    const saved = await form.submit();
    if (saved) onCopied({ source: sourceKey, target: targetKey, saved });
  };

  const picker = (label: string, value: string, onChange: (key: string) => void) => (
    <label className="field">
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)} disabled={form.saving}>
        {environments.map((env) => (
          <option key={env.key} value={env.key}>
            {env.name}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <Dialog title={`Copy ${flag.key} between environments`} onClose={onClose} dirty={form.reason.trim() !== ''}>
      <form className="copy-config" onSubmit={(e) => void handle(e)} noValidate aria-label="Copy config">
        <div className="copy-config-pair">
          {picker('Copy from', sourceKey, (key) => form.choose(key, targetKey))}
          <span aria-hidden="true">→</span>
          {picker('Copy to', targetKey, (key) => form.choose(sourceKey, key))}
        </div>
        {sourceKey === targetKey ? (
          <p className="warn">Choose two different environments.</p>
        ) : !reviewed ? (
          <p className="warn">This flag has no config in one of them.</p>
        ) : (
          <>
            <p>
              Replaces on/off, the off variant, prerequisites, individual targets, rules and the default rule in {targetName} with {sourceName}&apos;s, as one
              change from version {reviewed.target.version}. Segments belong to the project, so rules that use them copy as they are.
            </p>
            <p className="notice" role="note">
              <strong>The kill switch is not copied:</strong> a kill is an operator action.{' '}
              {reviewed.target.killed ? `${targetName} is killed and stays killed.` : `${targetName} stays as it is.`}
            </p>
            {conflict ? (
              <ConflictPanel
                base={reviewed.target}
                draft={copiedConfig(reviewed.source)}
                current={conflict.current}
                editable={toEditable}
                conflicting={conflict.conflicting}
                onReapply={form.reviewAgain}
                onDiscard={onClose}
              />
            ) : (
              form.changedSince.length > 0 && (
                <div className="notice" role="status">
                  <p>{form.changedSince.map((side) => (side === 'source' ? sourceName : targetName)).join(' and ')} changed since you opened this review.</p>
                  <button type="button" className="btn btn-small" onClick={form.reviewAgain}>
                    Review again
                  </button>
                </div>
              )
            )}
            {changes.length === 0 ? (
              <p className="muted">
                {targetName} already serves {sourceName}&apos;s config: nothing to copy.
              </p>
            ) : (
              <DiffView
                caption={`What changes in ${targetName} (v${reviewed.target.version} → from ${sourceName} v${reviewed.source.version})`}
                before={toEditable(reviewed.target)}
                after={copiedConfig(reviewed.source)}
              />
            )}
            <Field
              path="reason"
              label={`Reason${form.target?.requireChangeReason ? ` (required in ${targetName})` : ' (optional)'}`}
              messages={errorsFor(form.errors, 'reason')}
            >
              {(p) => (
                <textarea
                  {...p}
                  rows={2}
                  maxLength={1000}
                  value={form.reason}
                  placeholder={`e.g. promote the ${sourceName} rollout`}
                  onChange={(e) => form.setReason(e.target.value)}
                />
              )}
            </Field>
          </>
        )}
        <FormActions
          error={form.formError}
          onCancel={onClose}
          submitLabel={`Copy to ${targetName}`}
          submitting={form.saving}
          disabled={!reviewed || changes.length === 0 || conflict !== null}
        />
      </form>
    </Dialog>
  );
};
