import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { conflict, DomainError, notFound, unauthenticated, validationFailed } from '../common/errors/domain-error.js';
import { DomainEvents } from '../common/events/domain-events.js';
import { CHANNELS } from '../database/database-target.js';
import { Database, LOCKS } from '../database/database.service.js';
import { NotificationsService } from '../database/notifications.service.js';
import type { ApiTokenEntity } from './api-token.entity.js';
import { AuthRepository } from './auth.repository.js';
import { CredentialsService } from './credentials.service.js';
import type { CreateTokenDto, CreateUserDto, UpdateUserDto } from './dto/auth.dto.js';
import type { CreatedUserResponse, IssuedTokenResponse, TokenResponse, UserResponse } from './dto/auth.response.js';
import { type LoginAttempt, LoginThrottle, SignInThrottled } from './login-throttle.js';
import { hashPassword, randomPassword, verifyPassword } from './password.js';
import { type Actor, SYSTEM_ACTOR } from './principal.js';
import { hashSecret, issueSecret, SECRET_PREFIX } from './secrets.js';
import type { OidcFailure } from './oidc/oidc-sign-in.js';
import { type SecondFactorFailure, TwoFactorService } from './two-factor/two-factor.service.js';
import type { UserEntity } from './user.entity.js';

export const toUserView = (u: UserEntity): UserResponse => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  disabled: u.disabledAt !== null,
  createdAt: u.createdAt.toISOString(),
  twoFactor: u.totpEnabledAt !== null,
  singleSignOn: u.oidcSubject !== null,
});

const toTokenView = (t: ApiTokenEntity): TokenResponse => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  access: t.access,
  projects: t.projects,
  environments: t.environments,
  createdBy: t.createdBy,
  createdAt: t.createdAt.toISOString(),
  expiresAt: t.expiresAt?.toISOString() ?? null,
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
});

/** The longest a token may be issued for: a forgotten token should not outlive its purpose by decades. */
export const TOKEN_MAX_LIFETIME_DAYS = 5 * 366;

/** The expiry asked for, checked against `now`: in the future and at most TOKEN_MAX_LIFETIME_DAYS ahead. */
const tokenExpiry = (requested: string | null | undefined, now: number): Date | null => {
  if (requested == null) return null;
  const at = new Date(requested);
  if (at.getTime() <= now) throw validationFailed([{ field: 'expiresAt', reason: 'expiresAt must be in the future' }]);
  if (at.getTime() > now + TOKEN_MAX_LIFETIME_DAYS * 86_400_000) {
    throw validationFailed([{ field: 'expiresAt', reason: 'expiresAt must be at most 5 years ahead' }]);
  }
  return at;
};

/** Why a sign-in failed, as audited (the caller hears the same 401 for the first three). */
export type SignInFailure = 'unknown-user' | 'wrong-password' | 'disabled' | 'throttled' | SecondFactorFailure | OidcFailure;

/** How a sign-in went beyond the password, as audited: a second factor, or a provider's name. */
export type SignInMethod = { secondFactor: 'totp' | 'recovery-code' } | { provider: string };

/** The second factor, when a user has one: a TOTP code or a recovery code. */
export interface SecondFactorAnswer {
  code?: string;
  recoveryCode?: string;
}

// A hash to compare against when the email is unknown, so both paths cost one scrypt.
const DUMMY_HASH = hashPassword('not-a-real-password');

/** Users, sessions and API tokens. */
@Injectable()
export class AuthService implements OnApplicationBootstrap, OnModuleInit {
  private readonly logger = new Logger('auth');

