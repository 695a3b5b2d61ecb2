import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { forbidden, unauthenticated } from '../common/errors/domain-error.js';
import { ACCESS_KEY, type AccessRequirement, OPEN_BEFORE_SECOND_FACTOR_KEY } from './access.decorator.js';
import { CredentialsService } from './credentials.service.js';
import type { Principal } from './principal.js';
import { roleAtLeast } from './roles.js';

export const SESSION_COOKIE = 'signalbox_session';

/** The credential and where it came from; an Authorization header wins over the cookie. */
const presentedSecret = (req: Request): { secret: string; via: 'header' | 'cookie' } | undefined => {
  const header = req.header('authorization');
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match?.[1] ? { secret: match[1], via: 'header' } : undefined;
  }
  const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
  return cookie ? { secret: cookie, via: 'cookie' } : undefined;
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const firstValue = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value?.split(',')[0])?.trim() || undefined;

/**
 * Why a request authenticated by the session cookie must be refused as cross-site, or null.
 * Browsers attach the cookie to any site's form or fetch; they also say where such a request came
 * from (Origin, else Referer), which a page cannot forge. So a write must name this server's own
 * host there — the Host header, or the X-Forwarded-Host a proxy that rewrites Host passes on (a
 * cross-site page cannot add either header). Without Origin or Referer it is refused too. The
 * scheme is not compared: a proxy terminating TLS sees http for an https page.
 */
export const crossSiteRefusal = (req: { method: string; headers: Record<string, string | string[] | undefined> }): string | null => {
  if (SAFE_METHODS.has(req.method.toUpperCase())) return null;
  const source = firstValue(req.headers.origin) ?? firstValue(req.headers.referer);
  if (!source) return 'A change made with the session cookie must say where it comes from (Origin or Referer header)';
  let from: URL;
  try {
    from = new URL(source);
  } catch {
    return `Cross-site request refused: Origin '${source.slice(0, 100)}' is not this server`;
  }
  const hosts = [firstValue(req.headers['x-forwarded-host']), firstValue(req.headers.host)].filter((h): h is string => h !== undefined);
  // Parsed with the source's scheme, so a default port (:443, :80) compares equal to none.
  const ours = hosts.map((h) => (URL.canParse(`${from.protocol}//${h}`) ? new URL(`${from.protocol}//${h}`).host : null));
  if ((from.protocol === 'http:' || from.protocol === 'https:') && ours.includes(from.host)) return null;
  return `Cross-site request refused: ${from.origin === 'null' ? 'that origin' : from.origin} is not this server's origin`;
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
    const presented = presentedSecret(req);
    if (!presented) throw unauthenticated();
    // Only the cookie is sent by browsers on their own: bearer credentials need no Origin check.
    if (presented.via === 'cookie') {
      const refusal = crossSiteRefusal(req);
      if (refusal) throw forbidden(refusal);
    }
    const checked = await this.credentials.authenticate(presented.secret);
    if (!checked.ok) throw unauthenticated(checked.message);
    const principal = checked.principal;
    req.principal = principal;
    if (principal.kind === 'user' && principal.secondFactorPending) {
      const open = this.reflector.getAllAndOverride<boolean | undefined>(OPEN_BEFORE_SECOND_FACTOR_KEY, [context.getHandler(), context.getClass()]);
      if (!open) throw forbidden('This server requires two-factor sign-in: set it up first (POST /api/v1/auth/two-factor/enrolment)');
    }
    const projectKey = typeof req.params?.projectKey === 'string' ? req.params.projectKey : undefined;
    if (!permits(principal, requirement, projectKey)) {
      throw forbidden(
        principal.kind === 'sdk'
          ? "SDK keys can read their environment's config and send events, nothing else"
          : requirement === 'sdk'
            ? 'This endpoint takes an SDK key'
            : `This needs the ${requirement} role`,
      );
    }
    return true;
  }
}
