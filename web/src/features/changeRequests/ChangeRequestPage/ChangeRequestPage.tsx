import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMe, usePermissions } from '../../../api/auth';
import {
  type ChangeRequest,
  type ChangeRequestConfig,
  rolloutPlanOf,
  segmentDiffOf,
  staleBaseOf,
  useChangeRequest,
  useChangeRequestActions,
} from '../../../api/changeRequests';
import { errorMessage } from '../../../api/client';
import { type FlagConfigView, useFlag } from '../../../api/flags';
import type { EnvironmentView, ProjectView } from '../../../api/projects';
import { type SegmentView, useSegments } from '../../../api/segments';
import { Badge } from '../../../components/common/Badge';
import { DiffView } from '../../../components/common/DiffView';
import { formatTime } from '../../../components/common/format';
import { QueryView } from '../../../components/common/StateViews';
import { type EditableConfig, rebaseDraft, toEditable } from '../../flags/flagConfig';
import { inZones } from '../../flags/ScheduledChanges/scheduleTime';
import { paths } from '../../shell/workspace/workspace';
import { approvalCount, approvalsMissing, isOpen, KIND_LABELS, STATUS_TONES } from '../changeRequestText';
import { rolloutPlanSummary } from '../rolloutPlanSummary';

/** The proposal replayed on top of the config as it is now: the same "reapply mine on top" as a version conflict. */
const rebasedChange = (request: ChangeRequest, current: FlagConfigView): ChangeRequestConfig | undefined => {
  if (!request.change) return undefined;
  if (!request.diff) return request.change;
  const before = toEditable(request.diff.before);
  return rebaseDraft(before, toEditable(request.change as EditableConfig), toEditable(current)) as ChangeRequestConfig;
};

/** An instant in the user's zone, and in UTC when that differs. */
const When = ({ iso }: { iso: string }) => {
  const { local, utc } = inZones(iso);
  return (
    <>
      <time dateTime={iso}>{local}</time>
      {local !== utc && ` (${utc})`}
    </>
  );
};

/** A segment as the diff shows it: what it says, not its bookkeeping (version, time of the last save). */
const segmentContent = (segment: SegmentView | null) => {
  if (!segment) return {};
  const { version: _version, updatedAt: _updatedAt, ...content } = segment;
  return content;
};

const RolloutPlanProposal = ({ request, environmentName }: { request: ChangeRequest; environmentName: string }) => {
  const plan = rolloutPlanOf(request);
  if (!plan)
    return (
      <p>
        Start a rollout plan for {request.flag} in {environmentName}.
      </p>
    );
  const { headline, stages, guards } = rolloutPlanSummary(plan);
  return (
    <div className="rollout-plan-summary">
      <p>
        Start a rollout plan in {environmentName}: {headline}
      </p>
      <h3 id="plan-stages">Stages</h3>
      <ol aria-labelledby="plan-stages">
        {stages.map((stage, i) => (
          <li key={i}>{stage}</li>
        ))}
      </ol>
      <h3 id="plan-guards">Guards</h3>
      <ul aria-labelledby="plan-guards">
        {guards.map((guard, i) => (
          <li key={i}>{guard}</li>
        ))}
      </ul>
      <p className="muted">Once applied, its stages advance and roll back by themselves, without further requests.</p>
    </div>
  );
};

const Proposal = ({ request, environmentName }: { request: ChangeRequest; environmentName: string }) => {
  if (request.kind === 'rollout-plan') return <RolloutPlanProposal request={request} environmentName={environmentName} />;
  if (request.kind === 'segment') {
    const diff = segmentDiffOf(request);
    return (
      <DiffView
        caption={`Proposed change to the segment ${request.segment} (from version ${request.baseVersion})`}
        before={segmentContent(diff?.before ?? null)}
        after={diff?.after ? segmentContent(diff.after) : request.change}
      />
    );
  }
  if (request.diff) {
    return (
      <DiffView
        caption={`Proposed change (from version ${request.baseVersion})`}
        before={toEditable(request.diff.before)}
        after={toEditable(request.diff.after)}
      />
    );
  }
  if (request.kind === 'restore')
    return (
      <p>
        Restore {request.flag} in {environmentName} to the config it had before the kill.
      </p>
    );
  if (request.kind === 'archive') return <p>Archive {request.flag}: every SDK stops receiving it.</p>;
  return <pre>{JSON.stringify(request.change, null, 2)}</pre>;
};