  constructor(
    private readonly repository: AuthRepository,
    private readonly credentials: CredentialsService,
    private readonly audit: AuditService,
    private readonly db: Database,
    private readonly notifications: NotificationsService,
    private readonly events: DomainEvents,
    private readonly throttle: LoginThrottle,
    private readonly twoFactor: TwoFactorService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // Every instance (this one too) hears of revoked SDK keys, forgets them and drops their connections.
  onModuleInit(): void {
    this.notifications.on(CHANNELS.sdkKeys, (payload) => {
      const { environmentId, keyIds } = payload as { environmentId?: unknown; keyIds?: unknown };
      this.credentials.forgetSdkKeys();
      if (typeof environmentId === 'string' && Array.isArray(keyIds)) {
        this.events.emit('sdk-keys.revoked', { environmentId, keyIds: keyIds.filter((k): k is string => typeof k === 'string') });
      }
    });
  }

  /** The first start creates an admin, so a new install can be signed into. */
  async onApplicationBootstrap(): Promise<void> {
    const password = this.config.adminPassword ?? randomPassword();
    // Instances starting together on a new database: only the first creates the admin.
    const created = await this.db.exclusively(LOCKS.seeding, async () => {
      if ((await this.repository.countUsers()) > 0) return false;
      const user = await this.repository.saveUser({
        email: this.config.adminEmail,
        name: 'Admin',
        role: 'admin',
        passwordHash: await hashPassword(password),
        disabledAt: null,
      });
      await this.audit.record({ actor: SYSTEM_ACTOR, action: 'user.created', resourceType: 'user', resourceKey: user.email, after: toUserView(user) });
      return true;
    });
    if (!created) return;
    if (!this.config.adminPassword) {
      // Printed, not logged: log pipelines keep lines forever, a terminal does not.
      process.stdout.write(
        `\n  Signalbox created the first admin.\n    email:    ${this.config.adminEmail}\n    password: ${password}\n  It is shown only this once; ` +
          `change it after signing in.\n\n`,
      );
    }
    this.logger.log(`created the first admin ${this.config.adminEmail}`);
  }

  /** `address` is the client's, for the per-address backoff; throws RATE_LIMITED while a backoff applies. */
  async login(
    email: string,
    password: string,
    address: string | undefined,
    secondFactor: SecondFactorAnswer = {},
  ): Promise<{ token: string; expiresAt: Date; user: UserResponse }> {
    let attempt: LoginAttempt;
    try {
      attempt = await this.throttle.begin(email, address);
    } catch (err) {
      // Only the first refusal of each wait is audited, so refused clients cannot fill the log.
      if (err instanceof SignInThrottled && err.firstOfWait) await this.auditSignIn(email, address, null, 'throttled');
      throw err;
    }
    // From here on every attempt was counted by the throttle: failures are audited at the rate it lets through.
    const user = await this.repository.findUserByEmail(email);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await DUMMY_HASH));
    if (!user || !ok || user.disabledAt) {
      await this.auditSignIn(email, address, user, !user ? 'unknown-user' : !ok ? 'wrong-password' : 'disabled');
      throw unauthenticated('Email or password is wrong');
    }
    let method: SignInMethod | null = null;
    if (user.totpEnabledAt) {
      // The attempt stays counted as a failure: asking for the code must not reset the throttle for whoever has the password.
      if (secondFactor.code === undefined && secondFactor.recoveryCode === undefined) {
        throw new DomainError('UNAUTHENTICATED', 'Enter the 6-digit code from your authenticator app, or a recovery code', { secondFactor: 'totp' });
      }
      const failure = await this.twoFactor.verify(user, secondFactor.code, secondFactor.recoveryCode);
      if (failure) {
        await this.auditSignIn(email, address, user, failure);
        throw new DomainError('UNAUTHENTICATED', 'The code is wrong or was already used', { secondFactor: 'totp' });
      }
      method = { secondFactor: secondFactor.recoveryCode !== undefined ? 'recovery-code' : 'totp' };
    }
    await this.throttle.succeeded(attempt);
    const session = await this.startSession(user);
    await this.auditSignIn(email, address, user, null, method);
    return { ...session, user: toUserView(user) };
  }

  /** A console session for a user whose credentials were checked. */
  async startSession(user: UserEntity): Promise<{ token: string; expiresAt: Date }> {
    const session = issueSecret(SECRET_PREFIX.session);
    const expiresAt = new Date(Date.now() + this.config.sessionTtlHours * 3_600_000);
    await this.repository.insertSession({ userId: user.id, tokenHash: session.hash, expiresAt });
    return { token: session.secret, expiresAt };
  }

  /**
   * One audit entry per sign-in: the email as typed (never the password), the client's address and,
   * for a failure, why. About a user, so only admins read them (ADMIN_ONLY_RESOURCE_TYPES).
   */
  async auditSignIn(
    email: string,
    address: string | undefined,
    user: UserEntity | null,
    failure: SignInFailure | null,
    method: SignInMethod | null = null,
  ): Promise<void> {
    const typed = email.trim().toLowerCase();
    await this.audit.record({
      actor: { type: 'user', id: user?.id ?? null, name: typed },
      action: failure === null ? 'auth.signed_in' : 'auth.sign_in_failed',
      resourceType: 'user',
      // resource_key holds 128 characters; the whole email is in `after`.
      resourceKey: typed.slice(0, 128),
      reason: failure,
      after: { email: typed, address: address ?? null, ...method, ...(failure === null ? {} : { failure }) },
      announce: false,
    });
  }

  async logout(sessionToken: string): Promise<void> {
    await this.repository.deleteSessionByHash(hashSecret(sessionToken));
  }

  async me(userId: string): Promise<UserResponse> {
    const user = await this.repository.findUserById(userId);
    if (!user) throw notFound('User', userId);
    return toUserView(user);
  }

  async listUsers(): Promise<UserResponse[]> {
    return (await this.repository.listUsers()).map(toUserView);
  }

  async createUser(actor: Actor, input: CreateUserDto): Promise<CreatedUserResponse> {
    const email = input.email.toLowerCase();
    const generated = input.password === undefined ? randomPassword() : undefined;
    const passwordHash = await hashPassword(input.password ?? generated!);
    return this.db.transaction(async () => {
      if (await this.repository.findUserByEmail(email)) throw conflict(`A user with email ${email} already exists`);
      const user = await this.repository.saveUser({ email, name: input.name, role: input.role, passwordHash, disabledAt: null });
      await this.audit.record({ actor, action: 'user.created', resourceType: 'user', resourceKey: email, after: toUserView(user) });
      return generated ? { user: toUserView(user), password: generated } : { user: toUserView(user) };
    });
  }

  async updateUser(actor: Actor, id: string, input: UpdateUserDto): Promise<UserResponse> {
    const passwordHash = input.password !== undefined ? await hashPassword(input.password) : undefined;
    return this.db.transaction(async () => {
      const user = await this.repository.findUserById(id);
      if (!user) throw notFound('User', id);
      if (actor.id === id && ((input.role !== undefined && input.role !== 'admin') || input.disabled)) {
        throw validationFailed([{ field: input.disabled ? 'disabled' : 'role', reason: 'admins cannot demote or disable themselves' }]);
      }
      const before = toUserView(user);
      if (input.name !== undefined) user.name = input.name;
      if (input.role !== undefined) user.role = input.role;
      if (input.disabled !== undefined) user.disabledAt = input.disabled ? (user.disabledAt ?? new Date()) : null;
      if (passwordHash !== undefined) user.passwordHash = passwordHash;
      const saved = await this.repository.saveUser(user);
      if (input.disabled || passwordHash !== undefined) await this.repository.deleteSessionsOfUser(id);
      await this.audit.record({ actor, action: 'user.updated', resourceType: 'user', resourceKey: user.email, before, after: toUserView(saved) });
      return toUserView(saved);
    });
  }

  async listTokens(): Promise<TokenResponse[]> {
    return (await this.repository.listTokens()).map(toTokenView);
  }

  async createToken(actor: Actor, input: CreateTokenDto): Promise<IssuedTokenResponse> {
    if (input.access !== 'kill-switch' && (input.projects || input.environments)) {
      throw validationFailed([
        { field: input.projects ? 'projects' : 'environments', reason: 'only kill-switch tokens can be limited to projects or environments' },
      ]);
    }
    const expiresAt = tokenExpiry(input.expiresAt, Date.now());
    const issued = issueSecret(SECRET_PREFIX.apiToken);
    return this.db.transaction(async () => {
      const token = await this.repository.insertToken({
        name: input.name,
        tokenHash: issued.hash,
        prefix: issued.prefix,
        access: input.access,
        projects: input.projects ?? null,
        environments: input.environments ?? null,
        expiresAt,
        createdBy: actor.name,
      });
      await this.audit.record({ actor, action: 'token.created', resourceType: 'token', resourceKey: token.name, after: toTokenView(token) });
      return { token: toTokenView(token), secret: issued.secret };
    });
  }

  async revokeToken(actor: Actor, id: string): Promise<void> {
    await this.db.transaction(async () => {
      const token = await this.repository.findTokenById(id);
      if (!token) throw notFound('Token', id);
      if (token.revokedAt) return;
      await this.repository.revokeToken(id);
      await this.audit.record({ actor, action: 'token.revoked', resourceType: 'token', resourceKey: token.name, before: toTokenView(token) });
    });
  }

  /** Issues the environment's SDK key, revoking any previous one. The secret is returned once. */
  async issueSdkKey(environmentId: string): Promise<{ secret: string; prefix: string; revokedKeyIds: string[] }> {
    const issued = issueSecret(SECRET_PREFIX.sdkKey);
    const revokedKeyIds = await this.repository.revokeSdkKeys(environmentId);
    await this.repository.insertSdkKey({ environmentId, keyHash: issued.hash, prefix: issued.prefix });
    if (revokedKeyIds.length > 0) await this.notifications.notify(CHANNELS.sdkKeys, { environmentId, keyIds: revokedKeyIds });
    this.db.afterCommit(() => {
      this.credentials.forgetSdkKeys();
      if (revokedKeyIds.length > 0) this.events.emit('sdk-keys.revoked', { environmentId, keyIds: revokedKeyIds });
    });
    return { secret: issued.secret, prefix: issued.prefix, revokedKeyIds };
  }

  async sdkKeyPrefix(environmentId: string): Promise<string | null> {
    return (await this.repository.findActiveSdkKey(environmentId))?.prefix ?? null;
  }
}
