export const ROLES = ['viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** An API token acts with a role, or only through the kill-switch endpoints. */
export const TOKEN_ACCESS = [...ROLES, 'kill-switch'] as const;
export type TokenAccess = (typeof TOKEN_ACCESS)[number];

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

export const roleAtLeast = (role: Role, required: Role): boolean => RANK[role] >= RANK[required];