/** A stale request: what moved since its base. Nothing is applied until the author rebases it. */
const StaleConflict = ({
  request,
  current,
  currentVersion,
  isAuthor,
  rebasing,
  onRebase,
}: {
  request: ChangeRequest;
  current: FlagConfigView | undefined;
  /** The version its base is now (the config's, the flag's or the segment's). */
  currentVersion: number | undefined;
  isAuthor: boolean;
  rebasing: boolean;
  onRebase: (() => void) | null;
}) => (
  <section className="conflict card" role="alert" aria-label="Stale change request">
    <h2>{request.kind === 'segment' ? 'The segment' : 'The config'} has changed since this request was made</h2>
    <p>
      It was made against version {request.baseVersion}
      {currentVersion !== undefined &&
        currentVersion !== request.baseVersion &&
        `; ${request.kind === 'archive' ? 'the flag' : request.kind === 'segment' ? 'the segment' : 'the config'} is now at version ${currentVersion}`}
      . Nothing was applied: applying it now would overwrite that change.
    </p>
    {current && request.diff?.before !== undefined && request.kind === 'config' && (
      <DiffView
        caption={`Changed since (v${request.baseVersion} → v${current.version})`}
        before={toEditable(request.diff.before)}
        after={toEditable(current)}
      />
    )}
    {isAuthor && onRebase ? (
      <div className="actions">
        <button type="button" className="btn btn-primary" disabled={rebasing} onClick={onRebase}>
          {rebasing ? 'Rebasing…' : `Rebase onto version ${currentVersion ?? 'now'}`}
        </button>
      </div>
    ) : (
      <p className="muted">The author can rebase it onto the current version; approvals start over then.</p>
    )}
  </section>
);

