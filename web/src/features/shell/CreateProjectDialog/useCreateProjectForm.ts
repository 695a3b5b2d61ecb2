import { type CreatedProject, useCreateProject } from '../../../api/projects';
import { useCreateForm } from '../useCreateForm';

export const useCreateProjectForm = (onCreated: (created: CreatedProject) => void) => {
  const create = useCreateProject();
  return useCreateForm(
    { key: '', name: '', description: '' },
    'project',
    // The server gives a new project its development and production environments.
    (values) => create.mutateAsync({ key: values.key, name: values.name.trim(), description: values.description.trim() || undefined }),
    onCreated,
  );
};
