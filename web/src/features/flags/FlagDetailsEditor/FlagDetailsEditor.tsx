import type { FormEvent } from 'react';
import type { FlagView } from '../../../api/flags';
import { Field } from '../../../components/common/Field';
import { errorsFor } from '../../../components/common/fieldErrors';
import { SaveBar } from '../../../components/common/SaveBar';
import { UnsavedChangesGuard } from '../../../components/common/UnsavedChangesGuard';
import { VersionNotices } from '../ConflictPanel/ConflictPanel';
import { toDetailsDraft } from '../flagDetails';
import { VariantsEditor } from '../VariantsEditor/VariantsEditor';
import { useFlagDetailsForm } from './useFlagDetailsForm';

/** Edits what a flag is, in every environment: its name, description, owner, tags and variants (editors and admins). */
export const FlagDetailsEditor = ({ project, flag }: { project: string; flag: FlagView }) => {
  const form = useFlagDetailsForm(project, flag);
  const { draft, errors } = form;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit();
  };
  return (
    <form className="flag-details" onSubmit={onSubmit} aria-label="Flag details" noValidate>
      <VersionNotices form={form} editable={toDetailsDraft} />
      <UnsavedChangesGuard when={form.dirty} onDiscard={form.recovery.forget} />

      <section className="card section">
        <h3>Details</h3>
        <div className="form-grid">
          <Field path="name" label="Name" messages={errorsFor(errors, 'name')}>
            {(p) => <input {...p} value={draft.name} onChange={(e) => form.update((d) => ({ ...d, name: e.target.value }))} />}
          </Field>
          <Field path="owner" label="Owner" messages={errorsFor(errors, 'owner')}>
            {(p) => <input {...p} value={draft.owner} placeholder="data-platform" onChange={(e) => form.update((d) => ({ ...d, owner: e.target.value }))} />}
          </Field>
          <Field path="tags" label="Tags (comma-separated)" messages={errorsFor(errors, 'tags')} className="span-all">
            {(p) => <input {...p} value={draft.tags} placeholder="etl, gpu" onChange={(e) => form.update((d) => ({ ...d, tags: e.target.value }))} />}
          </Field>
          <Field path="description" label="Description" messages={errorsFor(errors, 'description')} className="span-all">
            {(p) => <textarea {...p} rows={2} value={draft.description} onChange={(e) => form.update((d) => ({ ...d, description: e.target.value }))} />}
          </Field>
        </div>
      </section>

      <section className="card section">
        <VariantsEditor
          kind={flag.kind}
          variants={draft.variants}
          errors={errors}
          detailed
          hint={`Values are of the flag's kind (${flag.kind}). The server refuses to rename or remove a variant that a rule, a target or another flag still uses.`}
          onChange={(variants) => form.update((d) => ({ ...d, variants }))}
        />
      </section>

      <SaveBar form={form} reasonLabel="Reason (optional)" saveLabel="Save details" />
    </form>
  );
};
