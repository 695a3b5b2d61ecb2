import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { usePermissions } from '../../../api/auth';
import { type Experiment, type ExperimentRecommendation, useExperimentRecommendations, useExperiments } from '../../../api/experiments';
import type { EnvironmentView, ProjectView } from '../../../api/projects';
import { Badge } from '../../../components/common/Badge';
import { formatRelative } from '../../../components/common/format';
import { PageHeader } from '../../../components/common/PageHeader';
import { EmptyState, QueryView } from '../../../components/common/StateViews';
import { paths } from '../../shell/workspace/workspace';
import { CreateExperimentForm } from '../CreateExperimentForm/CreateExperimentForm';
import { RECOMMENDATION_LABELS, recommendationTone } from '../experimentSeries';

/** A running experiment's badge is what its results recommend now; a closed one shows the decision taken. */
const RecommendationCell = ({ experiment, recommendations }: { experiment: Experiment; recommendations: ReturnType<typeof useExperimentRecommendations> }) => {
  if (experiment.status !== 'running')
    return experiment.decision ? (
      <Badge tone={experiment.decision === 'promoted' ? 'on' : 'off'}>
        {experiment.decision}
        {experiment.winner ? ` ${experiment.winner}` : ''}
      </Badge>
    ) : (
      <span className="muted">—</span>
    );
  if (recommendations.isPending) return <span className="muted small">…</span>;
  const now: ExperimentRecommendation | undefined = recommendations.data?.find((r) => r.experiment === experiment.key);
  if (!now) return <span className="muted small">unavailable</span>;
  return (
    <Badge tone={recommendationTone(now.recommendation)}>
      {RECOMMENDATION_LABELS[now.recommendation]}
      {now.winner ? `: ${now.winner}` : ''}
    </Badge>
  );
};

/** Experiments of the project: which variant of a flag wins on a tracked metric. */
export const ExperimentsPage = ({ project, environment }: { project: ProjectView; environment: EnvironmentView }) => {
  const { canEdit } = usePermissions();
  const navigate = useNavigate();
  const [status, setStatus] = useState<Experiment['status'] | ''>('');
  const [creating, setCreating] = useState(false);
  const experiments = useExperiments(project.key, { status: status || undefined });
  const recommendations = useExperimentRecommendations(
    project.key,
    (experiments.data ?? []).some((x) => x.status === 'running'),
  );
  const envName = (key: string) => project.environments.find((e) => e.key === key)?.name ?? key;

  return (
    <div className="page">
      <PageHeader
        title="Experiments"
        description="Compare a flag's variants on a metric the SDK tracks, with confidence intervals and a recommendation."
        actions={
          canEdit &&
          !creating && (
            <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
              + New experiment
            </button>
          )
        }
      />
      {creating && (
        <CreateExperimentForm
          project={project}
          environment={environment.key}
          onCancel={() => setCreating(false)}
          onCreated={(experiment) => navigate(paths.experiment(project.key, environment.key, experiment.key))}
        />
      )}
      <section className="card section" aria-labelledby="experiment-list">
        <div className="section-head">
          <h2 id="experiment-list">All experiments</h2>
          <div className="field">
            <label htmlFor="experiment-status">Status</label>
            <select id="experiment-status" value={status} onChange={(e) => setStatus(e.target.value as Experiment['status'] | '')}>
              <option value="">any</option>
              <option value="running">running</option>
              <option value="closed">closed</option>
            </select>
          </div>
        </div>
        <QueryView
          query={experiments}
          loadingLabel="Loading experiments…"
          empty={<EmptyState title="No experiments yet.">{canEdit ? 'Start one to compare a flag’s variants.' : 'Editors can start one.'}</EmptyState>}
        >
          {(list) => (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Experiment</th>
                    <th scope="col">Status</th>
                    <th scope="col">Flag</th>
                    <th scope="col">Environment</th>
                    <th scope="col">Metric</th>
                    <th scope="col">Recommendation</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((x) => (
                    <tr key={x.key}>
                      <td>
                        <Link to={paths.experiment(project.key, environment.key, x.key)}>{x.name || x.key}</Link>
                        <div className="muted small">
                          <code>{x.key}</code> · started {formatRelative(x.startedAt)}
                        </div>
                      </td>
                      <td>
                        <Badge tone={x.status === 'running' ? 'info' : 'neutral'}>{x.status}</Badge>
                      </td>
                      <td>
                        <Link to={paths.flag(project.key, x.environment, x.flag)}>
                          <code>{x.flag}</code>
                        </Link>
                        <div className="muted small">
                          {x.controlVariant} vs {x.treatmentVariants.join(', ')}
                        </div>
                      </td>
                      <td>{envName(x.environment)}</td>
                      <td>
                        <code>{x.primaryMetric.name}</code> <span className="muted small">{x.primaryMetric.type}</span>
                      </td>
                      <td>
                        <RecommendationCell experiment={x} recommendations={recommendations} />
                      </td>
                    </tr>
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
