import type { FormEvent } from 'react';
import type { TokenAccess } from '../../../api/access';
import type { ProjectView } from '../../../api/projects';
import { CopySecret } from '../../../components/common/CopySecret';
import { Field } from '../../../components/common/Field';
import { describedBy, FieldMessage } from '../../../components/common/FieldMessage';
import { errorsFor, fieldId } from '../../../components/common/fieldErrors';
import { ScopePicker } from './ScopePicker';
import { scopable } from './tokenScope';
import { useTokenForm } from './useTokenForm';
import './TokenForm.css';

const ACCESS_OPTIONS: { value: TokenAccess; label: string }[] = [
  { value: 'kill-switch', label: 'kill-switch only' },
  { value: 'viewer', label: 'viewer' },
  { value: 'editor', label: 'editor' },
  { value: 'admin', label: 'admin' },
];

/** Creates an API token; a kill-switch token can be limited to some projects and environments. */
export const TokenForm = ({ projects }: { projects: ProjectView[] }) => {
  const form = useTokenForm(projects);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit();
  };
  const accessMessages = errorsFor(form.errors, 'access');
  return (
    <>
      <form className="token-form" onSubmit={submit} aria-label="New API token" noValidate>
        <div className="toolbar token-form-main">
          <Field path="name" label="Name" messages={errorsFor(form.errors, 'name')} className="grow">
            {(p) => <input {...p} value={form.name} placeholder="pagerduty" onChange={(e) => form.setName(e.target.value)} />}
          </Field>
          <div className="field">
            <label htmlFor={fieldId('access')}>Access</label>
            <select
              id={fieldId('access')}
              value={form.access}
              onChange={(e) => form.setAccess(e.target.value as TokenAccess)}
              {...describedBy('access', accessMessages)}
            >
              {ACCESS_OPTIONS.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
            <FieldMessage path="access" messages={accessMessages} />
          </div>
          <Field path="expiresAt" label="Expires (optional)" messages={errorsFor(form.errors, 'expiresAt')}>
            {(p) => (
              <input
                {...p}
                type="date"
                value={form.expiryDay}
                min={form.expiryBounds.min}
                max={form.expiryBounds.max}
                title="The token stops working at the end of this day; leave empty for a token that works until revoked"
                onChange={(e) => form.setExpiryDay(e.target.value)}
              />
            )}
          </Field>
        </div>
        {scopable(form.access) ? (
          <div className="token-form-scope">
            <ScopePicker
              path="projects"
              legend="Projects"
              plural="projects"
              options={projects.map((p) => ({ key: p.key, label: p.name }))}
              value={form.projectScope}
              onChange={form.setProjectScope}
              messages={errorsFor(form.errors, 'projects')}
            />
            <ScopePicker
              path="environments"
              legend="Environments"
              plural="environments"
              options={form.environmentOptions}
              value={form.environmentScope}
              onChange={form.setEnvironmentScope}
              messages={errorsFor(form.errors, 'environments')}
            />
          </div>
        ) : (
          <p className="muted small token-form-note">
            A {form.access} token acts in every project and environment. Only kill-switch tokens can be limited to some projects and environments.
          </p>
        )}
        {form.formError && (
          <p className="form-error" role="alert">
            {form.formError}
          </p>
        )}
        <div className="token-form-actions">
          {/* aria-disabled, not disabled: a disabled button drops keyboard focus to the page. */}
          <button type="submit" className="btn btn-primary" aria-disabled={form.pending}>
            Create token
          </button>
        </div>
      </form>
      {form.secret && <CopySecret label="New API token" secret={form.secret} onDismiss={form.dismiss} />}
    </>
  );
};
