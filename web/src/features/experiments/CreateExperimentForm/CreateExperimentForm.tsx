import type { FormEvent } from 'react';
import type { Experiment, MetricType } from '../../../api/experiments';
import { useFlags } from '../../../api/flags';
import type { ProjectView } from '../../../api/projects';
import { Field } from '../../../components/common/Field';
import { describedBy, FieldMessage } from '../../../components/common/FieldMessage';
import { errorsFor } from '../../../components/common/fieldErrors';
import { useMetricCatalogue } from '../../../api/metrics';
import { GuardrailFields } from '../GuardrailFields/GuardrailFields';
import { MetricNameInput } from '../MetricNameInput/MetricNameInput';
import { metricNameWarning, ratioWarning, reportedNames, segmentWarning } from '../metricNames';
import { useExperimentForm } from './useExperimentForm';

export const CreateExperimentForm = ({
  project,
  environment,
  onCreated,
  onCancel,
}: {
  project: ProjectView;
  environment: string;
  onCreated: (experiment: Experiment) => void;
  onCancel: () => void;
}) => {
  const form = useExperimentForm(project.key, environment, onCreated);
  const flags = useFlags(project.key);
  const flagOptions = (flags.data ?? []).filter((f) => !f.archived && f.variants.length >= 2);
  const variants = flagOptions.find((f) => f.key === form.flag)?.variants ?? [];
  const err = (path: string) => errorsFor(form.errors, path);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit();
  };
  const rate = form.metricType === 'rate';
  // What the flag's SDKs reported in the last 7 days: names to pick from, and a warning (not a refusal) for any other.
  const catalogue = useMetricCatalogue(project.key, form.environment, { flag: form.flag || undefined });
  const names = form.flag && catalogue.data ? reportedNames(catalogue.data.metrics) : undefined;
  const segmentOptions = names ? (names.attributes.get(form.metricName.trim()) ?? [...new Set([...names.attributes.values()].flat())].sort()) : [];
  const numeratorOptions = names ? [...new Set([...names.numerators, ...names.metrics])] : [];
  const denominatorOptions = names ? [...new Set([...names.denominators, ...names.metrics])] : [];
  return (
    <form className="card section form-grid" onSubmit={submit} aria-labelledby="new-experiment" noValidate>
      <h2 id="new-experiment" style={{ gridColumn: '1 / -1' }}>
        New experiment
      </h2>
      <Field path="key" label="Key" messages={err('key')}>
        {(p) => <input {...p} value={form.key} maxLength={128} placeholder="checkout-v2-vs-v1" onChange={(e) => form.setKey(e.target.value)} />}
      </Field>
      <Field path="name" label="Name (optional)" messages={err('name')}>
        {(p) => <input {...p} value={form.name} maxLength={200} placeholder="Checkout model v2 vs v1" onChange={(e) => form.setName(e.target.value)} />}
      </Field>
      <Field path="flag" label="Flag" messages={err('flag')}>
        {(p) => (
          <select
            {...p}
            value={form.flag}
            onChange={(e) => form.setFlag(e.target.value, flagOptions.find((f) => f.key === e.target.value)?.variants.map((v) => v.key) ?? [])}
          >
            <option value="">pick a flag…</option>
            {flagOptions.map((f) => (
              <option key={f.key} value={f.key}>
                {f.key}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field path="environment" label="Environment" messages={err('environment')}>
        {(p) => (
          <select {...p} value={form.environment} onChange={(e) => form.setEnvironment(e.target.value)}>
            {project.environments.map((env) => (
              <option key={env.key} value={env.key}>
                {env.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field path="controlVariant" label="Control variant" messages={err('controlVariant')}>
        {(p) => (
          <select {...p} value={form.controlVariant} onChange={(e) => form.setControlVariant(e.target.value)} disabled={variants.length === 0}>
            <option value="">—</option>
            {variants.map((v) => (
              <option key={v.key} value={v.key}>
                {v.key}
              </option>
            ))}
          </select>
        )}
      </Field>
      <fieldset {...describedBy('treatmentVariants', err('treatmentVariants'))}>
        <legend className="field-label">Treatment variants</legend>
        <div className="checkbox-row">
          {variants.length === 0 && <span className="muted small">pick a flag first</span>}
          {variants
            .filter((v) => v.key !== form.controlVariant)
            .map((v) => (
              <label key={v.key}>
                <input type="checkbox" checked={form.treatmentVariants.includes(v.key)} onChange={(e) => form.toggleTreatment(v.key, e.target.checked)} />
                {v.key}
              </label>
            ))}
        </div>
        <FieldMessage path="treatmentVariants" messages={err('treatmentVariants')} />
      </fieldset>
      <Field path="primaryMetric.name" label="Primary metric" messages={err('primaryMetric.name')}>
        {(p) => (
          <MetricNameInput
            inputProps={p}
            listId="reported-metrics-primary"
            value={form.metricName}
            maxLength={200}
            placeholder="converted"
            options={names?.metrics ?? []}
            warning={form.metricType === 'ratio' ? null : metricNameWarning(form.metricName, names, form.flag)}
            onChange={form.setMetricName}
          />
        )}
      </Field>
      <div className="field-pair">
        <Field path="primaryMetric.type" label="Metric type" messages={err('primaryMetric.type')}>
          {(p) => (
            <select {...p} value={form.metricType} onChange={(e) => form.setMetricType(e.target.value as MetricType)}>
              <option value="rate">rate (0/1 values)</option>
              <option value="mean">mean (any number)</option>
              <option value="ratio">ratio (Σnumerator / Σdenominator, delta method)</option>
            </select>
          )}
        </Field>
        <Field path="primaryMetric.better" label="Better when it" messages={err('primaryMetric.better')}>
          {(p) => (
            <select {...p} value={form.better} onChange={(e) => form.setBetter(e.target.value as 'increase' | 'decrease')}>
              <option value="increase">increases</option>
              <option value="decrease">decreases</option>
            </select>
          )}
        </Field>
      </div>
      {form.metricType === 'ratio' ? (
        <div className="field-pair">
          <Field path="primaryMetric.numerator" label="Numerator metric (trackRatio)" messages={err('primaryMetric.numerator')}>
            {(p) => (
              <MetricNameInput
                inputProps={p}
                listId="reported-metrics-numerator"
                value={form.numerator}
                maxLength={100}
                placeholder="pipeline.errors"
                options={numeratorOptions}
                warning={null}
                onChange={form.setNumerator}
              />
            )}
          </Field>
          <Field path="primaryMetric.denominator" label="Denominator metric (trackRatio)" messages={err('primaryMetric.denominator')}>
            {(p) => (
              <MetricNameInput
                inputProps={p}
                listId="reported-metrics-denominator"
                value={form.denominator}
                maxLength={100}
                placeholder="pipeline.rows"
                options={denominatorOptions}
                warning={ratioWarning(form.numerator, form.denominator, names, form.flag)}
                onChange={form.setDenominator}
              />
            )}
          </Field>
        </div>
      ) : (
        <div className="field-pair">
          <div className="field">
            <label>
              <input type="checkbox" checked={form.cuped} onChange={(e) => form.setCuped(e.target.checked)} /> CUPED: adjust with the pre-exposure covariate the
              SDK sends (<code>{'{ covariate }'}</code>)
            </label>
            <FieldMessage path="cuped" messages={err('cuped')} />
          </div>
          <Field path="segmentBy" label="Results by attribute (optional, SDK segmentBy)" messages={err('segmentBy')}>
            {(p) => (
              <MetricNameInput
                inputProps={p}
                listId="reported-segment-attributes"
                value={form.segmentBy}
                maxLength={64}
                placeholder="region"
                options={segmentOptions}
                warning={segmentWarning(form.segmentBy, form.metricName, names, form.flag)}
                onChange={form.setSegmentBy}
              />
            )}
          </Field>
        </div>
      )}
      <GuardrailFields
        className="span-all"
        style={{ gridColumn: '1 / -1' }}
        legend="Guardrail metrics (optional: must not get significantly worse)"
        rows={form.guardrails}
        messages={err}
        onChange={form.setGuardrail}
        onRemove={form.removeGuardrail}
        onAdd={form.addGuardrail}
        renderName={({ index, ...input }) => (
          <MetricNameInput
            {...input}
            listId={`reported-metrics-guardrail-${index}`}
            options={names?.metrics ?? []}
            warning={metricNameWarning(input.value, names, form.flag)}
            onChange={(name) => {
              // A reported name says what it is: 0/1 values are a rate, anything else a mean.
              const values = names?.carriesValues.get(name.trim());
              form.setGuardrail(index, values === undefined ? { name } : { name, type: values ? 'mean' : 'rate' });
            }}
          />
        )}
      />
      <div className="field-pair">
        <Field path="alpha" label="Alpha" messages={err('alpha')}>
          {(p) => <input {...p} inputMode="decimal" value={form.alpha} onChange={(e) => form.setAlpha(e.target.value)} />}
        </Field>
        <Field path="power" label="Power" messages={err('power')}>
          {(p) => <input {...p} inputMode="decimal" value={form.power} onChange={(e) => form.setPower(e.target.value)} />}
        </Field>
      </div>
      <Field
        path="analysis"
        label="Decide by (sequential stays valid however often you look; fixed horizon only at the sample size)"
        messages={err('analysis')}
      >
        {(p) => (
          <select {...p} value={form.analysis} onChange={(e) => form.setAnalysis(e.target.value as 'sequential' | 'fixed-horizon')}>
            <option value="sequential">sequential (safe to peek)</option>
            <option value="fixed-horizon">fixed horizon</option>
          </select>
        )}
      </Field>
      <div className="field-pair">
        <Field path="maxDurationHours" label="Conclude after (hours, optional)" messages={err('maxDurationHours')}>
          {(p) => <input {...p} inputMode="decimal" value={form.maxDuration} placeholder="168" onChange={(e) => form.setMaxDuration(e.target.value)} />}
        </Field>
        <div className="field">
          <label>
            <input type="checkbox" checked={form.autoRollback} onChange={(e) => form.setAutoRollback(e.target.checked)} /> Roll back on its own when a guardrail
            is significantly worse
          </label>
        </div>
      </div>
      <div className="field-pair">
        <Field
          path="minimumDetectableEffect"
          label={rate ? 'Minimum detectable effect (absolute, 0.02 = 2 pp)' : 'Minimum detectable effect (metric unit)'}
          messages={err('minimumDetectableEffect')}
        >
          {(p) => <input {...p} inputMode="decimal" value={form.mde} placeholder={rate ? '0.02' : '5'} onChange={(e) => form.setMde(e.target.value)} />}
        </Field>
        <Field
          path={rate ? 'baselineRate' : 'assumedStdDev'}
          label={rate ? 'Baseline rate (optional)' : 'Assumed std. deviation (optional)'}
          messages={err(rate ? 'baselineRate' : 'assumedStdDev')}
        >
          {(p) => (
            <input
              {...p}
              inputMode="decimal"
              value={form.baseline}
              placeholder={rate ? 'observed control rate' : 'observed'}
              onChange={(e) => form.setBaseline(e.target.value)}
            />
          )}
        </Field>
      </div>
      {err('form').length > 0 && (
        <p className="form-error" role="alert" style={{ gridColumn: '1 / -1' }}>
          {err('form').join('; ')}
        </p>
      )}
      <div className="dialog-actions" style={{ gridColumn: '1 / -1' }}>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={form.pending}>
          {form.pending ? 'Starting…' : 'Start experiment'}
        </button>
      </div>
    </form>
  );
};
