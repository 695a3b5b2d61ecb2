import type { FormEvent } from 'react';
import type { FlagView } from '../../../api/flags';
import { Field } from '../../../components/common/Field';
import { FieldMessage } from '../../../components/common/FieldMessage';
import { errorsFor } from '../../../components/common/fieldErrors';
import { ErrorState } from '../../../components/common/StateViews';
import type { GuardMetricNote } from '../../../api/rollouts';
import type { MetricOption } from '../guardMetricChoices';
import type { GuardsDraft } from '../planDraft';
import { ChangeRequestNotice } from '../../changeRequests/ChangeRequestNotice/ChangeRequestNotice';
import { useNewPlanForm } from './useNewPlanForm';

const METRIC_FIELDS = new Set<keyof GuardsDraft>(['errorMetric', 'latencyMetric']);
const isMetricField = (name: keyof GuardsDraft): name is 'errorMetric' | 'latencyMetric' => METRIC_FIELDS.has(name);

const GUARD_FIELDS: Array<{ name: keyof GuardsDraft; label: string; placeholder: string }> = [
  { name: 'errorMetric', label: 'Error metric (its counts are the samples)', placeholder: 'model.latency_ms' },
  { name: 'maxErrorRateRatio', label: 'Error rate at most × control', placeholder: '2' },
  { name: 'errorRateAllowance', label: '… plus (absolute)', placeholder: '0.005' },
  { name: 'latencyMetric', label: 'Latency metric', placeholder: 'model.latency_ms' },
  { name: 'maxLatencyRatio', label: 'p95 at most × control', placeholder: '1.5' },
  { name: 'minSamples', label: 'Samples before judging', placeholder: '50' },
];

/** A metric name: one the flag's SDKs reported (a native combobox), or any name typed in. */
const MetricInput = ({
  inputProps,
  name,
  value,
  placeholder,
  options,
  warning,
  onChange,
}: {
  inputProps: Record<string, unknown>;
  name: 'errorMetric' | 'latencyMetric';
  value: string;
  placeholder: string;
  options: MetricOption[];
  warning: string | null;
  onChange: (value: string) => void;
}) => {
  const listId = `reported-metrics-${name}`;
  const warningId = `${listId}-warning`;
  const describedBy = [inputProps['aria-describedby'], warning ? warningId : null].filter(Boolean).join(' ') || undefined;
  return (
    <>
      <input
        {...inputProps}
        aria-describedby={describedBy}
        list={listId}
        autoComplete="off"
        value={value}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
      />
      <datalist id={listId} data-testid={listId}>
        {options.map((o) => (
          <option key={o.metric} value={o.metric} label={o.label} />
        ))}
      </datalist>
      {warning && (
        <p className="small warn" id={warningId} role="status">
          {warning}
        </p>
      )}
    </>
  );
};

/** The guard metrics the server chose for this flag, and plainly, which have no data yet. */
const GuardMetricsSummary = ({ notes }: { notes: GuardMetricNote[] }) => {
  if (notes.length === 0) return null;
  const [error, latency] = notes;
  const warnings = [...new Set(notes.flatMap((n) => (n.warning ? [n.warning] : [])))];
  return (
    <div className="small" aria-label="Guard metrics">
      <p className="muted">
        Guards count samples and errors of <code>{error?.metric}</code> ({error?.why}) and compare p95 of <code>{latency?.metric}</code> ({latency?.why}).
      </p>
      {warnings.length > 0 && (
        <div className="notice" role="status">
          {warnings.map((w) => (
            <p key={w}>{w}</p>
          ))}
        </div>
      )}
    </div>
  );
};

/** Starts a rollout plan: the server's default stages and guards, or the user's own. */
export const NewPlanForm = ({
  project,
  flag,
  environment,
  approval,
}: {
  project: string;
  flag: FlagView;
  environment: string;
  /** Set when the environment requires approval: starting the plan makes a change request. */
  approval?: { environmentName: string; requiredApprovals: number };
}) => {
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
          {approval ? 'Request rollout plan' : 'Start rollout plan'}
        </button>
        <label className="checkbox-inline">
          <input type="checkbox" checked={draft.customized} disabled={!form.canCustomize} onChange={(e) => form.customize(e.target.checked)} />
          Customize stages and guards
        </label>
      </div>
      {!draft.customized && <p className="muted small">Default stages 1%, 5%, 10%, 25%, 50%, 100%; rolls back by itself when a guard fails.</p>}
      {!draft.customized && <GuardMetricsSummary notes={form.guardMetrics} />}
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
                {(p) =>
                  isMetricField(name) ? (
                    <MetricInput
                      inputProps={p}
                      name={name}
                      value={draft.guards[name]}
                      placeholder={placeholder}
                      options={form.metricOptions(name)}
                      warning={form.metricWarning(name)}
                      onChange={(value) => form.setGuard(name, value)}
                    />
                  ) : (
                    <input {...p} value={draft.guards[name]} placeholder={placeholder} onChange={(e) => form.setGuard(name, e.target.value)} />
                  )
                }
              </Field>
            ))}
          </div>
        </>
      )}
      {approval && (
        <p className="muted small approval-hint">
          {approval.environmentName} requires approval: starting the plan creates a change request that needs {approval.requiredApprovals} approval
          {approval.requiredApprovals === 1 ? '' : 's'}; once applied, its stages advance and roll back without asking again.
        </p>
      )}
      {form.formError && (
        <p className="form-error" role="alert">
          {form.formError}
        </p>
      )}
      {form.requested && <ChangeRequestNotice request={form.requested} />}
    </form>
  );
};
