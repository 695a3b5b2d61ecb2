import type { FormEvent } from 'react';
import { type FlagView, useFlags } from '../../../api/flags';
import { useSegments } from '../../../api/segments';
import { approvalOf, type EnvironmentView } from '../../../api/projects';
import { ChangeRequestNotice } from '../../changeRequests/ChangeRequestNotice/ChangeRequestNotice';
import { SaveBar } from '../../../components/common/SaveBar';
import { UnsavedChangesGuard } from '../../../components/common/UnsavedChangesGuard';
import { AttributeSuggestions } from '../ClauseEditor/ClauseEditor';
import { VersionNotices } from '../ConflictPanel/ConflictPanel';
import { PrerequisitesEditor } from '../PrerequisitesEditor/PrerequisitesEditor';
import { RuleBuilder } from '../RuleBuilder/RuleBuilder';
import { ServeEditor } from '../ServeEditor/ServeEditor';
import { TargetsEditor } from '../TargetsEditor/TargetsEditor';
import { ScheduleButton } from '../ScheduledChanges/ScheduleButton';
import { targetingState } from '../TargetingSummary/targetingState';
import { toEditable } from '../flagConfig';
import { useFlagConfigForm } from './useFlagConfigForm';

/** The editor of a flag's config in one environment (editors and admins). */
export const FlagTargeting = ({ project, flag, environment }: { project: string; flag: FlagView; environment: EnvironmentView }) => {
  const form = useFlagConfigForm({ project, flag, environment: environment.key, reasonRequired: environment.requireChangeReason });
  const { data: segments = [] } = useSegments(project);
  const { data: flags = [] } = useFlags(project);
  const { draft, base, errors } = form;
  const approval = approvalOf(environment);
  if (!draft || !base) return <p className="muted">This flag has no config in {environment.name}.</p>;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit();
  };
  return (
    <form className="targeting" onSubmit={onSubmit} aria-label={`Targeting in ${environment.name}`} noValidate>
      <AttributeSuggestions />
      <VersionNotices form={form} editable={toEditable} />
      <UnsavedChangesGuard when={form.dirty} onDiscard={form.recovery.forget} />

      <section className="card section">
        <div className="section-head">
          <h3>Targeting</h3>
          <label className="switch">
            <input type="checkbox" role="switch" checked={draft.on} onChange={(e) => form.update((d) => ({ ...d, on: e.target.checked }))} />
            <span className="switch-track" aria-hidden="true" />
            <span>{targetingState(base, draft.on)}</span>
          </label>
        </div>
        <label className="field-inline">
          <span>When off, serve</span>
          <select aria-label="Off variant" value={draft.offVariant ?? ''} onChange={(e) => form.update((d) => ({ ...d, offVariant: e.target.value || null }))}>
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
        <RuleBuilder
          rules={draft.rules}
          variants={flag.variants}
          segments={segments}
          errors={errors}
          onChange={(rules) => form.update((d) => ({ ...d, rules }))}
        />
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

      {approval.requireApproval && (
        <p className="muted approval-hint">
          {environment.name} requires approval: saving creates a change request that needs {approval.requiredApprovals} approval
          {approval.requiredApprovals === 1 ? '' : 's'} from other people.
        </p>
      )}
      <SaveBar
        form={form}
        reasonLabel={`Reason${environment.requireChangeReason ? ` (required in ${environment.name})` : ' (optional)'}`}
        saveLabel={approval.requireApproval ? `Request change in ${environment.name}` : `Save to ${environment.name}`}
        outcome={form.requested && <ChangeRequestNotice request={form.requested} />}
      />
      {/* In an environment that requires approval, scheduling makes a change request with its time. */}
      <ScheduleButton project={project} flagKey={flag.key} environment={environment} form={form} />
    </form>
  );
};
