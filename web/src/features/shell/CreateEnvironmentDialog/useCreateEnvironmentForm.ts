import { type CreatedEnvironment, useCreateEnvironment } from '../../../api/projects';
import { useCreateForm } from '../useCreateForm';

export const useCreateEnvironmentForm = (project: string, onCreated: (created: CreatedEnvironment) => void) => {
  const create = useCreateEnvironment(project);
  return useCreateForm(
    { key: '', name: '', requireChangeReason: false },
    'environment',
    (values) => create.mutateAsync({ key: values.key, name: values.name.trim(), requireChangeReason: values.requireChangeReason }),
    onCreated,
  );
};
