import type { FormEvent } from 'react';
import type { AttributeClause } from '@signalbox/sdk/core';
import type { ChangeRequest } from '../../../api/changeRequests';
import type { SegmentView } from '../../../api/segments';
import { Field } from '../../../components/common/Field';
import { errorsFor } from '../../../components/common/fieldErrors';
import { UnsavedChangesGuard } from '../../../components/common/UnsavedChangesGuard';
import { AttributeSuggestions, ClauseEditor } from '../../flags/ClauseEditor/ClauseEditor';
import { useSegmentForm } from './useSegmentForm';

export const SegmentEditor = ({
  project,
  segment,
  readOnly,
  onSaved,
  onRequested,
  onCancel,
}: {
  project: string;
  segment: SegmentView | null;
  readOnly: boolean;
  onSaved: (segment: SegmentView) => void;
  /** The save became a change request (the segment is used in an environment that requires approval). */
  onRequested: (request: ChangeRequest) => void;
  onCancel: () => void;
}) => {
  const form = useSegmentForm(project, segment, onSaved, onRequested);
  const { errors } = form;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit();
  };
  return (
    <form className="card section segment-editor" onSubmit={submit} aria-label={form.isNew ? 'New segment' : `Segment ${form.key}`} noValidate>
      <AttributeSuggestions />
      <UnsavedChangesGuard when={form.dirty && !readOnly && !form.saving} />
      <fieldset disabled={readOnly} className="plain">
        <div className="form-grid">
          <Field path="key" label="Key" messages={errorsFor(errors, 'key')}>
            {(p) => <input {...p} value={form.key} disabled={!form.isNew} onChange={(e) => form.setKey(e.target.value)} />}
          </Field>
          <Field path="name" label="Name" messages={errorsFor(errors, 'name')}>
            {(p) => <input {...p} value={form.name} onChange={(e) => form.setName(e.target.value)} />}
          </Field>
          <Field path="description" label="Description" messages={errorsFor(errors, 'description')} className="span-2">
            {(p) => <input {...p} value={form.description} onChange={(e) => form.setDescription(e.target.value)} />}
          </Field>
          <Field path="included" label="Always in (targetingKeys)" messages={errorsFor(errors, 'included')}>
            {(p) => <textarea {...p} rows={2} value={form.included} onChange={(e) => form.setIncluded(e.target.value)} />}
          </Field>
          <Field path="excluded" label="Always out (targetingKeys)" messages={errorsFor(errors, 'excluded')}>
            {(p) => <textarea {...p} rows={2} value={form.excluded} onChange={(e) => form.setExcluded(e.target.value)} />}
          </Field>
        </div>
        <h3>Rules</h3>
        <p className="muted">A context matching any rule is in the segment (conditions in a rule are ANDed).</p>
        {form.rules.map((rule, r) => (
          <div key={r} className="rule card">
            <div className="rule-header">
              <span className="rule-index">{r + 1}</span>
              <span className="grow" />
              {!readOnly && (
                <button
                  type="button"
                  className="btn btn-small btn-ghost danger"
                  aria-label={`Remove segment rule ${r + 1}`}
                  onClick={() => form.setRules((l) => l.filter((_, i) => i !== r))}
                >
                  Remove
                </button>
              )}
            </div>
            {rule.clauses.map((clause, c) => (
              <div key={c} className="clause-line">
                <span className="clause-keyword">{c === 0 ? 'If' : 'and'}</span>
                <ClauseEditor
                  clause={clause}
                  path={`rules[${r}].clauses[${c}]`}
                  label={`Segment rule ${r + 1} condition ${c + 1}`}
                  errors={errors}
                  onChange={(next) => form.setClause(r, c, next as AttributeClause)}
                  onRemove={
                    rule.clauses.length > 1 && !readOnly
                      ? () => form.setRules((l) => l.map((x, i) => (i === r ? { clauses: x.clauses.filter((_, j) => j !== c) } : x)))
                      : undefined
                  }
                />
              </div>
            ))}
            {!readOnly && (
              <button
                type="button"
                className="btn btn-small btn-ghost"
                onClick={() => form.setRules((l) => l.map((x, i) => (i === r ? { clauses: [...x.clauses, { attribute: '', op: 'in', values: [] }] } : x)))}
              >
                + Condition
              </button>
            )}
          </div>
        ))}
        {!readOnly && (
          <button type="button" className="btn" onClick={() => form.setRules((l) => [...l, { clauses: [{ attribute: '', op: 'in', values: [] }] }])}>
            + Add rule
          </button>
        )}
      </fieldset>
      {form.formError && (
        <p className="form-error" role="alert">
          {form.formError}
        </p>
      )}
      <div className="actions">
        <button type="button" className="btn" onClick={onCancel}>
          {readOnly ? 'Close' : 'Cancel'}
        </button>
        {!readOnly && (
          <button type="submit" className="btn btn-primary" disabled={form.saving}>
            {form.isNew ? 'Create segment' : 'Save segment'}
          </button>
        )}
      </div>
    </form>
  );
};
