import type { Role, TokenAccess } from './roles.js';

/** Who is calling, once their credential has been checked. */
export type Principal =
  | {
      kind: 'user';
      id: string;
      name: string;
      role: Role;
      /** SIGNALBOX_REQUIRE_TWO_FACTOR is on and this password user has no second factor yet: only enrolment is open to them. */
      secondFactorPending?: true;
    }
  | { kind: 'token'; id: string; name: string; access: TokenAccess; projects: string[] | null; environments: string[] | null }
  | { kind: 'admin-token'; name: string }
  | { kind: 'sdk'; keyId: string; environmentId: string };

/** The identity recorded in the audit log for a change. */
export interface Actor {
  type: 'user' | 'token' | 'admin-token' | 'system' | 'trigger';
  id: string | null;
  name: string;
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: null, name: 'signalbox' };

export const actorOf = (principal: Principal): Actor => {
  switch (principal.kind) {
    case 'user':
      return { type: 'user', id: principal.id, name: principal.name };
    case 'token':
      return { type: 'token', id: principal.id, name: `token:${principal.name}` };
    case 'admin-token':
      return { type: 'admin-token', id: null, name: principal.name };
    case 'sdk':
      return { type: 'system', id: principal.keyId, name: 'sdk' };
  }
};
