import type { FormEvent } from 'react';
import type { CreatedProject } from '../../../api/projects';
import { Dialog } from '../../../components/common/Dialog';
import { Field } from '../../../components/common/Field';
import { errorsFor } from '../../../components/common/fieldErrors';
import { SdkKeysOnce } from '../../../components/common/SdkKeysOnce';
import { useCreateProjectForm } from './useCreateProjectForm';
import { FormActions } from '../../../components/common/FormActions';

/** Creates a project with its default environments (admins); then shows their SDK keys, which the server reveals only once. */
export const CreateProjectDialog = ({ onCreated, onClose }: { onCreated: (created: CreatedProject) => void; onClose: () => void }) => {
  const form = useCreateProjectForm(onCreated);
  const { values, errors, created } = form;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit();
  };
  return (
    <Dialog title={created ? `Created ${created.project.name}` : 'New project'} onClose={onClose} dirty={form.dirty}>
      {created ? (
        <SdkKeysOnce
          keys={created.project.environments.flatMap((env) => (created.sdkKeys[env.key] ? [{ environment: env.name, sdkKey: created.sdkKeys[env.key]! }] : []))}
          onDone={onClose}
        />
      ) : (
        <form onSubmit={submit} noValidate className="form-grid">
          <p className="muted span-all">A new project starts with a Development and a Production environment; add more later.</p>
          <Field path="key" label="Key" messages={errorsFor(errors, 'key')}>
            {(p) => <input {...p} value={values.key} placeholder="pipelines" onChange={(e) => form.set('key', e.target.value)} />}
          </Field>
          <Field path="name" label="Name" messages={errorsFor(errors, 'name')}>
            {(p) => <input {...p} value={values.name} placeholder="Data pipelines" onChange={(e) => form.set('name', e.target.value)} />}
          </Field>
          <Field path="description" label="Description" messages={errorsFor(errors, 'description')} className="span-all">
            {(p) => <textarea {...p} rows={2} value={values.description} onChange={(e) => form.set('description', e.target.value)} />}
          </Field>
          <FormActions error={form.formError} onCancel={onClose} submitLabel="Create project" submitting={form.submitting} />
        </form>
      )}
    </Dialog>
  );
};
