import { useState } from 'react';
import { type TokenAccess, useCreateToken } from '../../../api/access';
import { ApiError, errorMessage } from '../../../api/client';
import type { ProjectView } from '../../../api/projects';
import { type FieldErrors, toFieldErrors, withoutField } from '../../../components/common/fieldErrors';
import { expiryBounds, expiryOf } from './tokenExpiry';
import { ALL, environmentOptions, type ScopeChoice, scopable, toNewToken } from './tokenScope';

/** The fields the API names in a 400; anything else is shown above the button. */
const FORM_FIELDS = ['name', 'access', 'projects', 'environments', 'expiresAt'] as const;

/** The create-token form: name, access, an optional expiry day, and for kill-switch tokens the projects and environments it is limited to. */
export const useTokenForm = (projects: ProjectView[]) => {
  const [name, setNameValue] = useState('');
  const [access, setAccessValue] = useState<TokenAccess>('kill-switch');
  const [projectScope, setProjectScope] = useState<ScopeChoice>(ALL);
  const [environmentScope, setEnvironmentScope] = useState<ScopeChoice>(ALL);
  /** The day picked in the date input (`yyyy-mm-dd`), '' for a token that never expires. */
  const [expiryDay, setExpiryDay] = useState('');
  // Fixed when the form opens: the input's offered range, not a rule (expiryOf checks against the clock on submit).
  const [bounds] = useState(() => expiryBounds(Date.now()));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const create = useCreateToken();
  const offered = environmentOptions(projects, projectScope);

  const validate = (): FieldErrors => {
    const found: FieldErrors = {};
    if (!name.trim()) found.name = ['name the token after what uses it, e.g. pagerduty'];
    const expiry = expiryOf(expiryDay);
    if ('problem' in expiry) found.expiresAt = [expiry.problem];
    if (!scopable(access)) return found;
    if (projectScope.kind === 'only' && projectScope.keys.length === 0) found.projects = ['pick at least one project, or choose all projects'];
    const request = toNewToken({ name, access, projects: projectScope, environments: environmentScope }, offered);
    if (environmentScope.kind === 'only' && (request.environments ?? []).length === 0) {
      found.environments = ['pick at least one environment, or choose all environments'];
    }
    return found;
  };

  const submit = async () => {
    if (create.isPending) return false;
    const found = validate();
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length > 0) return false;
    try {
      const expiry = expiryOf(expiryDay);
      const expiresAt = 'expiresAt' in expiry ? expiry.expiresAt : undefined;
      const request = toNewToken({ name: name.trim(), access, projects: projectScope, environments: environmentScope }, offered);
      const created = await create.mutateAsync(expiresAt ? { ...request, expiresAt } : request);
      setSecret(created.secret);
      setNameValue('');
      setExpiryDay('');
      setProjectScope(ALL);
      setEnvironmentScope(ALL);
      return true;
    } catch (error) {
      const problems = error instanceof ApiError ? error.fieldErrors : [];
      const named = problems.filter((e) => (FORM_FIELDS as readonly string[]).includes(e.field));
      const unnamed = problems.filter((e) => !named.includes(e));
      setErrors(toFieldErrors(named));
      setFormError(unnamed.length > 0 ? unnamed.map((e) => `${e.field}: ${e.reason}`).join('; ') : named.length > 0 ? null : errorMessage(error));
      return false;
    }
  };

  // A field's message goes as soon as the user changes that field.
  const edited = (field: (typeof FORM_FIELDS)[number]) => setErrors((current) => withoutField(current, field));
  return {
    name,
    setName: (value: string) => {
      setNameValue(value);
      edited('name');
    },
    access,
    setAccess: (value: TokenAccess) => {
      setAccessValue(value);
      edited('access');
      // A role token cannot be limited: the limits the user picked no longer apply, so their messages go.
      if (!scopable(value)) setErrors((current) => withoutField(withoutField(current, 'projects'), 'environments'));
    },
    projectScope,
    setProjectScope: (value: ScopeChoice) => {
      setProjectScope(value);
      edited('projects');
    },
    environmentScope,
    setEnvironmentScope: (value: ScopeChoice) => {
      setEnvironmentScope(value);
      edited('environments');
    },
    expiryDay,
    expiryBounds: bounds,
    setExpiryDay: (value: string) => {
      setExpiryDay(value);
      edited('expiresAt');
    },
    environmentOptions: offered,
    errors,
    formError,
    secret,
    dismiss: () => setSecret(null),
    submit,
    pending: create.isPending,
  };
};

export type TokenFormState = ReturnType<typeof useTokenForm>;
