import { type FormEvent, useState } from 'react';
import { usePermissions } from '../../../api/auth';
import { errorMessage } from '../../../api/client';
import { ACTIVE_ROLLOUT_STATUSES, type RolloutAction, type RolloutPlan, type RolloutStatus, useCreateRolloutPlan, useRolloutAction, useRolloutPlans, useStageMetrics } from '../../../api/rollouts';
import type { EnvironmentView, FlagView } from '../../../api/types';
import { Badge, type Tone } from '../../../components/common/Badge';
import { Dialog } from '../../../components/common/Dialog';
import { formatPercent } from '../../../components/common/rolloutSegments';
import { formatTime } from '../../../components/common/format';
import { EmptyState, ErrorState, Loading } from '../../../components/common/StateViews';
import { type GuardRow, guardRows, stageSteps } from '../guardRows';

const STATUS_TONES: Record<RolloutStatus, Tone> = {
  'waiting-for-baseline': 'warn',
  running: 'info',
  paused: 'warn',
  completed: 'on',
  'rolled-back': 'killed',
  aborted: 'off',
};

const ACTION_LABELS: Record<RolloutAction, string> = { pause: 'Pause', resume: 'Resume', advance: 'Advance', abort: 'Abort' };

const actionsFor = (status: RolloutStatus): RolloutAction[] =>
  status === 'running' ? ['pause', 'advance', 'abort'] : status === 'paused' ? ['resume', 'advance', 'abort'] : status === 'waiting-for-baseline' ? ['abort'] : [];

const value = (row: GuardRow, v: number | null) =>
  v === null ? '—' : row.unit === 'rate' ? `${(v * 100).toFixed(2)}%` : row.unit === 'ms' ? `${v.toFixed(v < 1 ? 3 : 1)} ms` : v.toLocaleString('en-US', { maximumFractionDigits: 3 });

const Guards = ({ project, environment, plan }: { project: string; environment: string; plan: RolloutPlan }) => {
  const metrics = useStageMetrics(project, environment, plan.flag, plan.stageStartedAt);
  if (!plan.stageStartedAt) return <p className="muted small">Guards judge once the first stage starts.</p>;
  if (metrics.isPending) return <Loading label="Loading stage metrics…" />;
  if (metrics.isError) return <ErrorState error={metrics.error} onRetry={() => void metrics.refetch()} />;
  const rows = guardRows(plan, metrics.data.series);
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Guard metrics">
        <caption className="caption">Guards since this stage started ({formatTime(plan.stageStartedAt)}), candidate {plan.candidateVariant} vs control {plan.controlVariant}</caption>
        <thead>
          <tr>
            <th scope="col">Guard</th>
            <th scope="col">Candidate</th>
            <th scope="col">Control</th>
            <th scope="col">Threshold</th>
            <th scope="col">Verdict</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={`${row.guard}-${row.metric}`}>
              <td>
                {row.guard} <code className="small">{row.metric}</code>
              </td>
              <td>{value(row, row.candidate)}</td>
              <td>{value(row, row.control)}</td>
              <td className="small">{row.limit}</td>
              <td>{row.passing === null ? <Badge>{row.guard === 'Stage samples' ? 'collecting' : 'not enough data'}</Badge> : row.passing ? <Badge tone="on">pass</Badge> : <Badge tone="killed">fail</Badge>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
};

const ActionDialog = ({ action, plan, onSubmit, onClose }: { action: RolloutAction; plan: RolloutPlan; onSubmit: (reason: string) => Promise<unknown>; onClose: () => void }) => {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = plan.stages[plan.currentStage + 1];
  const explain: Record<RolloutAction, string> = {
    pause: 'The scheduler stops advancing and judging this plan; traffic stays where it is.',
    resume: 'The scheduler judges the guards and advances stages again.',
    advance: next ? `Moves to the next stage now: ${formatPercent(next.percent)} of traffic gets ${plan.candidateVariant}.` : `Completes the plan: everyone gets ${plan.candidateVariant}.`,
    abort: `Stops the plan and sends everyone back to ${plan.controlVariant}.`,
  };
  const handle = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit(reason.trim());
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={`${ACTION_LABELS[action]} the rollout of ${plan.candidateVariant}`} onClose={onClose} tone={action === 'abort' ? 'danger' : 'default'}>
      <form onSubmit={(e) => void handle(e)} noValidate>
        <p>{explain[action]}</p>
        <label htmlFor="rollout-reason" className="field-label">
          Reason (optional)
        </label>
        <textarea id="rollout-reason" rows={3} maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={`btn ${action === 'abort' ? 'btn-danger' : 'btn-primary'}`} disabled={busy}>
            {busy ? 'Working…' : `${ACTION_LABELS[action]} now`}
          </button>
        </div>
      </form>
    </Dialog>
  );
};

