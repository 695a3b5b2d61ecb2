import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { forbidden, unauthenticated } from '../common/errors/domain-error.js';
import { ACCESS_KEY, type AccessRequirement } from './access.decorator.js';
import { CredentialsService } from './credentials.service.js';
import type { Principal } from './principal.js';
import { roleAtLeast } from './roles.js';

export const SESSION_COOKIE = 'signalbox_session';

const presentedSecret = (req: Request): string | undefined => {
  const header = req.header('authorization');
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match?.[1];
  }
  const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
  return cookie || undefined;
};

/** Whether `principal` satisfies `requirement`; `projectKey` is the route's project, if any. */
export const permits = (principal: Principal, requirement: Exclude<AccessRequirement, 'public'>, projectKey?: string): boolean => {
  if (requirement === 'sdk') return principal.kind === 'sdk';
  switch (principal.kind) {
    case 'sdk':
      return false;
    case 'admin-token':
      return true;
    case 'user':
      return requirement === 'kill-switch' ? roleAtLeast(principal.role, 'editor') : roleAtLeast(principal.role, requirement);
    case 'token':
      if (principal.access === 'kill-switch') {
        return requirement === 'kill-switch' && (principal.projects === null || (projectKey !== undefined && principal.projects.includes(projectKey)));
      }
      return requirement === 'kill-switch' ? roleAtLeast(principal.access, 'editor') : roleAtLeast(principal.access, requirement);
  }
};

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const requirement = this.reflector.getAllAndOverride<AccessRequirement | undefined>(ACCESS_KEY, [context.getHandler(), context.getClass()]);
    if (requirement === undefined) throw forbidden('This route declares no access rule');
    if (requirement === 'public') return true;
    const req = context.switchToHttp().getRequest<Request>();
    const secret = presentedSecret(req);
    if (!secret) throw unauthenticated();
    const principal = await this.credentials.resolve(secret);
    if (!principal) throw unauthenticated('The credential is unknown, revoked or expired');
    req.principal = principal;
    const projectKey = typeof req.params?.projectKey === 'string' ? req.params.projectKey : undefined;
    if (!permits(principal, requirement, projectKey)) {
      throw forbidden(
        principal.kind === 'sdk'
          ? 'SDK keys can read their environment\'s config and send events, nothing else'
          : requirement === 'sdk'
            ? 'This endpoint takes an SDK key'
            : `This needs the ${requirement} role`,
      );
    }
    return true;
  }
}
