import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { AuthRepository } from './auth.repository.js';
import type { Principal } from './principal.js';
import { hashSecret, SECRET_PREFIX, secretsEqual } from './secrets.js';

// SDK keys authenticate every remote evaluation and snapshot poll; a short cache keeps those off
// the database. Revocation clears it here at once (other instances within the TTL).
const SDK_KEY_CACHE_MS = 5_000;
const TOKEN_TOUCH_INTERVAL_MS = 60_000;

/** Turns a presented secret into a principal, or null when it is unknown, revoked or expired. */
@Injectable()
export class CredentialsService {
  private readonly sdkKeyCache = new Map<string, { principal: Principal; until: number }>();
  private readonly tokenTouchedAt = new Map<string, number>();

  constructor(
    private readonly repository: AuthRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async resolve(secret: string): Promise<Principal | null> {
    if (this.config.adminToken && secretsEqual(secret, this.config.adminToken)) {
      return { kind: 'admin-token', name: 'admin-token' };
    }
    if (secret.startsWith(SECRET_PREFIX.session)) return this.resolveSession(secret);
    if (secret.startsWith(SECRET_PREFIX.apiToken)) return this.resolveApiToken(secret);
    if (secret.startsWith(SECRET_PREFIX.sdkKey)) return this.resolveSdkKey(secret);
    return null;
  }

  /** Which of these SDK key ids are still active (a revocation may have been missed while cut off). */
  activeSdkKeyIds(ids: string[]): Promise<Set<string>> {
    return this.repository.activeSdkKeyIds(ids);
  }

  forgetSdkKeys(): void {
    this.sdkKeyCache.clear();
  }

  private async resolveSession(secret: string): Promise<Principal | null> {
    const session = await this.repository.findSessionByHash(hashSecret(secret));
    if (!session || session.expiresAt.getTime() <= Date.now()) return null;
    const user = await this.repository.findUserById(session.userId);
    if (!user || user.disabledAt) return null;
    return { kind: 'user', id: user.id, name: user.email, role: user.role };
  }

  private async resolveApiToken(secret: string): Promise<Principal | null> {
    const token = await this.repository.findActiveTokenByHash(hashSecret(secret));
    if (!token) return null;
    const now = Date.now();
    if (now - (this.tokenTouchedAt.get(token.id) ?? 0) > TOKEN_TOUCH_INTERVAL_MS) {
      this.tokenTouchedAt.set(token.id, now);
      await this.repository.touchToken(token.id, new Date(now));
    }
    return { kind: 'token', id: token.id, name: token.name, access: token.access, projects: token.projects, environments: token.environments };
  }

  private async resolveSdkKey(secret: string): Promise<Principal | null> {
    const hash = hashSecret(secret);
    const cached = this.sdkKeyCache.get(hash);
    if (cached && cached.until > Date.now()) return cached.principal;
    const key = await this.repository.findActiveSdkKeyByHash(hash);
    if (!key) {
      this.sdkKeyCache.delete(hash);
      return null;
    }
    const principal: Principal = { kind: 'sdk', keyId: key.id, environmentId: key.environmentId };
    this.sdkKeyCache.set(hash, { principal, until: Date.now() + SDK_KEY_CACHE_MS });
    return principal;
  }
}
