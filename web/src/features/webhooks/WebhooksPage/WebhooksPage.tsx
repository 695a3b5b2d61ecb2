import { type FormEvent, Fragment, useState } from 'react';
import { errorMessage } from '../../../api/client';
import type { ProjectView } from '../../../api/projects';
import {
  type Delivery,
  useDeleteWebhook,
  useDeliveries,
  useSetWebhookEnabled,
  useTestWebhook,
  useWebhooks,
  WEBHOOK_EVENTS,
  type Webhook,
} from '../../../api/webhooks';
import { Badge } from '../../../components/common/Badge';
import { CopySecret } from '../../../components/common/CopySecret';
import { Field } from '../../../components/common/Field';
import { describedBy, FieldMessage } from '../../../components/common/FieldMessage';
import { errorsFor } from '../../../components/common/fieldErrors';
import { formatRelative, formatTime } from '../../../components/common/format';
import { PageHeader } from '../../../components/common/PageHeader';
import { ActionsColumnHeader, DeleteButton, EnableButton } from '../../../components/common/RowButtons';
import { EmptyState, QueryView } from '../../../components/common/StateViews';
import { useWebhookForm } from './useWebhookForm';

const deliveryTone = (status: Delivery['status']) => (status === 'delivered' ? 'on' : status === 'failed' ? 'killed' : 'warn');

