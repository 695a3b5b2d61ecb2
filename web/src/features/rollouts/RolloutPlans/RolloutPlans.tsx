import { type FormEvent, useState } from 'react';
import { usePermissions } from '../../../api/auth';
import { errorMessage } from '../../../api/client';
import {
  ACTIVE_ROLLOUT_STATUSES,
  type GuardRow,
  type RolloutAction,
  type RolloutPlan,
  type RolloutStatus,
  useRolloutAction,
  useRolloutPlans,
} from '../../../api/rollouts';
import { useExperiments } from '../../../api/experiments';
import type { EnvironmentView } from '../../../api/projects';
import type { FlagView } from '../../../api/flags';
import { Badge, type Tone } from '../../../components/common/Badge';
import { Dialog } from '../../../components/common/Dialog';
import { formatPercent } from '../../../components/common/rolloutSegments';
import { formatTime } from '../../../components/common/format';
import { EmptyState, QueryView } from '../../../components/common/StateViews';
import { NewPlanForm } from '../NewPlanForm/NewPlanForm';
import { GuardStatus, GuardTable } from '../GuardStatus/GuardStatus';
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
      {plan.pause && (
        <div className={plan.pause.handEdit ? 'notice small' : 'muted small'} role="status" aria-label="Why the plan is paused">
          <strong>{plan.pause.handEdit ? 'Paused because of a hand edit.' : `Paused by ${plan.pause.actor}.`}</strong> {plan.pause.reason}{' '}
          <span className="muted">({formatTime(plan.pause.at)}; a paused plan does not advance, but a failing guard still rolls it back.)</span>
        </div>
      )}
      {active && <NoDataNotice plan={plan} />}
      {active && (
        <p className="muted small">
          While this plan is active, experiments on {plan.flag} in {plan.environment} are refused: both would write the default rule&apos;s split.
        </p>
      )}
      {active ? (
        <GuardStatus plan={plan} />
      ) : (
        Array.isArray(plan.snapshot?.failures) && (
          <>
            <div className="banner banner-danger" role="status">
              <strong>Guards that failed:</strong> {(plan.snapshot.failures as string[]).join('; ')}
            </div>
            {/* The guards as the scheduler judged them when it rolled back: which failed, by which figures. */}
            {Array.isArray(plan.snapshot.rows) && (
              <GuardTable
                rows={plan.snapshot.rows as GuardRow[]}
                label="Guards at the rollback"
                caption={`Guards when the plan rolled back, candidate ${plan.candidateVariant} vs control ${plan.controlVariant}. Fixed-horizon: the point estimate against the limit. Sequential: an mSPRT confidence sequence for the excess over the limit.`}
              />
            )}
          </>
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
  // Plans and experiments exclude each other on a flag: say so before the server answers 409.
  const experiments = useExperiments(project, { flag: flag.key, environment: environment.key, status: 'running' });
  const experiment = experiments.data?.find((e) => e.environment === environment.key && e.status === 'running');
  return (
    <QueryView query={plans} loadingLabel="Loading rollout plans…">
      {(list) => {
        const sorted = [...list].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
        const hasActive = sorted.some((p) => ACTIVE_ROLLOUT_STATUSES.includes(p.status));
        return (
          <div>
            <h2>Rollout plans in {environment.name}</h2>
            {experiment && (
              <div className="notice small" role="status">
                Experiment <strong>{experiment.key}</strong> runs on {flag.key} in {environment.name}: a rollout plan would replace its traffic split, so the
                server refuses one until the experiment is decided or stopped.
              </div>
            )}
            {canEdit && !hasActive && !experiment && (
              <NewPlanForm
                project={project}
                flag={flag}
                environment={environment.key}
                approval={environment.requireApproval ? { environmentName: environment.name, requiredApprovals: environment.requiredApprovals } : undefined}
              />
            )}
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
