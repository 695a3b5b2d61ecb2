import { useProjects, type ProjectView } from '../../../api/projects';
import { PageHeader } from '../../../components/common/PageHeader';
import { SdkKeys } from '../SdkKeys/SdkKeys';
import { TokenForm } from '../TokenForm/TokenForm';
import { TokenList } from '../TokenList/TokenList';

export const AccessPage = ({ project }: { project: ProjectView }) => {
  // Every project, for a kill-switch token's limits; the page's own project until they load.
  const projects = useProjects();
  return (
    <div className="page">
      <PageHeader title="API tokens & SDK keys" description="Secrets are stored hashed and shown once." />
      <section className="card section" aria-labelledby="api-tokens">
        <h2 id="api-tokens">API tokens</h2>
        <TokenForm projects={projects.data ?? [project]} />
        <TokenList />
      </section>
      <SdkKeys project={project} />
    </div>
  );
};
