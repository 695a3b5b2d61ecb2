import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal } from './principal.js';
import type { Role } from './roles.js';

/**
 * Who may call a route. Every route declares one; the guard refuses routes without it, so a
 * forgotten decorator fails closed.
 * - `public`: anyone (health, login);
 * - a role: users and API tokens with at least that role, and the admin token;
 * - `kill-switch`: editors and up, and `kill-switch` tokens within their projects/environments;
 * - `sdk`: an environment's SDK key only.
 */
export type AccessRequirement = 'public' | Role | 'kill-switch' | 'sdk';

export const ACCESS_KEY = 'signalbox:access';

export const Access = (requirement: AccessRequirement) => SetMetadata(ACCESS_KEY, requirement);

export const OPEN_BEFORE_SECOND_FACTOR_KEY = 'signalbox:open-before-second-factor';

/** Routes a user who must still enrol a second factor may call (who am I, sign out, enrolment). */
export const OpenBeforeSecondFactor = () => SetMetadata(OPEN_BEFORE_SECOND_FACTOR_KEY, true);

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/** The authenticated caller (the guard has run). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<Request>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public route');
  return principal;
});
