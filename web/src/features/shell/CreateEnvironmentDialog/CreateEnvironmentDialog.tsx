import type { FormEvent } from 'react';
import type { CreatedEnvironment } from '../../../api/projects';
import { Dialog } from '../../../components/common/Dialog';
import { Field } from '../../../components/common/Field';
import { errorsFor } from '../../../components/common/fieldErrors';
import { SdkKeysOnce } from '../../../components/common/SdkKeysOnce';
import { useCreateEnvironmentForm } from './useCreateEnvironmentForm';
import { FormActions } from '../../../components/common/FormActions';

/** Adds an environment to a project (admins); then shows its SDK key, which the server reveals only once. */
export const CreateEnvironmentDialog = ({
  project,
  onCreated,
  onClose,
}: {
  project: { key: string; name: string };
  onCreated: (created: CreatedEnvironment) => void;
  onClose: () => void;
}) => {
  const form = useCreateEnvironmentForm(project.key, onCreated);
  const { values, errors, created } = form;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit();
  };
  return (
    <Dialog title={created ? `Created ${created.environment.name}` : `New environment in ${project.name}`} onClose={onClose} dirty={form.dirty}>
      {created ? (
        <SdkKeysOnce keys={[{ environment: created.environment.name, sdkKey: created.sdkKey }]} onDone={onClose} />
      ) : (
        <form onSubmit={submit} noValidate className="form-grid">
          <p className="muted span-all">Every flag is off in a new environment until you configure it there.</p>
          <Field path="key" label="Key" messages={errorsFor(errors, 'key')}>
            {(p) => <input {...p} value={values.key} placeholder="staging" onChange={(e) => form.set('key', e.target.value)} />}
          </Field>
          <Field path="name" label="Name" messages={errorsFor(errors, 'name')}>
            {(p) => <input {...p} value={values.name} placeholder="Staging" onChange={(e) => form.set('name', e.target.value)} />}
          </Field>
          <label className="checkbox-inline span-all">
            <input type="checkbox" checked={values.requireChangeReason} onChange={(e) => form.set('requireChangeReason', e.target.checked)} />
            Every change here must give a reason
          </label>
          <FormActions error={form.formError} onCancel={onClose} submitLabel="Create environment" submitting={form.submitting} />
        </form>
      )}
    </Dialog>
  );
};
