import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service.js';
import { Database } from '../../database/database.service.js';
import { AuthRepository } from '../auth.repository.js';
import { AuthService, toUserView } from '../auth.service.js';
import type { Actor } from '../principal.js';
import type { Role } from '../roles.js';
import type { UserEntity } from '../user.entity.js';
import { OidcClient } from './oidc-client.js';
import { claimValues, mappedRole } from './oidc-roles.js';

/** Why a sign-in through the provider was refused, as audited. */
export type OidcFailure =
  | 'oidc-no-mapped-role'
  | 'oidc-no-email'
  | 'oidc-email-taken'
  | 'oidc-state-mismatch'
  | 'oidc-nonce-mismatch'
  | 'oidc-expired-flow'
  | 'oidc-provider-error'
  | 'oidc-invalid-response';

/** A refusal to show the browser: a page title, what happened and what to do. */
export class OidcRefusal extends Error {
  constructor(
    readonly failure: OidcFailure | 'disabled',
    readonly title: string,
    message: string,
    readonly email: string | null = null,
  ) {
    super(message);
  }

  /** Set once the refusal is in the audit log. */
  audited = false;
}

// No password: verifyPassword refuses anything that is not an scrypt hash, so only the provider signs this user in.
const NO_PASSWORD = '!oidc';

/**
 * Turns the provider's claims into a Signalbox user: found by the issuer's subject (or, the first
 * time, by a verified email), created if new, its role set from the role claim at every sign-in,
 * so the provider stays the one place where access is granted and taken away.
 */
@Injectable()
export class OidcSignIn {
  constructor(
    private readonly client: OidcClient,
    private readonly users: AuthRepository,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly db: Database,
  ) {}

  async signIn(claims: Record<string, unknown>, address: string | undefined): Promise<{ token: string; expiresAt: Date; user: UserEntity }> {
    const settings = this.client.settings!;
    const provider = settings.name;
    const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
    const subject = `${String(claims.iss)} ${String(claims.sub)}`;
    const refuse = async (failure: OidcFailure | 'disabled', title: string, message: string, user: UserEntity | null = null): Promise<never> => {
      await this.auth.auditSignIn(email || `oidc:${String(claims.sub)}`, address, user, failure, { provider });
      const refusal = new OidcRefusal(failure, title, message, email || null);
      refusal.audited = true;
      throw refusal;
    };
    if (!email) {
      return refuse('oidc-no-email', 'No email address', `${provider} did not say your email address (the email claim; ask for the email scope).`);
    }
    const values = claimValues(claims, settings.roleClaim);
    const role = mappedRole(values, settings.roleMap);
    const known = (await this.users.findUserByOidcSubject(subject)) ?? null;
    if (role === null) {
      // Access taken away at the provider ends the sessions it gave.
      if (known) await this.users.deleteSessionsOfUser(known.id);
      return refuse(
        'oidc-no-mapped-role',
        'No Signalbox role',
        `Your ${provider} account ${email} has no Signalbox role: none of the values of its "${settings.roleClaim}" claim ` +
          `(${values.length > 0 ? values.map((v) => JSON.stringify(v)).join(', ') : 'none'}) is mapped to a role. ` +
          `Ask an administrator to add you to a group that SIGNALBOX_OIDC_ROLE_MAP maps (${[...settings.roleMap.keys()].map((v) => JSON.stringify(v)).join(', ')}).`,
        known,
      );
    }
    const name = [claims.name, claims.preferred_username, email].find((v): v is string => typeof v === 'string' && v.trim() !== '')!.slice(0, 200);
    const outcome = await this.db.transaction(async () => {
      const user = known ?? (await this.users.findUserByEmail(email));
      if (user && user.oidcSubject !== null && user.oidcSubject !== subject) return { taken: user };
      // An existing password user is linked by email only when the provider vouches for it.
      if (user && user.oidcSubject === null && claims.email_verified === false) return { taken: user };
      return { user: await this.provision(user, { email, name, role, subject }) };
    });
    if ('taken' in outcome) {
      return refuse(
        'oidc-email-taken',
        'Email already in use',
        `A Signalbox user with the email ${email} exists and is not linked to this ${provider} account. Ask an administrator.`,
        outcome.taken,
      );
    }
    const user = outcome.user;
    if (user.disabledAt) return refuse('disabled', 'Account disabled', `The Signalbox user ${email} is disabled. Ask an administrator.`, user);
    const session = await this.auth.startSession(user);
    await this.auth.auditSignIn(email, address, user, null, { provider });
    return { ...session, user };
  }

  /** A refusal before the provider said who the user is (a wrong state or nonce, an expired flow): audited without a user. */
  async auditRefusal(failure: OidcFailure, address: string | undefined): Promise<void> {
    await this.auth.auditSignIn(`oidc:${this.client.settings!.name}`, address, null, failure, { provider: this.client.settings!.name });
  }

  /** Creates the user, or brings its email, name, role and link up to date; audited as the provider's change. */
  private async provision(user: UserEntity | null, from: { email: string; name: string; role: Role; subject: string }): Promise<UserEntity> {
    const actor: Actor = { type: 'system', id: null, name: `oidc:${this.client.settings!.name}` };
    if (!user) {
      const created = await this.users.saveUser({
        email: from.email,
        name: from.name,
        role: from.role,
        passwordHash: NO_PASSWORD,
        disabledAt: null,
        oidcSubject: from.subject,
      });
      await this.audit.record({ actor, action: 'user.created', resourceType: 'user', resourceKey: created.email, after: toUserView(created) });
      return created;
    }
    const before = toUserView(user);
    // The email can change at the provider (the subject is what identifies the user), unless another user has it.
    const email = user.email === from.email || !(await this.users.findUserByEmail(from.email)) ? from.email : user.email;
    if (user.email === email && user.name === from.name && user.role === from.role && user.oidcSubject === from.subject) return user;
    Object.assign(user, { email, name: from.name, role: from.role, oidcSubject: from.subject });
    const saved = await this.users.saveUser(user);
    await this.audit.record({ actor, action: 'user.updated', resourceType: 'user', resourceKey: saved.email, before, after: toUserView(saved) });
    return saved;
  }
}
