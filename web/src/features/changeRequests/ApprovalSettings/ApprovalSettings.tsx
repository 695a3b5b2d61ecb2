import type { FormEvent } from 'react';
import type { EnvironmentView, ProjectView } from '../../../api/projects';
import { describedBy, FieldMessage } from '../../../components/common/FieldMessage';
import { errorsFor, fieldId } from '../../../components/common/fieldErrors';
import { MAX_APPROVALS, useEnvironmentRulesForm } from './useEnvironmentRulesForm';

const EnvironmentRules = ({ project, environment }: { project: string; environment: EnvironmentView }) => {
  const form = useEnvironmentRulesForm(project, environment);
  const { values } = form;
  const approvalsPath = `${environment.key}.requiredApprovals`;
  const approvalsMessages = errorsFor(form.errors, 'requiredApprovals');
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit();
  };
  return (
    <form className="environment-rules" aria-label={`Rules of ${environment.name}`} onSubmit={onSubmit} noValidate>
      <h3>{environment.name}</h3>
      <label className="checkbox-inline">
        <input type="checkbox" checked={values.requireChangeReason} onChange={(e) => form.set('requireChangeReason', e.target.checked)} />
        Every change must give a reason
      </label>
      <label className="checkbox-inline">
        <input type="checkbox" checked={values.requireApproval} onChange={(e) => form.set('requireApproval', e.target.checked)} />
        Require approval
      </label>
      <div className="field field-inline">
        <label htmlFor={fieldId(approvalsPath)}>Approvals needed</label>
        <input
          id={fieldId(approvalsPath)}
          type="number"
          min={1}
          max={MAX_APPROVALS}
          inputMode="numeric"
          value={values.requiredApprovals}
          disabled={!values.requireApproval}
          onChange={(e) => form.set('requiredApprovals', e.target.value)}
          {...describedBy(approvalsPath, approvalsMessages)}
        />
        <FieldMessage path={approvalsPath} messages={approvalsMessages} />
      </div>
      {form.formError && (
        <p className="form-error" role="alert">
          {form.formError}
        </p>
      )}
      {form.done && !form.dirty && (
        <p className="saved" role="status">
          Saved
        </p>
      )}
      <button type="submit" className="btn btn-small btn-primary" disabled={!form.dirty || form.saving}>
        {form.saving ? 'Saving…' : `Save ${environment.name}`}
      </button>
    </form>
  );
};

/**
 * Which environments need approval, and from how many people (admins). The kill switch and triggers
 * never wait for it; everything else written to such an environment becomes a change request.
 */
export const ApprovalSettings = ({ project }: { project: ProjectView }) => (
  <section className="card section approval-settings" aria-labelledby="approval-settings">
    <h2 id="approval-settings">Environment rules</h2>
    <p className="muted">
      In an environment that requires approval, config changes (now or scheduled), restores after a kill, archiving, starting a rollout plan and changes to a
      segment its flags use become change requests that other people approve. The kill switch and triggers never wait.
    </p>
    {project.environments.map((environment) => (
      <EnvironmentRules key={environment.key} project={project.key} environment={environment} />
    ))}
  </section>
);
