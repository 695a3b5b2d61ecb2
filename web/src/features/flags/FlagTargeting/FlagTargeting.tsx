import type { FormEvent } from 'react';
import { useFlags } from '../../../api/flags';
import { useSegments } from '../../../api/segments';
import type { EnvironmentView, FlagView } from '../../../api/types';
import { describedBy, FieldMessage } from '../../../components/common/FieldMessage';
import { errorsFor } from '../../../components/common/fieldErrors';
import { AttributeSuggestions } from '../ClauseEditor/ClauseEditor';
import { ConflictPanel } from '../ConflictPanel/ConflictPanel';
import { PrerequisitesEditor } from '../PrerequisitesEditor/PrerequisitesEditor';
import { RuleBuilder } from '../RuleBuilder/RuleBuilder';
import { ServeEditor } from '../ServeEditor/ServeEditor';
import { TargetsEditor } from '../TargetsEditor/TargetsEditor';
import { useFlagConfigForm } from './useFlagConfigForm';

/** The editor of a flag's config in one environment (editors and admins). */
export const FlagTargeting = ({ project, flag, environment }: { project: string; flag: FlagView; environment: EnvironmentView }) => {
  const form = useFlagConfigForm({ project, flag, environment: environment.key, reasonRequired: environment.requireChangeReason });
  const { data: segments = [] } = useSegments(project);
  const { data: flags = [] } = useFlags(project);
  const { draft, base, errors } = form;
  if (!draft || !base) return <p className="muted">This flag has no config in {environment.name}.</p>;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit();
  };
  const reasonMessages = errorsFor(errors, 'reason');
  return (
    <form className="targeting" onSubmit={onSubmit} aria-label={`Targeting in ${environment.name}`} noValidate>
      <AttributeSuggestions />
      {form.conflict && (
        <ConflictPanel
          base={base}
          draft={draft}
          current={form.conflict.current}
          conflicting={form.conflict.conflicting}
          onReapply={form.reapply}
          onDiscard={form.discard}
        />
      )}
      {form.remoteChanged && !form.conflict && (
        <p className="notice" role="status">
          Someone else saved a newer version of this flag while you were editing. Saving will show you both changes.
        </p>
      )}

      <section className="card section">
        <div className="section-head">
          <h3>Targeting</h3>
          <label className="switch">
            <input
              type="checkbox"
              role="switch"
              checked={draft.on}
              onChange={(e) => form.update((d) => ({ ...d, on: e.target.checked }))}
            />
            <span className="switch-track" aria-hidden="true" />
            <span>{draft.on ? 'On: rules and the default rule decide' : 'Off: everyone gets the off variant'}</span>
          </label>
        </div>
        <label className="field-inline">
          <span>When off, serve</span>
          <select
            aria-label="Off variant"
            value={draft.offVariant ?? ''}
            onChange={(e) => form.update((d) => ({ ...d, offVariant: e.target.value || null }))}
          >
            <option value="">the caller's default</option>
            {flag.variants.map((v) => (
              <option key={v.key} value={v.key}>
                {v.key}
              </option>
            ))}
          </select>
        </label>
      </section>

      <section className="card section">
        <h3>Prerequisites</h3>
        <PrerequisitesEditor
          prerequisites={draft.prerequisites}
          flags={flags}
          selfKey={flag.key}
          errors={errors}
          onChange={(prerequisites) => form.update((d) => ({ ...d, prerequisites }))}
        />
      </section>

      <section className="card section">
        <h3>Individual targets</h3>
        <TargetsEditor targets={draft.targets} variants={flag.variants} errors={errors} onChange={(targets) => form.update((d) => ({ ...d, targets }))} />
      </section>

      <section className="section">
        <h3>Rules</h3>
        <RuleBuilder rules={draft.rules} variants={flag.variants} segments={segments} errors={errors} onChange={(rules) => form.update((d) => ({ ...d, rules }))} />
      </section>

      <section className="card section" aria-label="Default rule">
        <h3>Default rule</h3>
        <p className="muted">Contexts that match no target and no rule.</p>
        {draft.defaultRule ? (
          <ServeEditor
            serve={draft.defaultRule}
            variants={flag.variants}
            path="defaultRule"
            label="Default rule"
            errors={errors}
            onChange={(defaultRule) => form.update((d) => ({ ...d, defaultRule }))}
          />
        ) : (
          <button type="button" className="btn btn-small" onClick={() => form.update((d) => ({ ...d, defaultRule: { variant: flag.variants[0]?.key ?? '' } }))}>
            Serve a variant (now: the caller's default)
          </button>
        )}
      </section>

      <div className="save-bar" aria-label="Save changes">
        <div className="save-reason">
          <label htmlFor="change-reason">
            Reason{environment.requireChangeReason ? ` (required in ${environment.name})` : ' (optional)'}
          </label>
          <input
            id="change-reason"
            value={form.reason}
            placeholder="Why are you changing this?"
            onChange={(e) => form.setReason(e.target.value)}
            {...describedBy('reason', reasonMessages)}
          />
          <FieldMessage path="reason" messages={reasonMessages} />
        </div>
        <div className="save-actions">
          {form.formError && (
            <p className="form-error" role="alert">
              {form.formError}
            </p>
          )}
          {form.savedVersion !== null && !form.dirty && (
            <p className="saved" role="status">
              Saved as version {form.savedVersion}
            </p>
          )}
          <button type="button" className="btn" disabled={!form.dirty || form.saving} onClick={form.discard}>
            Discard
          </button>
          <button type="submit" className="btn btn-primary" disabled={!form.dirty || form.saving || !!form.conflict}>
            {form.saving ? 'Saving…' : `Save to ${environment.name}`}
          </button>
        </div>
      </div>
    </form>
  );
};
