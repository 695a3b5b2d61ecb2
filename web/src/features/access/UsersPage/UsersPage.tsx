import { type FormEvent, useState } from 'react';
import { ApiError, errorMessage } from '../../../api/client';
import { type Role, type User, useCreateUser, useUpdateUser, useUsers } from '../../../api/access';
import { useMe } from '../../../api/auth';
import { CopySecret } from '../../../components/common/CopySecret';
import { Field } from '../../../components/common/Field';
import { errorsFor, type FieldErrors, toFieldErrors, withoutField } from '../../../components/common/fieldErrors';
import { formatTime } from '../../../components/common/format';
import { PageHeader } from '../../../components/common/PageHeader';
import { QueryView } from '../../../components/common/StateViews';
import { UserSecondFactor } from '../../auth/UserSecondFactor/UserSecondFactor';
import { ConfirmDialog } from '../ConfirmDialog/ConfirmDialog';

const ROLES: Role[] = ['viewer', 'editor', 'admin'];

const ROLE_MEANS: Record<Role, string> = {
  viewer: 'Viewers read everything and change nothing.',
  editor: 'Editors change flags and segments and can kill and restore flags.',
  admin: 'Admins also manage users, API tokens and SDK keys.',
};

/** A change to a user that waits for confirmation; until then the page shows the user as they are. */
type PendingChange = { user: User; change: { role: Role } | { disabled: true } };

const ConfirmUserChange = ({ pending, onConfirm, onClose }: { pending: PendingChange; onConfirm: () => Promise<unknown>; onClose: () => void }) => {
  const { user, change } = pending;
  const who = `${user.name} (${user.email})`;
  return 'role' in change ? (
    <ConfirmDialog title={`Change the role of ${user.name}?`} confirmLabel={`Make ${change.role}`} onConfirm={onConfirm} onClose={onClose}>
      <p>
        {who} goes from <strong>{user.role}</strong> to <strong>{change.role}</strong>, effective at once, also in sessions already signed in.{' '}
        {ROLE_MEANS[change.role]}
      </p>
    </ConfirmDialog>
  ) : (
    <ConfirmDialog title={`Disable ${user.name}?`} confirmLabel="Disable user" tone="danger" onConfirm={onConfirm} onClose={onClose}>
      <p>{who} can no longer sign in, and their sessions end at once. You can enable them again later.</p>
    </ConfirmDialog>
  );
};

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
      // The form sends no password, so the server generates one and answers it (it is absent only when one was sent).
      setCreated({ email: result.user.email, password: result.password ?? '' });
      setValues({ email: '', name: '', role: 'viewer' });
    } catch (error) {
      setErrors(error instanceof ApiError && error.fieldErrors.length > 0 ? toFieldErrors(error.fieldErrors) : { email: [errorMessage(error)] });
    }
  };
  // A field's message goes as soon as the user changes that field.
  const set = <K extends keyof typeof values>(field: K, value: (typeof values)[K]) => {
    setValues((v) => ({ ...v, [field]: value }));
    setErrors((current) => withoutField(current, field));
  };
  return { values, set, errors, created, dismiss: () => setCreated(null), submit, pending: create.isPending };
};

export const UsersPage = () => {
  const users = useUsers();
  const update = useUpdateUser();
  const { data: me } = useMe();
  const form = useNewUserForm();
  const [pending, setPending] = useState<PendingChange | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit();
  };
  return (
    <div className="page">
      <PageHeader title="Users & roles" description="Viewers read; editors change flags and segments; admins also manage users, tokens and keys." />
      <section className="card section">
        <h2>Add a user</h2>
        <form className="toolbar" onSubmit={submit} aria-label="New user" noValidate>
          <Field path="email" label="Email" messages={errorsFor(form.errors, 'email')} className="grow">
            {(p) => <input {...p} type="email" value={form.values.email} onChange={(e) => form.set('email', e.target.value)} />}
          </Field>
          <Field path="name" label="Name" messages={errorsFor(form.errors, 'name')} className="grow">
            {(p) => <input {...p} value={form.values.name} onChange={(e) => form.set('name', e.target.value)} />}
          </Field>
          <div className="field">
            <label htmlFor="user-role">Role</label>
            <select id="user-role" value={form.values.role} onChange={(e) => form.set('role', e.target.value as Role)}>
              {ROLES.map((role) => (
                <option key={role}>{role}</option>
              ))}
            </select>
          </div>
          <button type="submit" className="btn btn-primary" disabled={form.pending}>
            Add user
          </button>
        </form>
        {form.created && <CopySecret label={`Password for ${form.created.email}`} secret={form.created.password} onDismiss={form.dismiss} />}
      </section>
      <QueryView query={users}>
        {(list) => (
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
                {list.map((user) => {
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
                          // The select stays on the current role until the change is confirmed.
                          onChange={(e) => setPending({ user, change: { role: e.target.value as Role } })}
                        >
                          {ROLES.map((role) => (
                            <option key={role}>{role}</option>
                          ))}
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
                            // Disabling asks first; enabling again takes effect at once.
                            onChange={(e) =>
                              e.target.checked ? update.mutate({ id: user.id, disabled: false }) : setPending({ user, change: { disabled: true } })
                            }
                          />
                          <span className="switch-track" aria-hidden="true" />
                          <span>{user.disabled ? 'disabled' : 'active'}</span>
                        </label>
                        <UserSecondFactor user={user} />
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
      </QueryView>
      {pending && (
        <ConfirmUserChange
          pending={pending}
          onConfirm={() => update.mutateAsync({ id: pending.user.id, ...pending.change })}
          onClose={() => setPending(null)}
        />
      )}
    </div>
  );
};
