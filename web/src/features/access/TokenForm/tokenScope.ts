import type { ApiToken, NewToken, TokenAccess } from '../../../api/access';
import type { ProjectView } from '../../../api/projects';

/** Which projects (or environments) a token may act in: every one, or only those listed (never none). */
export type ScopeChoice = { kind: 'all' } | { kind: 'only'; keys: string[] };

export const ALL: ScopeChoice = { kind: 'all' };

/** The API limits only kill-switch tokens; a role token acts everywhere its role allows. */
export const scopable = (access: TokenAccess): access is 'kill-switch' => access === 'kill-switch';

export const toggleKey = (choice: ScopeChoice, key: string, checked: boolean): ScopeChoice => {
  const keys = choice.kind === 'only' ? choice.keys : [];
  return { kind: 'only', keys: checked ? [...keys.filter((k) => k !== key), key] : keys.filter((k) => k !== key) };
};

export interface EnvironmentOption {
  key: string;
  /** The names it has in the projects offered, e.g. "Production" (or "Prod, Production" where they differ). */
  label: string;
}

/**
 * The environments a token's limit can name: those of the chosen projects (of all projects when
 * none are chosen). A token's environment limit is by key, so one key stands for that environment
 * in every project it is allowed in.
 */
export const environmentOptions = (projects: ProjectView[], chosen: ScopeChoice): EnvironmentOption[] => {
  const names = new Map<string, Set<string>>();
  for (const project of projects) {
    if (chosen.kind === 'only' && !chosen.keys.includes(project.key)) continue;
    for (const env of project.environments) names.set(env.key, (names.get(env.key) ?? new Set()).add(env.name));
  }
  return [...names].map(([key, set]) => ({ key, label: [...set].join(', ') }));
};

/** What the form sends: a limit only for kill-switch tokens, and only for the dimensions the user narrowed. */
export const toNewToken = (
  input: { name: string; access: TokenAccess; projects: ScopeChoice; environments: ScopeChoice },
  offered: EnvironmentOption[],
): NewToken => {
  if (!scopable(input.access)) return { name: input.name, access: input.access };
  const offeredKeys = new Set(offered.map((o) => o.key));
  return {
    name: input.name,
    access: input.access,
    ...(input.projects.kind === 'only' ? { projects: input.projects.keys } : {}),
    // An environment left checked from a project the user then unchose is not sent.
    ...(input.environments.kind === 'only' ? { environments: input.environments.keys.filter((k) => offeredKeys.has(k)) } : {}),
  };
};

/** A token's limit in words, for the list: "all projects" / "demo, ops". */
export const describeScope = (token: Pick<ApiToken, 'access' | 'projects' | 'environments'>): { projects: string; environments: string } | null =>
  scopable(token.access)
    ? {
        projects: token.projects === null ? 'all projects' : token.projects.join(', '),
        environments: token.environments === null ? 'all environments' : token.environments.join(', '),
      }
    : null;