const PlanCard = ({ project, environment, plan, canEdit }: { project: string; environment: string; plan: RolloutPlan; canEdit: boolean }) => {
  const act = useRolloutAction(project, plan.flag, environment);
  const [action, setAction] = useState<RolloutAction | null>(null);
  const active = ACTIVE_ROLLOUT_STATUSES.includes(plan.status);
  return (
    <section className="card section" aria-label={`Rollout of ${plan.candidateVariant} created ${formatTime(plan.createdAt)}`}>
      <div className="section-head">
        <h3>
          {plan.candidateVariant} replacing {plan.controlVariant} <Badge tone={STATUS_TONES[plan.status]}>{plan.status}</Badge>
        </h3>
        {canEdit && active && (
          <div className="row-actions">
            {actionsFor(plan.status).map((a) => (
              <button key={a} type="button" className={`btn btn-small${a === 'abort' ? ' btn-danger' : ''}`} onClick={() => setAction(a)}>
                {ACTION_LABELS[a]}
              </button>
            ))}
          </div>
        )}
      </div>
      <p className="small">
        Serving <strong>{formatPercent(plan.currentPercent)}</strong> of traffic {plan.candidateVariant}
        {plan.currentStage >= 0 ? `, stage ${plan.currentStage + 1} of ${plan.stages.length}` : ', before the first stage'}.
        {plan.reason && <span className="muted"> {plan.reason}</span>}
      </p>
      <ol className="stage-steps" aria-label="Stages">
        {stageSteps(plan).map((s, i) => (
          <li key={i} className={`stage-step stage-${s.state}`} aria-current={s.state === 'current' ? 'step' : undefined}>
            {formatPercent(s.percent)}
          </li>
        ))}
      </ol>
      {active ? (
        <Guards project={project} environment={environment} plan={plan} />
      ) : (
        Array.isArray(plan.snapshot?.failures) && (
          <div className="banner banner-danger" role="status">
            <strong>Guards that failed:</strong> {(plan.snapshot.failures as string[]).join('; ')}
          </div>
        )
      )}
      <h4>Decisions</h4>
      <ol className="timeline small" aria-label="Decision timeline">
        {[...plan.history].reverse().map((h, i) => (
          <li key={i}>
            <span className="muted">{formatTime(h.at)}</span> <strong>{h.event}</strong> at {formatPercent(h.percent)} by {h.actor}
            {h.reason && <span className="muted"> — {h.reason}</span>}
          </li>
        ))}
      </ol>
      {act.error && (
        <p className="form-error" role="alert">
          {errorMessage(act.error)}
        </p>
      )}
      {action && <ActionDialog action={action} plan={plan} onClose={() => setAction(null)} onSubmit={(reason) => act.mutateAsync({ id: plan.id, action, reason: reason || undefined })} />}
    </section>
  );
};

const NewPlanForm = ({ project, flag, environment }: { project: string; flag: FlagView; environment: EnvironmentView }) => {
  const create = useCreateRolloutPlan(project, flag.key, environment.key);
  const keys = flag.variants.map((v) => v.key);
  // A boolean flag rolls out "on"; other kinds usually the second variant over the first.
  const boolean = flag.kind === 'boolean' && keys.includes('on') && keys.includes('off');
  const [control, setControl] = useState(boolean ? 'off' : (keys[0] ?? ''));
  const [candidate, setCandidate] = useState(boolean ? 'on' : (keys[1] ?? ''));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ candidateVariant: candidate, controlVariant: control });
  };
  return (
    <form className="toolbar" onSubmit={submit} aria-label="New rollout plan">
      <div className="field">
        <label htmlFor="rollout-candidate">Roll out</label>
        <select id="rollout-candidate" value={candidate} onChange={(e) => setCandidate(e.target.value)}>
          {keys.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="rollout-control">replacing</label>
        <select id="rollout-control" value={control} onChange={(e) => setControl(e.target.value)}>
          {keys.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
      </div>
      <button type="submit" className="btn btn-primary" disabled={create.isPending}>
        Start rollout plan
      </button>
      <span className="muted small">Stages 1%, 5%, 10%, 25%, 50%, 100%; rolls back by itself when a guard fails.</span>
      {create.error && (
        <p className="form-error" role="alert">
          {errorMessage(create.error)}
        </p>
      )}
    </form>
  );
};

/** Staged rollouts of one flag in one environment, guarded by metrics against control. */
export const RolloutPlans = ({ project, flag, environment }: { project: string; flag: FlagView; environment: EnvironmentView }) => {
  const { canEdit } = usePermissions();
  const plans = useRolloutPlans(project, flag.key, environment.key);
  if (plans.isPending) return <Loading label="Loading rollout plans…" />;
  if (plans.isError) return <ErrorState error={plans.error} onRetry={() => void plans.refetch()} />;
  const sorted = [...plans.data].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const hasActive = sorted.some((p) => ACTIVE_ROLLOUT_STATUSES.includes(p.status));
  return (
    <div>
      <h2>Rollout plans in {environment.name}</h2>
      {canEdit && !hasActive && <NewPlanForm project={project} flag={flag} environment={environment} />}
      {sorted.length === 0 ? (
        <EmptyState title={`No rollout plans for ${flag.key} in ${environment.name}.`} />
      ) : (
        sorted.map((plan) => <PlanCard key={plan.id} project={project} environment={environment.key} plan={plan} canEdit={canEdit} />)
      )}
    </div>
  );
};
