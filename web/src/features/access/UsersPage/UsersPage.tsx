import { type FormEvent, useState } from 'react';
import { ApiError, errorMessage } from '../../../api/client';
import { useCreateUser, useUpdateUser, useUsers } from '../../../api/access';
import { useMe } from '../../../api/auth';
import type { Role } from '../../../api/types';
import { CopySecret } from '../../../components/common/CopySecret';
import { describedBy, FieldMessage } from '../../../components/common/FieldMessage';
import { errorsFor, type FieldErrors, toFieldErrors } from '../../../components/common/fieldErrors';
import { formatTime } from '../../../components/common/format';
import { ErrorState, Loading } from '../../../components/common/StateViews';

const useNewUserForm = () => {
  const [values, setValues] = useState({ email: '', name: '', role: 'viewer' as Role });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [created, setCreated] = useState<{ email: string; password: string } | null>(null);
  const create = useCreateUser();
  const submit = async () => {
    const found: FieldErrors = {};
    if (!values.email.includes('@')) found.email = ['an email address'];
    if (!values.name.trim()) found.name = ['a name'];
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    try {
      const result = await create.mutateAsync(values);
      setCreated({ email: result.user.email, password: result.password });
      setValues({ email: '', name: '', role: 'viewer' });
    } catch (error) {
      setErrors(error instanceof ApiError && error.fieldErrors.length > 0 ? toFieldErrors(error.fieldErrors) : { email: [errorMessage(error)] });
    }
  };
  return { values, setValues, errors, created, dismiss: () => setCreated(null), submit, pending: create.isPending };
};

export const UsersPage = () => {
  const users = useUsers();
  const update = useUpdateUser();
  const { data: me } = useMe();
  const form = useNewUserForm();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit();
  };
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Users &amp; roles</h1>
          <p className="muted">Viewers read; editors change flags and segments; admins also manage users, tokens and keys.</p>
        </div>
      </header>
      <section className="card section">
        <h2>Add a user</h2>
        <form className="toolbar" onSubmit={submit} aria-label="New user" noValidate>
          <div className="field grow">
            <label htmlFor="user-email">Email</label>
            <input id="user-email" type="email" value={form.values.email} onChange={(e) => form.setValues((v) => ({ ...v, email: e.target.value }))} {...describedBy('email', errorsFor(form.errors, 'email'))} />
            <FieldMessage path="email" messages={errorsFor(form.errors, 'email')} />
          </div>
          <div className="field grow">
            <label htmlFor="user-name">Name</label>
            <input id="user-name" value={form.values.name} onChange={(e) => form.setValues((v) => ({ ...v, name: e.target.value }))} {...describedBy('name', errorsFor(form.errors, 'name'))} />
            <FieldMessage path="name" messages={errorsFor(form.errors, 'name')} />
          </div>
          <div className="field">
            <label htmlFor="user-role">Role</label>
            <select id="user-role" value={form.values.role} onChange={(e) => form.setValues((v) => ({ ...v, role: e.target.value as Role }))}>
              <option value="viewer">viewer</option>
              <option value="editor">editor</option>
              <option value="admin">admin</option>
            </select>
          </div>
          <button type="submit" className="btn btn-primary" disabled={form.pending}>
            Add user
          </button>
        </form>
        {form.created && <CopySecret label={`Password for ${form.created.email}`} secret={form.created.password} onDismiss={form.dismiss} />}
      </section>
      {users.isPending ? (
        <Loading />
      ) : users.isError ? (
        <ErrorState error={users.error} />
      ) : (
        <div className="card table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col" className="col-tags">
                  Added
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((user) => {
                const self = me?.user?.id === user.id;
                return (
                  <tr key={user.id}>
                    <td>
                      <strong>{user.name}</strong>
                      <div className="muted small">{user.email}</div>
                    </td>
                    <td>
                      <select
                        aria-label={`Role of ${user.email}`}
                        value={user.role}
                        disabled={self}
                        onChange={(e) => update.mutate({ id: user.id, role: e.target.value as Role })}
                      >
                        <option value="viewer">viewer</option>
                        <option value="editor">editor</option>
                        <option value="admin">admin</option>
                      </select>
                    </td>
                    <td>
                      <label className="switch">
                        <input
                          type="checkbox"
                          role="switch"
                          checked={!user.disabled}
                          disabled={self}
                          aria-label={`${user.email} may sign in`}
                          onChange={(e) => update.mutate({ id: user.id, disabled: !e.target.checked })}
                        />
                        <span className="switch-track" aria-hidden="true" />
                        <span>{user.disabled ? 'disabled' : 'active'}</span>
                      </label>
                    </td>
                    <td className="col-tags small">{formatTime(user.createdAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {update.isError && <p className="form-error">{errorMessage(update.error)}</p>}
        </div>
      )}
    </div>
  );
};
