import type { Role } from '../roles.js';
import { roleAtLeast } from '../roles.js';

/** The values at `path` (a claim name, or dotted for nested claims like Keycloak's `realm_access.roles`): strings, as a list. */
export const claimValues = (claims: Record<string, unknown>, path: string): string[] => {
  // A claim named with dots (e.g. "https://example.com/roles") is taken whole before it is read as a path.
  let value: unknown =
    path in claims
      ? claims[path]
      : path.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), claims);
  if (typeof value === 'string') value = [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
};

/** The highest role the values map to, or null when none is mapped. */
export const mappedRole = (values: readonly string[], roleMap: ReadonlyMap<string, Role>): Role | null => {
  let best: Role | null = null;
  for (const value of values) {
    const role = roleMap.get(value);
    if (role && (best === null || roleAtLeast(role, best))) best = role;
  }
  return best;
};
