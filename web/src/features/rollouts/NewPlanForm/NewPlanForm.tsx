import type { FormEvent } from 'react';
import type { FlagView } from '../../../api/flags';
import { Field } from '../../../components/common/Field';
import { FieldMessage } from '../../../components/common/FieldMessage';
import { errorsFor } from '../../../components/common/fieldErrors';
import { ErrorState } from '../../../components/common/StateViews';
import type { GuardsDraft } from '../planDraft';
import { useNewPlanForm } from './useNewPlanForm';

const GUARD_FIELDS: Array<{ name: keyof GuardsDraft; label: string; placeholder: string }> = [
  { name: 'errorMetric', label: 'Error metric (its counts are the samples)', placeholder: 'model.latency_ms' },
  { name: 'maxErrorRateRatio', label: 'Error rate at most × control', placeholder: '2' },
  { name: 'errorRateAllowance', label: '… plus (absolute)', placeholder: '0.005' },
  { name: 'latencyMetric', label: 'Latency metric', placeholder: 'model.latency_ms' },
  { name: 'maxLatencyRatio', label: 'p95 at most × control', placeholder: '1.5' },
  { name: 'minSamples', label: 'Samples before judging', placeholder: '50' },
];

/** Starts a rollout plan: the server's default stages and guards, or the user's own. */
export const NewPlanForm = ({ project, flag, environment }: { project: string; flag: FlagView; environment: string }) => {
  const form = useNewPlanForm(project, flag, environment);
  const { draft, errors } = form;
  const keys = flag.variants.map((v) => v.key);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit();
  };
  return (
    <form className="card section" onSubmit={submit} aria-label="New rollout plan" noValidate>
      <div className="toolbar">
        <Field path="candidateVariant" label="Roll out" messages={errorsFor(errors, 'candidateVariant')}>
          {(p) => (
            <select {...p} value={draft.candidateVariant} onChange={(e) => form.set({ candidateVariant: e.target.value })}>
              {keys.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          )}
        </Field>
        <Field path="controlVariant" label="replacing" messages={errorsFor(errors, 'controlVariant')}>
          {(p) => (
            <select {...p} value={draft.controlVariant} onChange={(e) => form.set({ controlVariant: e.target.value })}>
              {keys.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" className="btn btn-primary" disabled={form.submitting}>
          Start rollout plan
        </button>
        <label className="checkbox-inline">
          <input type="checkbox" checked={draft.customized} disabled={!form.canCustomize} onChange={(e) => form.customize(e.target.checked)} />
          Customize stages and guards
        </label>
      </div>
      {!draft.customized && <p className="muted small">Default stages 1%, 5%, 10%, 25%, 50%, 100%; rolls back by itself when a guard fails.</p>}
      {form.defaultsError && <ErrorState error={form.defaultsError} />}
      {draft.customized && (
        <>
          <div className="table-wrap">
            <table className="table" aria-label="Stages">
              <thead>
                <tr>
                  <th scope="col">Candidate %</th>
                  <th scope="col">At least (minutes)</th>
                  <th scope="col">And samples</th>
                  <th scope="col">
                    <span className="visually-hidden">Remove</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {draft.stages.map((stage, i) => (
                  <tr key={i}>
                    {(['percent', 'minDurationMinutes', 'minSamples'] as const).map((name) => (
                      <td key={name}>
                        <input
                          aria-label={`Stage ${i + 1} ${name === 'percent' ? 'percent' : name === 'minDurationMinutes' ? 'minutes' : 'samples'}`}
                          inputMode="decimal"
                          value={stage[name]}
                          onChange={(e) => form.setStage(i, { [name]: e.target.value })}
                        />
                        <FieldMessage path={`stages[${i}].${name}`} messages={errorsFor(errors, `stages[${i}].${name}`)} />
                      </td>
                    ))}
                    <td>
                      <button type="button" className="btn btn-small" onClick={() => form.removeStage(i)} aria-label={`Remove stage ${i + 1}`}>
                        Remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <FieldMessage path="stages" messages={errorsFor(errors, 'stages')} />
          <button type="button" className="btn btn-small add-stage" onClick={form.addStage}>
            Add stage
          </button>
          <div className="form-grid">
            {GUARD_FIELDS.map(({ name, label, placeholder }) => (
              <Field key={name} path={`guards.${name}`} label={label} messages={errorsFor(errors, `guards.${name}`)}>
                {(p) => <input {...p} value={draft.guards[name]} placeholder={placeholder} onChange={(e) => form.setGuard(name, e.target.value)} />}
              </Field>
            ))}
          </div>
        </>
      )}
      {form.formError && (
        <p className="form-error" role="alert">
          {form.formError}
        </p>
      )}
    </form>
  );
};
