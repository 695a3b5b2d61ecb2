import type { FormEvent } from 'react';
import type { FlagKind } from '@signalbox/sdk/core';
import type { FlagView } from '../../../api/flags';
import { Dialog } from '../../../components/common/Dialog';
import { Field } from '../../../components/common/Field';
import { errorsFor } from '../../../components/common/fieldErrors';
import { VariantsEditor } from '../VariantsEditor/VariantsEditor';
import { useCreateFlagForm } from './useCreateFlagForm';
import { FormActions } from '../../../components/common/FormActions';

export const CreateFlagDialog = ({ project, onClose, onCreated }: { project: string; onClose: () => void; onCreated: (flag: FlagView) => void }) => {
  const form = useCreateFlagForm(project, onCreated);
  const { values, errors } = form;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit();
  };
  return (
    <Dialog title="New flag" onClose={onClose} dirty={form.dirty}>
      <form onSubmit={submit} noValidate className="form-grid">
        <Field path="key" label="Key" messages={errorsFor(errors, 'key')}>
          {(p) => <input {...p} value={values.key} placeholder="etl.use-new-transformer" onChange={(e) => form.set('key', e.target.value)} />}
        </Field>
        <Field path="name" label="Name" messages={errorsFor(errors, 'name')}>
          {(p) => <input {...p} value={values.name} placeholder="Use the new transformer" onChange={(e) => form.set('name', e.target.value)} />}
        </Field>
        <Field path="kind" label="Kind" messages={errorsFor(errors, 'kind')}>
          {(p) => (
            <select {...p} value={values.kind} onChange={(e) => form.set('kind', e.target.value as FlagKind)}>
              <option value="boolean">boolean (on / off)</option>
              <option value="string">string (e.g. model versions)</option>
              <option value="number">number</option>
              <option value="json">json</option>
            </select>
          )}
        </Field>
        <Field path="owner" label="Owner" messages={errorsFor(errors, 'owner')}>
          {(p) => <input {...p} value={values.owner} placeholder="data-platform" onChange={(e) => form.set('owner', e.target.value)} />}
        </Field>
        <Field path="tags" label="Tags (comma-separated)" messages={errorsFor(errors, 'tags')}>
          {(p) => <input {...p} value={values.tags} placeholder="etl, gpu" onChange={(e) => form.set('tags', e.target.value)} />}
        </Field>
        <Field path="description" label="Description" messages={errorsFor(errors, 'description')}>
          {(p) => <textarea {...p} rows={2} value={values.description} onChange={(e) => form.set('description', e.target.value)} />}
        </Field>
        {values.kind !== 'boolean' && <VariantsEditor kind={values.kind} variants={form.variants} errors={errors} onChange={form.setVariants} />}
        <FormActions error={form.formError} onCancel={onClose} submitLabel="Create flag" submitting={form.submitting} />
      </form>
    </Dialog>
  );
};
