import type { FormEvent } from 'react';
import type { FlagKind, FlagView } from '../../../api/types';
import { Dialog } from '../../../components/common/Dialog';
import { describedBy, FieldMessage } from '../../../components/common/FieldMessage';
import { errorsFor, fieldId } from '../../../components/common/fieldErrors';
import { useCreateFlagForm } from './useCreateFlagForm';

const Field = ({
  path,
  label,
  messages,
  children,
}: {
  path: string;
  label: string;
  messages: string[];
  children: (props: Record<string, unknown>) => React.ReactNode;
}) => (
  <div className="field">
    <label htmlFor={fieldId(path)}>{label}</label>
    {children({ id: fieldId(path), ...describedBy(path, messages) })}
    <FieldMessage path={path} messages={messages} />
  </div>
);

export const CreateFlagDialog = ({ project, onClose, onCreated }: { project: string; onClose: () => void; onCreated: (flag: FlagView) => void }) => {
  const form = useCreateFlagForm(project, onCreated);
  const { values, errors } = form;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit();
  };
  return (
    <Dialog title="New flag" onClose={onClose}>
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
        {values.kind !== 'boolean' && (
          <fieldset className="variants-editor">
            <legend>Variants</legend>
            {form.variants.map((variant, i) => (
              <div key={i} className="variant-row">
                <input
                  aria-label={`Variant ${i + 1} key`}
                  value={variant.key}
                  onChange={(e) => form.setVariants((list) => list.map((v, j) => (j === i ? { ...v, key: e.target.value } : v)))}
                  {...describedBy(`variants[${i}].key`, errorsFor(errors, `variants[${i}].key`))}
                />
                <input
                  aria-label={`Variant ${i + 1} value`}
                  placeholder={values.kind === 'json' ? '{"model": "v2"}' : 'value'}
                  value={variant.value}
                  onChange={(e) => form.setVariants((list) => list.map((v, j) => (j === i ? { ...v, value: e.target.value } : v)))}
                  {...describedBy(`variants[${i}].value`, errorsFor(errors, `variants[${i}].value`))}
                />
                <button type="button" className="btn-icon" aria-label={`Remove variant ${i + 1}`} onClick={() => form.setVariants((list) => list.filter((_, j) => j !== i))}>
                  ×
                </button>
                <FieldMessage path={`variants[${i}].key`} messages={errorsFor(errors, `variants[${i}].key`)} />
                <FieldMessage path={`variants[${i}].value`} messages={errorsFor(errors, `variants[${i}].value`)} />
              </div>
            ))}
            <button type="button" className="btn btn-small btn-ghost" onClick={() => form.setVariants((list) => [...list, { key: `v${list.length + 1}`, value: '' }])}>
              + Variant
            </button>
          </fieldset>
        )}
        {form.formError && (
          <p className="form-error" role="alert">
            {form.formError}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={form.submitting}>
            Create flag
          </button>
        </div>
      </form>
    </Dialog>
  );
};