const Deliveries = ({ webhook }: { webhook: Webhook }) => {
  const deliveries = useDeliveries(webhook.id);
  return (
    <QueryView
      query={deliveries}
      loadingLabel="Loading deliveries…"
      empty={<EmptyState title="No deliveries yet.">Send a test to try the receiver.</EmptyState>}
    >
      {(list) => (
        <div className="table-wrap deliveries">
          <table className="table">
            <caption className="caption">Recent deliveries to {webhook.name}</caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last answer</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.map((d) => (
                <tr key={d.id}>
                  <td>
                    <code>{d.event}</code>
                  </td>
                  <td>
                    <Badge tone={deliveryTone(d.status)}>{d.status}</Badge>
                    {d.status === 'pending' && d.nextAttemptAt && <div className="muted small">next try {formatTime(d.nextAttemptAt)}</div>}
                  </td>
                  <td>{d.attempts}</td>
                  <td>
                    {d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : ''}
                    {d.lastError && <div className="muted small">{d.lastError}</div>}
                    {d.lastStatusCode === null && !d.lastError && <span className="muted">—</span>}
                  </td>
                  <td title={d.createdAt}>{formatRelative(d.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </QueryView>
  );
};

const WebhookForm = ({ projects, onIssued }: { projects: ProjectView[]; onIssued: (label: string, secret: string) => void }) => {
  const form = useWebhookForm((issued) => onIssued(`Signing secret of ${issued.webhook.name}`, issued.secret));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit();
  };
  const eventErrors = errorsFor(form.errors, 'events');
  return (
    <form className="card section form-grid" onSubmit={submit} aria-labelledby="new-webhook" noValidate>
      <h2 id="new-webhook" className="span-2" style={{ gridColumn: '1 / -1' }}>
        New webhook
      </h2>
      <Field path="name" label="Name" messages={errorsFor(form.errors, 'name')}>
        {(p) => <input {...p} value={form.name} maxLength={100} placeholder="slack-releases" onChange={(e) => form.setName(e.target.value)} />}
      </Field>
      <Field path="url" label="URL" messages={errorsFor(form.errors, 'url')}>
        {(p) => (
          <input
            {...p}
            type="url"
            value={form.url}
            maxLength={2000}
            placeholder="https://hooks.example.com/signalbox"
            onChange={(e) => form.setUrl(e.target.value)}
          />
        )}
      </Field>
      <fieldset {...describedBy('events', eventErrors)}>
        <legend className="field-label">Events</legend>
        <div className="checkbox-row">
          {WEBHOOK_EVENTS.map((event) => (
            <label key={event}>
              <input type="checkbox" checked={form.events.includes(event)} onChange={(e) => form.toggleEvent(event, e.target.checked)} />
              <code>{event}</code>
            </label>
          ))}
        </div>
        <FieldMessage path="events" messages={eventErrors} />
      </fieldset>
      <div className="field">
        <label htmlFor="webhook-project">Project</label>
        <select id="webhook-project" value={form.projectKey} onChange={(e) => form.setProjectKey(e.target.value)}>
          <option value="">every project</option>
          {projects.map((p) => (
            <option key={p.key} value={p.key}>
              {p.name}
            </option>
          ))}
        </select>
      </div>
      <div className="dialog-actions">
        <button type="submit" className="btn btn-primary" disabled={form.pending}>
          Create webhook
        </button>
      </div>
    </form>
  );
};

/** Admin page: subscriptions that receive signed POSTs on flag and rollout events, and their delivery log. */
export const WebhooksPage = ({ projects }: { projects: ProjectView[] }) => {
  const webhooks = useWebhooks();
  const setEnabled = useSetWebhookEnabled();
  const remove = useDeleteWebhook();
  const test = useTestWebhook();
  const [secret, setSecret] = useState<{ label: string; secret: string } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [tested, setTested] = useState<{ name: string; delivery: Delivery } | null>(null);
  const actionError = setEnabled.error ?? remove.error ?? test.error;

  return (
    <div className="page">
      <PageHeader title="Webhooks" description="Signed POSTs (HMAC-SHA256 in X-Signalbox-Signature) to your receivers when flags change." />
      <WebhookForm projects={projects} onIssued={(label, value) => setSecret({ label, secret: value })} />
      {secret && <CopySecret label={secret.label} secret={secret.secret} stored="encrypted" onDismiss={() => setSecret(null)} />}
      {actionError && (
        <p className="form-error" role="alert">
          {errorMessage(actionError)}
        </p>
      )}
      {tested && (
        <p className="small" role="status">
          Test delivery to {tested.name}: <Badge tone={deliveryTone(tested.delivery.status)}>{tested.delivery.status}</Badge>
          {tested.delivery.lastStatusCode !== null && ` HTTP ${tested.delivery.lastStatusCode}`}
          {tested.delivery.lastError && ` — ${tested.delivery.lastError}`}
        </p>
      )}
      <section className="card section" aria-labelledby="webhook-list">
        <h2 id="webhook-list">Subscriptions</h2>
        <QueryView query={webhooks} loadingLabel="Loading webhooks…" empty={<EmptyState title="No webhooks yet." />}>
          {(list) => (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Events</th>
                    <th scope="col">Status</th>
                    <ActionsColumnHeader />
                  </tr>
                </thead>
                <tbody>
                  {list.map((w) => (
                    <Fragment key={w.id}>
                      <tr>
                        <td>
                          <strong>{w.name}</strong>
                          <div className="muted small trigger-url">{w.url}</div>
                          <div className="muted small">
                            {w.projectKey ? `project ${w.projectKey}` : 'every project'} · secret <code>{w.secretPrefix}…</code>
                          </div>
                        </td>
                        <td>
                          {w.events.map((e) => (
                            <div key={e}>
                              <code className="small">{e}</code>
                            </div>
                          ))}
                        </td>
                        <td>
                          {w.enabled ? <Badge tone="on">enabled</Badge> : <Badge tone="off">disabled</Badge>}
                          {w.disabledReason && <div className="muted small">{w.disabledReason}</div>}
                          {w.consecutiveFailures > 0 && (
                            <div className="muted small">
                              {w.consecutiveFailures} failure{w.consecutiveFailures === 1 ? '' : 's'} in a row
                            </div>
                          )}
                        </td>
                        <td className="row-actions row-actions-wrap">
                          <button
                            type="button"
                            className="btn btn-small"
                            aria-expanded={open === w.id}
                            aria-label={`Deliveries of ${w.name}`}
                            onClick={() => setOpen(open === w.id ? null : w.id)}
                          >
                            Deliveries
                          </button>{' '}
                          <button
                            type="button"
                            className="btn btn-small"
                            aria-label={`Send a test to ${w.name}`}
                            disabled={test.isPending}
                            onClick={async () => {
                              const delivery = await test.mutateAsync(w.id);
                              setTested({ name: w.name, delivery });
                            }}
                          >
                            Send test
                          </button>{' '}
                          <EnableButton
                            name={w.name}
                            enabled={w.enabled}
                            pending={setEnabled.isPending}
                            onToggle={(enabled) => setEnabled.mutate({ id: w.id, enabled })}
                          />{' '}
                          <DeleteButton
                            name={w.name}
                            question={`Delete the webhook ${w.name}? Its pending deliveries are dropped.`}
                            pending={remove.isPending}
                            onDelete={() => remove.mutate(w.id)}
                          />
                        </td>
                      </tr>
                      {open === w.id && (
                        <tr>
                          <td colSpan={4}>
                            <Deliveries webhook={w} />
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </QueryView>
      </section>
    </div>
  );
};