const ChangeRequestView = ({ project, environment, request }: { project: ProjectView; environment: EnvironmentView; request: ChangeRequest }) => {
  const { data: me } = useMe();
  const { canEdit, isAdmin } = usePermissions();
  const flag = useFlag(project.key, request.flag ?? '', request.flag !== null);
  const segments = useSegments(project.key, request.kind === 'segment');
  const segment = segments.data?.find((s) => s.key === request.segment);
  const actions = useChangeRequestActions(project.key, request.number);
  const [reviewComment, setReviewComment] = useState('');
  const [comment, setComment] = useState('');
  const envName = project.environments.find((e) => e.key === request.environment)?.name ?? request.environment;
  const config = flag.data?.environments[request.environment];
  // An archive is made against the flag's version, a segment request against the segment's; everything else against the config's.
  const currentVersion = request.kind === 'archive' ? flag.data?.version : request.kind === 'segment' ? segment?.version : config?.version;
  const staleBase = staleBaseOf(actions.apply.error);
  // A segment request's conflict is about the segment: no config to compare.
  const current = request.kind === 'segment' ? undefined : (staleBase?.current ?? config);
  const staleVersion =
    request.kind === 'config' || request.kind === 'restore' || request.kind === 'rollout-plan' ? (current?.version ?? currentVersion) : currentVersion;
  // The server says whether the base moved; for a config change the flag page's live copy can tell sooner.
  const moved = request.kind === 'config' && currentVersion !== undefined && currentVersion !== request.baseVersion;
  const stale = !!staleBase || request.status === 'conflict' || (isOpen(request) && (request.stale || moved));

  const user = me?.user;
  const isAuthor = !!user && (user.id === request.author.id || user.email === request.author.email);
  const approvedByMe = !!user && request.approvals.some((a) => a.user.id === user.id);
  const open = request.status === 'pending' || request.status === 'approved';
  const canReview = canEdit && !isAuthor && open;
  const canApply = request.status === 'approved' && (isAuthor || approvedByMe) && !stale;
  const canCancel = (isAuthor || isAdmin) && isOpen(request);
  const missing = approvalsMissing(request);

  const review = (verdict: 'approve' | 'reject') =>
    (verdict === 'approve' ? actions.approve : actions.reject).mutate(
      { comment: reviewComment.trim() || undefined },
      { onSuccess: () => setReviewComment('') },
    );
  const rebase = () => {
    if (currentVersion === undefined) return;
    actions.rebase.mutate(
      { baseVersion: currentVersion, change: request.kind === 'config' && current ? rebasedChange(request, current) : undefined },
      { onSuccess: () => actions.apply.reset() },
    );
  };
  const addComment = (e: FormEvent) => {
    e.preventDefault();
    if (comment.trim() === '') return;
    actions.comment.mutate({ body: comment.trim() }, { onSuccess: () => setComment('') });
  };
  const failed = [actions.approve, actions.reject, actions.rebase, actions.cancel].find((m) => m.isError);
  const applyFailed = actions.apply.isError && !staleBase;

  return (
    <div className="page change-request-page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to={paths.changeRequests(project.key, environment.key)}>Change requests</Link> / <span>#{request.number}</span>
      </nav>
      <header className="page-header">
        <div>
          <h1>
            Change request #{request.number} <Badge tone={STATUS_TONES[request.status]}>{request.status}</Badge>{' '}
            {stale && open && <Badge tone="warn">stale</Badge>}
          </h1>
          <p>
            {KIND_LABELS[request.kind]}:{' '}
            {request.flag !== null ? (
              <>
                <Link to={paths.flag(project.key, request.environment, request.flag)}>{request.flag}</Link> in {envName}
              </>
            ) : (
              <>
                segment{' '}
                <Link to={paths.segment(project.key, environment.key, request.segment ?? '')}>
                  {segment ? `${segment.name} (${request.segment})` : request.segment}
                </Link>
                , used in {envName}
              </>
            )}
            , by {request.author.email} · {formatTime(request.createdAt)}
          </p>
          {request.reason && <p className="muted">“{request.reason}”</p>}
          {request.reviewers && request.reviewers.length > 0 && <p className="muted">Reviewers asked: {request.reviewers.join(', ')}</p>}
        </div>
      </header>

      {stale && open && (
        <StaleConflict
          request={request}
          current={current}
          currentVersion={staleVersion}
          isAuthor={isAuthor}
          rebasing={actions.rebase.isPending}
          onRebase={rebase}
        />
      )}

      <section className="card section" aria-label="Proposed change">
        <h2>Change</h2>
        {request.runAt && (
          <p className="run-at">
            Runs at <When iso={request.runAt} />: once applied, it is scheduled for then, and written only if the config is still at the version it was made
            against.
          </p>
        )}
        <Proposal request={request} environmentName={envName} />
        {request.status === 'applied' &&
          (request.scheduledChangeId && request.runAt && request.flag !== null ? (
            <p role="status">
              Applied {formatTime(request.appliedAt)}: scheduled for <When iso={request.runAt} />. It is listed under{' '}
              <Link to={paths.flag(project.key, request.environment, request.flag)}>scheduled changes of {request.flag}</Link> in {envName}.
            </p>
          ) : (
            <p role="status">
              Applied {formatTime(request.appliedAt)}
              {request.appliedVersion !== null && ` as version ${request.appliedVersion}`}.
            </p>
          ))}
      </section>

      <section className="card section" aria-label="Reviews">
        <h2>Reviews</h2>
        <p>
          {approvalCount(request)}
          {open && missing > 0 && ` — needs ${missing} more`}
        </p>
        <ul className="plain-list">
          {[
            ...request.approvals.map((r) => ({ ...r, verdict: 'approved' as const })),
            ...request.rejections.map((r) => ({ ...r, verdict: 'rejected' as const })),
          ]
            .sort((a, b) => a.at.localeCompare(b.at))
            .map((r) => (
              <li key={`${r.verdict}-${r.user.id}-${r.at}`}>
                <Badge tone={r.verdict === 'approved' ? 'on' : 'off'}>{r.verdict}</Badge> by {r.user.email} · {formatTime(r.at)}
                {r.comment && <> — “{r.comment}”</>}
              </li>
            ))}
        </ul>
        {canReview && (
          <div className="review-form">
            <label htmlFor="review-comment" className="field-label">
              Review comment (optional)
            </label>
            <textarea id="review-comment" rows={2} value={reviewComment} onChange={(e) => setReviewComment(e.target.value)} />
            <div className="actions">
              <button type="button" className="btn btn-danger" disabled={actions.reject.isPending} onClick={() => review('reject')}>
                Reject
              </button>
              {!approvedByMe && (
                <button type="button" className="btn btn-primary" disabled={actions.approve.isPending} onClick={() => review('approve')}>
                  Approve
                </button>
              )}
            </div>
          </div>
        )}
        {isAuthor && open && <p className="muted">You made this request: other people review it.</p>}
      </section>

      {(canApply || canCancel) && (
        <div className="actions">
          {canCancel && (
            <button type="button" className="btn" disabled={actions.cancel.isPending} onClick={() => actions.cancel.mutate()}>
              Cancel request
            </button>
          )}
          {canApply && (
            <button type="button" className="btn btn-primary" disabled={actions.apply.isPending} onClick={() => actions.apply.mutate()}>
              {actions.apply.isPending ? 'Applying…' : `Apply to ${envName}`}
            </button>
          )}
        </div>
      )}
      {(failed || applyFailed) && (
        <p className="form-error" role="alert">
          {errorMessage(failed?.error ?? actions.apply.error)}
        </p>
      )}

      <section className="card section" aria-label="Comments">
        <h2>Comments</h2>
        {request.comments.length === 0 && <p className="muted">No comments yet.</p>}
        <ul className="plain-list comments">
          {request.comments.map((c) => (
            <li key={c.id}>
              <p className="muted">
                {c.user.email} · {formatTime(c.at)}
              </p>
              <p>{c.body}</p>
            </li>
          ))}
        </ul>
        {canEdit && (
          <form onSubmit={addComment} aria-label="Add a comment">
            <label htmlFor="new-comment" className="field-label">
              Comment
            </label>
            <textarea id="new-comment" rows={2} value={comment} onChange={(e) => setComment(e.target.value)} />
            {actions.comment.isError && (
              <p className="form-error" role="alert">
                {errorMessage(actions.comment.error)}
              </p>
            )}
            <div className="actions">
              <button type="submit" className="btn btn-small" disabled={comment.trim() === '' || actions.comment.isPending}>
                Add comment
              </button>
            </div>
          </form>
        )}
      </section>
    </div>
  );
};

/** One change request: the diff, its reviews and comments, and what the signed-in user may do with it. */
export const ChangeRequestPage = ({ project, environment }: { project: ProjectView; environment: EnvironmentView }) => {
  const { number = '' } = useParams();
  const query = useChangeRequest(project.key, Number(number));
  return (
    <QueryView query={query} loadingLabel="Loading change request…">
      {(request) => <ChangeRequestView project={project} environment={environment} request={request} />}
    </QueryView>
  );
};
