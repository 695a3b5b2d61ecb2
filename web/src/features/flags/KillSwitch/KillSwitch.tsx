import { useState } from 'react';
import type { ChangeRequest } from '../../../api/changeRequests';
import { ChangeRequestNotice } from '../../changeRequests/ChangeRequestNotice/ChangeRequestNotice';
import { type FlagView, useKillSwitch } from '../../../api/flags';
import { type EnvironmentView, useDelivery } from '../../../api/projects';
import { formatTime } from '../../../components/common/format';
import { PowerIcon } from '../../../components/common/PowerIcon';
import { KillDialog } from '../KillDialog/KillDialog';

const DeliveryStatus = ({ project, environment }: { project: string; environment: string }) => {
  const { data } = useDelivery(project, environment);
  if (!data) return null;
  return (
    <p className="delivery" role="status">
      {data.connected === 0
        ? 'No SDKs are connected to this environment right now.'
        : `Confirmed by ${data.confirmed} of ${data.connected} connected SDK${data.connected === 1 ? '' : 's'}.`}
    </p>
  );
};

/** The big red button, and the banner while a flag is killed. */
export const KillSwitch = ({
  project,
  flag,
  environment,
  environments,
  canEdit,
}: {
  project: string;
  flag: FlagView;
  environment: EnvironmentView;
  environments: EnvironmentView[];
  canEdit: boolean;
}) => {
  const config = flag.environments[environment.key];
  const [dialog, setDialog] = useState<'kill' | 'restore' | null>(null);
  const [acted, setActed] = useState(false);
  const [requested, setRequested] = useState<ChangeRequest | null>(null);
  const { kill, restore } = useKillSwitch(project, flag.key);
  if (!config) return null;
  const offVariant = config.offVariant ?? "the caller's default";
  return (
    <section className={`kill-switch ${config.killed ? 'kill-switch-killed' : ''}`} aria-label="Kill switch">
      {config.killed ? (
        <div className="kill-banner" role="status">
          <div>
            <h2>
              <PowerIcon size={22} /> Killed in {environment.name}
            </h2>
            <p>
              Serving <strong>{offVariant}</strong> to everyone. <span className="kill-reason">“{config.kill?.reason}”</span>
            </p>
            <p className="muted-inverse">
              by {config.kill?.by} · {formatTime(config.kill?.at)}
            </p>
          </div>
          {canEdit && (
            <button type="button" className="btn btn-large btn-restore" onClick={() => setDialog('restore')}>
              Restore
            </button>
          )}
        </div>
      ) : (
        <div className="kill-idle">
          <div>
            <h2>Kill switch</h2>
            <p className="muted">
              Stops this flag in {environment.name} at once: every SDK serves <strong>{offVariant}</strong>, whatever the rules say.
            </p>
          </div>
          {canEdit && (
            <button type="button" className="btn btn-large btn-danger" onClick={() => setDialog('kill')}>
              <PowerIcon /> Kill switch
            </button>
          )}
        </div>
      )}
      {requested && <ChangeRequestNotice request={requested} />}
      {acted && !requested && <DeliveryStatus project={project} environment={environment.key} />}
      {dialog && (
        <KillDialog
          mode={dialog}
          flagKey={flag.key}
          environment={environment}
          environments={environments}
          onClose={() => setDialog(null)}
          onSubmit={async ({ reason, environments: keys }) => {
            if (dialog === 'kill') {
              await kill.mutateAsync({ reason, environments: keys });
              setRequested(null);
            } else {
              // Where the environment requires approval, the restore waits in a change request; killing never does.
              const answer = await restore.mutateAsync({ reason: reason || undefined, environments: keys });
              setRequested(answer?.changeRequest ?? null);
            }
            setActed(true);
          }}
        />
      )}
    </section>
  );
};
