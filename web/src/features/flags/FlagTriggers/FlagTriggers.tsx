import { type FormEvent, useState } from 'react';
import { errorMessage } from '../../../api/client';
import { type IssuedTrigger, useDeleteTrigger, useRotateTrigger, useSetTriggerEnabled, useTriggers } from '../../../api/triggers';
import type { EnvironmentView } from '../../../api/projects';
import { Badge } from '../../../components/common/Badge';
import { CopySecret } from '../../../components/common/CopySecret';
import { Field } from '../../../components/common/Field';
import { errorsFor } from '../../../components/common/fieldErrors';
import { formatRelative } from '../../../components/common/format';
import { ActionsColumnHeader, DeleteButton, EnableButton } from '../../../components/common/RowButtons';
import { EmptyState, QueryView } from '../../../components/common/StateViews';
import { describeEffect, EFFECT_CHOICES, type TriggerEffectType, undoLabel } from './triggerEffect';
import { useTriggerForm } from './useTriggerForm';

/**
 * Trigger URLs: an alerting tool POSTs to one to change the flag in this environment in the one way
 * chosen at creation (kill it, turn it off, serve a variant, ...). The URL carries the secret, so
 * the server shows it once, on creation and on rotation.
 */
export const FlagTriggers = ({
  project,
  flag,
  environment,
  variants = [],
}: {
  project: string;
  flag: string;
  environment: EnvironmentView;
  /** The flag's variant keys, for effects that serve one. */
  variants?: string[];
}) => {
  const [issued, setIssued] = useState<{ label: string; url: string } | null>(null);
  const triggers = useTriggers(project, flag, environment.key);
  const rotate = useRotateTrigger(project, flag, environment.key);
  const setEnabled = useSetTriggerEnabled(project, flag, environment.key);
  const remove = useDeleteTrigger(project, flag, environment.key);
  const form = useTriggerForm(project, flag, environment.key, (result: IssuedTrigger) =>
    setIssued({ label: `Trigger URL for ${result.trigger.name}`, url: result.url }),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit();
  };
  const actionError = rotate.error ?? setEnabled.error ?? remove.error;

  return (
    <section className="section" aria-labelledby="triggers-title">
      <h2 id="triggers-title">Trigger URLs in {environment.name}</h2>
      <p className="muted">
        A POST to a trigger URL changes this flag in {environment.name} the way you choose here: point an alert (Alertmanager, Grafana, a CloudEvent or any
        webhook) at it. What it does is fixed when it is created; the URL is the credential.
      </p>
      <form className="card toolbar" onSubmit={submit} aria-label="New trigger URL" noValidate>
        <Field path="name" label="Name" messages={errorsFor(form.errors, 'name')} className="grow">
          {(p) => <input {...p} value={form.name} placeholder="pagerduty-checkout" maxLength={100} onChange={(e) => form.setName(e.target.value)} />}
        </Field>
        <Field path="description" label="Description (optional)" messages={errorsFor(form.errors, 'description')} className="grow">
          {(p) => <input {...p} value={form.description} maxLength={1000} onChange={(e) => form.setDescription(e.target.value)} />}
        </Field>
        <Field path="effect.type" label="When an alert fires" messages={errorsFor(form.errors, 'effect.type')}>
          {(p) => (
            <select {...p} value={form.effectType} onChange={(e) => form.setEffectType(e.target.value as TriggerEffectType)}>
              {EFFECT_CHOICES.map((c) => (
                <option key={c.type} value={c.type}>
                  {c.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {form.needsVariant && (
          <Field
            path="effect.variant"
            label={form.effectType === 'set-rollout' ? 'Roll out variant' : 'Variant'}
            messages={errorsFor(form.errors, 'effect.variant')}
          >
            {(p) => (
              <select {...p} value={form.variant} onChange={(e) => form.setVariant(e.target.value)}>
                <option value="">Choose…</option>
                {variants.map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        {form.effectType === 'set-rollout' && (
          <>
            <Field path="effect.percentage" label="Percentage" messages={errorsFor(form.errors, 'effect.percentage')}>
              {(p) => <input {...p} type="number" min={0} max={100} step="any" value={form.percentage} onChange={(e) => form.setPercentage(e.target.value)} />}
            </Field>
            <Field path="effect.restVariant" label="The rest gets" messages={errorsFor(form.errors, 'effect.restVariant')}>
              {(p) => (
                <select {...p} value={form.restVariant} onChange={(e) => form.setRestVariant(e.target.value)}>
                  <option value="">the off variant</option>
                  {variants.map((v) => (
                    <option key={v} value={v}>
                      {v}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </>
        )}
        {form.canUndo && (
          <label className="checkbox-inline">
            <input type="checkbox" checked={form.restoreOnResolve} onChange={(e) => form.setRestoreOnResolve(e.target.checked)} />
            {undoLabel(form.effectType)}
          </label>
        )}
        {errorsFor(form.errors, 'restoreOnResolve').map((m) => (
          <p key={m} className="form-error" role="alert">
            {m}
          </p>
        ))}
        <button type="submit" className="btn btn-primary" disabled={form.pending}>
          Create trigger URL
        </button>
      </form>
      {issued && <CopySecret label={issued.label} secret={issued.url} onDismiss={() => setIssued(null)} />}
      {actionError && (
        <p className="form-error" role="alert">
          {errorMessage(actionError)}
        </p>
      )}
      <QueryView query={triggers} loadingLabel="Loading triggers…" empty={<EmptyState title={`No trigger URLs for ${flag} in ${environment.name}.`} />}>
        {(list) => (
          <div className="card table-wrap">
            <table className="table">
              <caption className="visually-hidden">Trigger URLs</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">URL</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last fired</th>
                  <ActionsColumnHeader />
                </tr>
              </thead>
              <tbody>
                {list.map((t) => (
                  <tr key={t.id}>
                    <td>
                      {t.name}
                      {t.description && <div className="muted small">{t.description}</div>}
                      <div className="small">{describeEffect(t.effect)}</div>
                      {t.restoreOnResolve && <div className="muted small">undone when the alert resolves</div>}
                    </td>
                    <td>
                      <code>…/triggers/{t.secretPrefix}…</code>
                    </td>
                    <td>{t.enabled ? <Badge tone="on">enabled</Badge> : <Badge>disabled</Badge>}</td>
                    <td>
                      {t.lastFiredAt ? (
                        <span title={t.lastFiredAt}>
                          {formatRelative(t.lastFiredAt)} · {t.lastAction} <span className="muted">({t.fireCount}×)</span>
                        </span>
                      ) : (
                        <span className="muted">never</span>
                      )}
                    </td>
                    <td className="row-actions">
                      <button
                        type="button"
                        className="btn btn-small"
                        aria-label={`Rotate URL of ${t.name}`}
                        disabled={rotate.isPending}
                        onClick={async () => {
                          if (!window.confirm(`Rotate the URL of ${t.name}? The old URL stops working now.`)) return;
                          const result = await rotate.mutateAsync(t.id);
                          setIssued({ label: `New trigger URL for ${result.trigger.name}`, url: result.url });
                        }}
                      >
                        Rotate
                      </button>{' '}
                      <EnableButton
                        name={t.name}
                        enabled={t.enabled}
                        pending={setEnabled.isPending}
                        onToggle={(enabled) => setEnabled.mutate({ id: t.id, enabled })}
                      />{' '}
                      <DeleteButton
                        name={t.name}
                        question={`Delete the trigger ${t.name}? Its URL stops working.`}
                        pending={remove.isPending}
                        onDelete={() => remove.mutate(t.id)}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </section>
  );
};
