import { useState } from 'react';
import type { FlagConfigView } from '../../../api/flags';
import type { EnvironmentView } from '../../../api/projects';
import { type ScheduledChange, type ScheduledChangeStatus, useCancelScheduledChange, useScheduledChanges } from '../../../api/scheduledChanges';
import { Badge, type Tone } from '../../../components/common/Badge';
import { DiffView } from '../../../components/common/DiffView';
import { toEditable } from '../flagConfig';
import { EditScheduleDialog } from './EditScheduleDialog';
import { inZones } from './scheduleTime';

const STATUS_TONES: Record<ScheduledChangeStatus, Tone> = { scheduled: 'info', applied: 'on', conflict: 'warn', failed: 'warn', cancelled: 'neutral' };
/** Finished changes shown under the pending ones: enough to see what just ran or failed. */
const RECENT_FINISHED = 3;

const When = ({ iso }: { iso: string }) => {
  const { local, utc } = inZones(iso);
  return (
    <span className="scheduled-when">
      <time dateTime={iso}>{local}</time>
      {local !== utc && <span className="muted"> ({utc})</span>}
    </span>
  );
};

/** The config's scheduled changes in one environment: what will change, when, by whom and why; editors can edit or cancel them. */
export const ScheduledChanges = ({
  project,
  flagKey,
  environment,
  config,
  canEdit,
}: {
  project: string;
  flagKey: string;
  environment: EnvironmentView;
  config: FlagConfigView;
  canEdit: boolean;
}) => {
  const { data: changes = [] } = useScheduledChanges(project, flagKey, environment.key);
  const cancel = useCancelScheduledChange(project, flagKey, environment.key);
  const [editing, setEditing] = useState<ScheduledChange | null>(null);
  const pending = changes.filter((c) => c.status === 'scheduled');
  const finished = changes
    .filter((c) => c.status !== 'scheduled')
    .sort((a, b) => (b.finishedAt ?? '').localeCompare(a.finishedAt ?? ''))
    .slice(0, RECENT_FINISHED);
  if (changes.length === 0) return null;
  return (
    <section className="card section scheduled-changes" aria-label={`Scheduled changes in ${environment.name}`}>
      <h3>Scheduled changes</h3>
      {pending.length === 0 && <p className="muted">Nothing is scheduled in {environment.name}.</p>}
      <ul className="plain-list">
        {[...pending, ...finished].map((change) => (
          <li key={change.id} aria-label={`Scheduled change for ${inZones(change.runAt).utc}`} className="scheduled-change">
            <p>
              <When iso={change.runAt} /> <Badge tone={STATUS_TONES[change.status]}>{change.status}</Badge>
              {change.appliedVersion !== null && <span className="muted"> as version {change.appliedVersion}</span>}
            </p>
            <p className="muted">
              by {change.author.name}
              {change.reason && <> — “{change.reason}”</>}
            </p>
            {change.stale && (
              <p className="form-error" role="note">
                The config has changed since this was scheduled (version {change.baseVersion}, now {config.version}): it will not be applied unless rebased.
              </p>
            )}
            {change.failure && (
              <p className="form-error" role="note">
                Not applied: {change.failure.message}
              </p>
            )}
            {change.proposed ? (
              <DiffView before={toEditable(config)} after={toEditable(change.proposed)} />
            ) : (
              <details>
                <summary>The change ({change.kind})</summary>
                <pre>{JSON.stringify(change.config, null, 2)}</pre>
              </details>
            )}
            {canEdit && change.status === 'scheduled' && (
              <div className="row-buttons">
                <button type="button" className="btn btn-small" onClick={() => setEditing(change)}>
                  Edit
                </button>
                <button type="button" className="btn btn-small btn-danger" disabled={cancel.isPending} onClick={() => cancel.mutate({ id: change.id })}>
                  Cancel change
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
      {editing && (
        <EditScheduleDialog
          project={project}
          flagKey={flagKey}
          environment={environment}
          change={editing}
          currentVersion={config.version}
          onClose={() => setEditing(null)}
        />
      )}
    </section>
  );
};
