import { type FormEvent, useState } from 'react';
import { usePermissions } from '../../../api/auth';
import { errorMessage } from '../../../api/client';
import {
  ACTIVE_ROLLOUT_STATUSES,
  type RolloutAction,
  type RolloutPlan,
  type RolloutStatus,
  useRolloutAction,
  useRolloutPlans,
  type GuardRow,
} from '../../../api/rollouts';
import type { EnvironmentView } from '../../../api/projects';
import type { FlagView } from '../../../api/flags';
import { Badge, type Tone } from '../../../components/common/Badge';
import { Dialog } from '../../../components/common/Dialog';
import { formatPercent } from '../../../components/common/rolloutSegments';
import { formatTime } from '../../../components/common/format';
import { EmptyState, QueryView } from '../../../components/common/StateViews';
import { NewPlanForm } from '../NewPlanForm/NewPlanForm';
import { stageSteps } from '../stageSteps';
import { FormActions } from '../../../components/common/FormActions';

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
  status === 'running'
    ? ['pause', 'advance', 'abort']
    : status === 'paused'
      ? ['resume', 'advance', 'abort']
      : status === 'waiting-for-baseline'
        ? ['abort']
        : [];

const value = (row: GuardRow, v: number | null) =>
  v === null
    ? '—'
    : row.unit === 'rate'
      ? `${(v * 100).toFixed(2)}%`
      : row.unit === 'ms'
        ? `${v.toFixed(v < 1 ? 3 : 1)} ms`
        : v.toLocaleString('en-US', { maximumFractionDigits: 3 });

const guardLabel = (row: GuardRow): string => (row.guard === 'bound' ? `${row.stat ?? ''} bound` : row.guard.charAt(0).toUpperCase() + row.guard.slice(1));

/** The guards as the server's scheduler judges them now: one source of truth, nothing recomputed here. */
const Guards = ({ plan }: { plan: RolloutPlan }) => {
  const status = plan.guardStatus;
  if (!plan.stageStartedAt || status === null) return <p className="muted small">Guards judge once the first stage starts.</p>;
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Guard metrics">
        <caption className="caption">
          Guards since this stage started ({formatTime(status.from)}), candidate {plan.candidateVariant} vs control {plan.controlVariant}
        </caption>
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
          {status.rows.map((row) => (
            <tr key={`${row.guard}-${row.metric}-${row.stat ?? ''}`}>
              <td>
                {guardLabel(row)} <code className="small">{row.metric}</code>
              </td>
              <td>{value(row, row.candidate)}</td>
              <td>{value(row, row.control)}</td>
              <td className="small">{row.limit}</td>
              <td>
                {row.passing === null ? (
                  <Badge>{row.guard === 'stage samples' ? 'collecting' : 'not enough data'}</Badge>
                ) : row.passing ? (
                  <Badge tone="on">pass</Badge>
                ) : (
                  <Badge tone="killed">fail</Badge>
                )}
                {row.failure && <div className="small">{row.failure}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
};

/** Guard metrics with no data, said plainly: a plan must not wait in silence for a name no SDK sends. */
const NoDataNotice = ({ plan }: { plan: RolloutPlan }) => {
  const warnings = [...new Set(plan.guardMetrics.flatMap((n) => (n.warning ? [n.warning] : [])))];
  if (warnings.length === 0) return null;
  return (
    <div className="notice small" role="status">
      {warnings.map((w) => (
        <p key={w}>{w}</p>
      ))}
    </div>
  );
};

const ActionDialog = ({
  action,
  plan,
  onSubmit,
  onClose,
}: {
  action: RolloutAction;
  plan: RolloutPlan;
  onSubmit: (reason: string) => Promise<unknown>;
  onClose: () => void;
}) => {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = plan.stages[plan.currentStage + 1];
  const explain: Record<RolloutAction, string> = {
    pause: 'The scheduler stops advancing and judging this plan; traffic stays where it is.',
    resume: 'The scheduler judges the guards and advances stages again.',
    advance: next
      ? `Moves to the next stage now: ${formatPercent(next.percent)} of traffic gets ${plan.candidateVariant}.`
      : `Completes the plan: everyone gets ${plan.candidateVariant}.`,
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
    <Dialog
      title={`${ACTION_LABELS[action]} the rollout of ${plan.candidateVariant}`}
      onClose={onClose}
      tone={action === 'abort' ? 'danger' : 'default'}
      dirty={reason.trim() !== ''}
    >
      <form onSubmit={(e) => void handle(e)} noValidate>
        <p>{explain[action]}</p>
        <label htmlFor="rollout-reason" className="field-label">
          Reason (optional)
        </label>
        <textarea id="rollout-reason" rows={3} maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />
        <FormActions error={error} onCancel={onClose} submitLabel={`${ACTION_LABELS[action]} now`} submitting={busy} danger={action === 'abort'} />
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
      {active && <NoDataNotice plan={plan} />}
      {active ? (
        <Guards plan={plan} />
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
      {action && (
        <ActionDialog
          action={action}
          plan={plan}
          onClose={() => setAction(null)}
          onSubmit={(reason) => act.mutateAsync({ id: plan.id, action, reason: reason || undefined })}
        />
      )}
    </section>
  );
};

/** Staged rollouts of one flag in one environment, guarded by metrics against control. */
export const RolloutPlans = ({ project, flag, environment }: { project: string; flag: FlagView; environment: EnvironmentView }) => {
  const { canEdit } = usePermissions();
  const plans = useRolloutPlans(project, flag.key, environment.key);
  return (
    <QueryView query={plans} loadingLabel="Loading rollout plans…">
      {(list) => {
        const sorted = [...list].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
        const hasActive = sorted.some((p) => ACTIVE_ROLLOUT_STATUSES.includes(p.status));
        return (
          <div>
            <h2>Rollout plans in {environment.name}</h2>
            {canEdit && !hasActive && <NewPlanForm project={project} flag={flag} environment={environment.key} />}
            {sorted.length === 0 ? (
              <EmptyState title={`No rollout plans for ${flag.key} in ${environment.name}.`} />
            ) : (
              sorted.map((plan) => <PlanCard key={plan.id} project={project} environment={environment.key} plan={plan} canEdit={canEdit} />)
            )}
          </div>
        );
      }}
    </QueryView>
  );
};
