import { useState } from 'react';
import { type EnvironmentView, type ProjectView, useRotateSdkKey } from '../../../api/projects';
import { CopySecret } from '../../../components/common/CopySecret';
import { ActionsColumnHeader } from '../../../components/common/RowButtons';
import { ConfirmDialog } from '../ConfirmDialog/ConfirmDialog';

/** The project's SDK key per environment; rotating one asks first, then shows the new key once. */
export const SdkKeys = ({ project }: { project: ProjectView }) => {
  const rotate = useRotateSdkKey(project.key);
  const [rotating, setRotating] = useState<EnvironmentView | null>(null);
  const [shown, setShown] = useState<{ environment: string; key: string } | null>(null);
  return (
    <section className="card section" aria-labelledby="sdk-keys">
      <h2 id="sdk-keys">SDK keys of {project.name}</h2>
      <p className="muted">One per environment: read that environment's config and send events, nothing else.</p>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Environment</th>
            <th scope="col">Key</th>
            <ActionsColumnHeader />
          </tr>
        </thead>
        <tbody>
          {project.environments.map((env) => (
            <tr key={env.key}>
              <td>{env.name}</td>
              <td>
                <code>{env.sdkKeyPrefix ?? 'sbk_'}…</code>
              </td>
              <td className="row-actions">
                <button type="button" className="btn btn-small" disabled={rotate.isPending} onClick={() => setRotating(env)}>
                  Rotate key
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown && <CopySecret label={`New SDK key for ${shown.environment}`} secret={shown.key} onDismiss={() => setShown(null)} />}
      {rotating && (
        <ConfirmDialog
          title={`Rotate the SDK key of ${rotating.name}?`}
          confirmLabel="Rotate key"
          tone="danger"
          onConfirm={async () => {
            const result = await rotate.mutateAsync(rotating.key);
            setShown({ environment: rotating.name, key: result.sdkKey });
          }}
          onClose={() => setRotating(null)}
        >
          <p>SDKs using the old key of {rotating.name} are refused from now on; the new key is shown once.</p>
        </ConfirmDialog>
      )}
    </section>
  );
};
