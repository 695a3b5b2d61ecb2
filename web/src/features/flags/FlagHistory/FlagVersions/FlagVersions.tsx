import { useState } from 'react';
import { usePermissions } from '../../../../api/auth';
import { useFlag } from '../../../../api/flags';
import { useProjects } from '../../../../api/projects';
import { type ChangeRequest, isChangeRequestCreated } from '../../../../api/changeRequests';
import { ChangeRequestNotice } from '../../../changeRequests/ChangeRequestNotice/ChangeRequestNotice';
import { type FlagVersion, useFlagVersions, useRevertFlagConfig } from '../../../../api/versions';
import { Badge } from '../../../../components/common/Badge';
import { formatTime } from '../../../../components/common/format';
import { EmptyState, QueryView } from '../../../../components/common/StateViews';
import { RevertDialog } from '../RevertDialog/RevertDialog';

const describe = (v: FlagVersion): string => (v.revertedTo !== null ? `${v.action} to v${v.revertedTo}` : v.action);

/** The config's versions in one environment, newest first, each one a revert away (for editors). */
export const FlagVersions = ({ project, flagKey, environment }: { project: string; flagKey: string; environment: string }) => {
  const versions = useFlagVersions(project, flagKey, environment);
  const flag = useFlag(project, flagKey).data;
  const projects = useProjects().data;
  const { canEdit } = usePermissions();
  const revert = useRevertFlagConfig(project, flagKey, environment);
  const [target, setTarget] = useState<FlagVersion | null>(null);
  const [requested, setRequested] = useState<ChangeRequest | null>(null);
  const current = flag?.environments[environment];
  const reasonRequired = projects?.find((p) => p.key === project)?.environments.find((e) => e.key === environment)?.requireChangeReason ?? false;
  const canRevert = canEdit && flag !== undefined && !flag.archived;
  return (
    <section className="flag-versions" aria-label={`Config versions in ${environment}`}>
      <h3>Config versions in {environment}</h3>
      {requested && <ChangeRequestNotice request={requested} />}
      <QueryView query={versions} loadingLabel="Loading versions…">
        {(data) => {
          const items = data.pages.flatMap((p) => p.items);
          const last = data.pages.at(-1);
          if (items.length === 0) return <EmptyState title="No config versions recorded yet." />;
          return (
            <>
              <ol className="audit-list">
                {items.map((v) => (
                  <li key={v.version} className="audit-entry" aria-label={`Version ${v.version}`}>
                    <strong>v{v.version}</strong> <Badge tone={v.config.killed ? 'killed' : 'info'}>{describe(v)}</Badge>{' '}
                    <span className="audit-actor">by {v.actor.name}</span> <time dateTime={v.at}>{formatTime(v.at)}</time>
                    {v.reason && <span className="audit-reason"> “{v.reason}”</span>}
                    {canRevert && current && v.version !== current.version && (
                      <button type="button" className="btn btn-small" onClick={() => setTarget(v)}>
                        Revert to this version
                      </button>
                    )}
                    {current?.version === v.version && <span className="muted"> (current)</span>}
                  </li>
                ))}
              </ol>
              {versions.hasNextPage && (
                <button type="button" className="btn" onClick={() => void versions.fetchNextPage()} disabled={versions.isFetchingNextPage}>
                  {versions.isFetchingNextPage ? 'Loading…' : 'Load older versions'}
                </button>
              )}
              {last?.earlierVersionsMissing && <p className="muted">Earlier versions are older than the audit log holds and cannot be restored.</p>}
            </>
          );
        }}
      </QueryView>
      {target && current && (
        <RevertDialog
          flagKey={flagKey}
          environment={environment}
          current={current}
          target={target}
          reasonRequired={reasonRequired}
          onSubmit={async (request) => {
            // Where the environment requires approval, the revert waits in a change request.
            const answer: unknown = await revert.mutateAsync(request);
            setRequested(isChangeRequestCreated(answer) ? answer.changeRequest : null);
            return answer;
          }}
          onClose={() => setTarget(null)}
        />
      )}
    </section>
  );
};
