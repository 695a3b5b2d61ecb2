import { type FormEvent, useState } from 'react';
import { ApiError, errorMessage } from '../../../api/client';
import type { Experiment, ExperimentChanges } from '../../../api/experiments';
import { Dialog } from '../../../components/common/Dialog';
import { Field } from '../../../components/common/Field';
import { FieldMessage } from '../../../components/common/FieldMessage';
import { type FieldErrors, toFieldErrors } from '../../../components/common/fieldErrors';
import { FormActions } from '../../../components/common/FormActions';
import { type GuardrailDraft, GuardrailFields, newGuardrail } from '../GuardrailFields/GuardrailFields';

type Method = Experiment['analysis'];

const sameGuardrails = (a: GuardrailDraft[], b: GuardrailDraft[]) =>
  a.length === b.length && a.every((g, i) => g.name === b[i]!.name && g.type === b[i]!.type && g.better === b[i]!.better);

/** The settings of a running experiment that may change, with the reason the audit log keeps. */
export const SettingsDialog = ({
  experiment,
  onSubmit,
  onClose,
}: {
  experiment: Experiment;
  onSubmit: (changes: ExperimentChanges) => Promise<unknown>;
  onClose: () => void;
}) => {
  const initial = {
    mde: String(experiment.minimumDetectableEffect),
    alpha: String(experiment.alpha),
    power: String(experiment.power),
    analysis: experiment.analysis,
    maxDuration: experiment.maxDurationHours === null ? '' : String(experiment.maxDurationHours),
    autoRollback: experiment.autoRollback,
    cuped: experiment.cuped,
  };
  // Guardrails are never ratios (the server refuses one), so a row is a rate or a mean.
  const initialGuardrails: GuardrailDraft[] = experiment.guardrailMetrics.map((g) => ({
    name: g.name,
    type: g.type === 'rate' ? 'rate' : 'mean',
    better: g.better,
  }));
  const [form, setForm] = useState(initial);
  const [guardrails, setGuardrails] = useState(initialGuardrails);
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [submitting, setSubmitting] = useState(false);
  const set = <K extends keyof typeof initial>(key: K, value: (typeof initial)[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    // A field's message goes as soon as the field changes.
    setErrors((e) => ({ ...e, [fieldOf[key] ?? key]: [] }));
  };
  const setGuardrail = (index: number, change: Partial<GuardrailDraft>) => {
    setGuardrails((rows) => rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([field]) => !field.startsWith(`guardrailMetrics[${index}]`))));
  };
  // Removing a row renumbers the rest: their messages no longer point at the right row.
  const removeGuardrail = (index: number) => {
    setGuardrails((rows) => rows.filter((_, i) => i !== index));
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([field]) => !field.startsWith('guardrailMetrics'))));
  };
  const addGuardrail = () => setGuardrails((rows) => [...rows, newGuardrail()]);
  const guardrailMetrics = guardrails.filter((g) => g.name.trim() !== '').map((g) => ({ ...g, name: g.name.trim() }));
  const guardrailsChanged = !sameGuardrails(guardrailMetrics, initialGuardrails);
  const dirty =
    reason.trim() !== '' ||
    guardrails.length !== initialGuardrails.length ||
    guardrailsChanged ||
    (Object.keys(initial) as Array<keyof typeof initial>).some((k) => form[k] !== initial[k]);

  const handle = async (e: FormEvent) => {
    e.preventDefault();
    const local: FieldErrors = {};
    const number = (text: string, field: string) => {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value)) local[field] = ['a number'];
      return value;
    };
    const changes: ExperimentChanges = {
      minimumDetectableEffect: number(form.mde, 'minimumDetectableEffect'),
      alpha: number(form.alpha, 'alpha'),
      power: number(form.power, 'power'),
      analysis: form.analysis,
      maxDurationHours: form.maxDuration.trim() === '' ? null : number(form.maxDuration, 'maxDurationHours'),
      autoRollback: form.autoRollback,
      // Sent only when changed: a ratio experiment, which cannot have CUPED, never sends it.
      ...(form.cuped !== initial.cuped ? { cuped: form.cuped } : {}),
      // Sent only when changed too: the list replaces the experiment's guardrails.
      ...(guardrailsChanged ? { guardrailMetrics } : {}),
      reason: reason.trim(),
    };
    if (changes.reason === '') local.reason = ['say why the settings change (kept in the audit log)'];
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    setSubmitting(true);
    try {
      await onSubmit(changes);
      onClose();
    } catch (err) {
      setErrors(err instanceof ApiError && err.fieldErrors.length > 0 ? toFieldErrors(err.fieldErrors) : { form: [errorMessage(err)] });
    } finally {
      setSubmitting(false);
    }
  };
  const err = (field: string) => errors[field] ?? [];

  return (
    <Dialog title={`Settings of ${experiment.key}`} onClose={onClose} dirty={dirty}>
      <form onSubmit={(e) => void handle(e)} noValidate>
        <div className="field-pair">
          <Field path="minimumDetectableEffect" label="Minimum detectable effect" messages={err('minimumDetectableEffect')}>
            {(p) => <input {...p} inputMode="decimal" value={form.mde} onChange={(e) => set('mde', e.target.value)} />}
          </Field>
          <Field path="analysis" label="Decide by" messages={err('analysis')}>
            {(p) => (
              <select {...p} value={form.analysis} onChange={(e) => set('analysis', e.target.value as Method)}>
                <option value="sequential">sequential (safe to peek)</option>
                <option value="fixed-horizon">fixed horizon</option>
              </select>
            )}
          </Field>
        </div>
        <div className="field-pair">
          <Field path="alpha" label="Alpha" messages={err('alpha')}>
            {(p) => <input {...p} inputMode="decimal" value={form.alpha} onChange={(e) => set('alpha', e.target.value)} />}
          </Field>
          <Field path="power" label="Power" messages={err('power')}>
            {(p) => <input {...p} inputMode="decimal" value={form.power} onChange={(e) => set('power', e.target.value)} />}
          </Field>
        </div>
        <div className="field-pair">
          <Field path="maxDurationHours" label="Conclude after (hours; empty: never)" messages={err('maxDurationHours')}>
            {(p) => <input {...p} inputMode="decimal" value={form.maxDuration} onChange={(e) => set('maxDuration', e.target.value)} />}
          </Field>
          <div className="field">
            <label>
              <input type="checkbox" checked={form.autoRollback} onChange={(e) => set('autoRollback', e.target.checked)} /> Roll back on its own when a
              guardrail is significantly worse
            </label>
          </div>
        </div>
        <GuardrailFields
          legend="Guardrail metrics (must not get significantly worse)"
          rows={guardrails}
          messages={err}
          onChange={setGuardrail}
          onRemove={removeGuardrail}
          onAdd={addGuardrail}
          empty={<p className="muted small">None.</p>}
        />
        {experiment.primaryMetric.type !== 'ratio' && (
          <div className="field">
            <label>
              <input type="checkbox" checked={form.cuped} onChange={(e) => set('cuped', e.target.checked)} /> CUPED: also report figures adjusted by the
              pre-exposure covariate the SDK sends
            </label>
            <FieldMessage path="cuped" messages={err('cuped')} />
          </div>
        )}
        <Field path="reason" label="Reason (kept in the audit log)" messages={err('reason')}>
          {(p) => (
            <textarea
              {...p}
              rows={2}
              maxLength={1000}
              value={reason}
              onChange={(e) => {
                setReason(e.target.value);
                setErrors((x) => ({ ...x, reason: [] }));
              }}
            />
          )}
        </Field>
        <FormActions error={errors.form?.[0] ?? null} onCancel={onClose} submitLabel="Save settings" submitting={submitting} />
      </form>
    </Dialog>
  );
};

const fieldOf: Record<string, string | undefined> = {
  mde: 'minimumDetectableEffect',
  alpha: 'alpha',
  power: 'power',
  analysis: 'analysis',
  maxDuration: 'maxDurationHours',
  autoRollback: 'autoRollback',
  cuped: 'cuped',
};
