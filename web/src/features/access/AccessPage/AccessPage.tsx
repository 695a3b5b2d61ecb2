import { type FormEvent, useState } from 'react';
import { ApiError, errorMessage } from '../../../api/client';
import { type TokenAccess, useCreateToken, useRevokeToken, useTokens } from '../../../api/access';
import { type ProjectView, useRotateSdkKey } from '../../../api/projects';
import { Badge } from '../../../components/common/Badge';
import { CopySecret } from '../../../components/common/CopySecret';
import { Field } from '../../../components/common/Field';
import { errorsFor, type FieldErrors, toFieldErrors, withoutField } from '../../../components/common/fieldErrors';
import { formatTime } from '../../../components/common/format';
import { PageHeader } from '../../../components/common/PageHeader';
import { ActionsColumnHeader } from '../../../components/common/RowButtons';
import { EmptyState, QueryView } from '../../../components/common/StateViews';

const useTokenForm = () => {
  const [name, setName] = useState('');
  const [access, setAccess] = useState<TokenAccess>('kill-switch');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [secret, setSecret] = useState<string | null>(null);
  const create = useCreateToken();
  const submit = async () => {
    if (!name.trim()) {
      setErrors({ name: ['name the token after what uses it, e.g. pagerduty'] });
      return;
    }
    setErrors({});
    try {
      const created = await create.mutateAsync({ name: name.trim(), access });
      setSecret(created.secret);
      setName('');
    } catch (error) {
      setErrors(error instanceof ApiError && error.fieldErrors.length > 0 ? toFieldErrors(error.fieldErrors) : { name: [errorMessage(error)] });
    }
  };
  // The name's message goes as soon as the user edits it.
  const rename = (value: string) => {
    setName(value);
    setErrors((current) => withoutField(current, 'name'));
  };
  return { name, setName: rename, access, setAccess, errors, secret, dismiss: () => setSecret(null), submit, pending: create.isPending };
};

const SdkKeys = ({ project }: { project: ProjectView }) => {
  const rotate = useRotateSdkKey(project.key);
  const [shown, setShown] = useState<{ environment: string; key: string } | null>(null);
  return (
    <section className="card section" aria-labelledby="sdk-keys">
      <h2 id="sdk-keys">SDK keys of {project.name}</h2>
      <p className="muted">One per environment: read that environment's config and send events, nothing else.</p>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Environment</th>
            <th scope="col">Key</th>
            <ActionsColumnHeader />
          </tr>
        </thead>
        <tbody>
          {project.environments.map((env) => (
            <tr key={env.key}>
              <td>{env.name}</td>
              <td>
                <code>{env.sdkKeyPrefix ?? 'sbk_'}…</code>
              </td>
              <td className="row-actions">
                <button
                  type="button"
                  className="btn btn-small"
                  disabled={rotate.isPending}
                  onClick={async () => {
                    if (!window.confirm(`Rotate the SDK key of ${env.name}? SDKs using the old key are refused from now on.`)) return;
                    const result = await rotate.mutateAsync(env.key);
                    setShown({ environment: env.name, key: result.sdkKey });
                  }}
                >
                  Rotate key
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rotate.isError && <p className="form-error">{errorMessage(rotate.error)}</p>}
      {shown && <CopySecret label={`New SDK key for ${shown.environment}`} secret={shown.key} onDismiss={() => setShown(null)} />}
    </section>
  );
};

export const AccessPage = ({ project }: { project: ProjectView }) => {
  const tokens = useTokens();
  const revoke = useRevokeToken();
  const form = useTokenForm();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit();
  };
  return (
    <div className="page">
      <PageHeader title="API tokens & SDK keys" description="Secrets are stored hashed and shown once." />
      <section className="card section" aria-labelledby="api-tokens">
        <h2 id="api-tokens">API tokens</h2>
        <form className="toolbar" onSubmit={submit} aria-label="New API token" noValidate>
          <Field path="name" label="Name" messages={errorsFor(form.errors, 'name')} className="grow">
            {(p) => <input {...p} value={form.name} placeholder="pagerduty" onChange={(e) => form.setName(e.target.value)} />}
          </Field>
          <div className="field">
            <label htmlFor="token-access">Access</label>
            <select id="token-access" value={form.access} onChange={(e) => form.setAccess(e.target.value as TokenAccess)}>
              <option value="kill-switch">kill-switch only</option>
              <option value="viewer">viewer</option>
              <option value="editor">editor</option>
              <option value="admin">admin</option>
            </select>
          </div>
          <button type="submit" className="btn btn-primary" disabled={form.pending}>
            Create token
          </button>
        </form>
        {form.secret && <CopySecret label="New API token" secret={form.secret} onDismiss={form.dismiss} />}
        <QueryView query={tokens} empty={<EmptyState title="No API tokens yet." />}>
          {(list) => (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Token</th>
                  <th scope="col">Access</th>
                  <th scope="col" className="col-tags">
                    Created
                  </th>
                  <th scope="col">Last used</th>
                  <ActionsColumnHeader />
                </tr>
              </thead>
              <tbody>
                {list.map((token) => (
                  <tr key={token.id}>
                    <td>{token.name}</td>
                    <td>
                      <code>{token.prefix}…</code>
                    </td>
                    <td>
                      <Badge tone={token.access === 'kill-switch' ? 'killed' : 'info'}>{token.access}</Badge>
                    </td>
                    <td className="col-tags small">
                      {formatTime(token.createdAt)} by {token.createdBy}
                    </td>
                    <td className="small">{formatTime(token.lastUsedAt)}</td>
                    <td className="row-actions">
                      <button
                        type="button"
                        className="btn btn-small btn-ghost danger"
                        onClick={() => window.confirm(`Revoke ${token.name}? It stops working at once.`) && revoke.mutate(token.id)}
                      >
                        Revoke
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </QueryView>
      </section>
      <SdkKeys project={project} />
    </div>
  );
};
