import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { settledWithin } from '../common/async/settled-within.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { isDatabaseUnavailable } from '../database/unavailable.js';
import { AuthRepository } from './auth.repository.js';
import type { Principal } from './principal.js';
import { hashSecret, SECRET_PREFIX } from './secrets.js';

// SDK keys authenticate every remote evaluation and snapshot poll; a short cache keeps those off
// the database. Revocation clears it here at once (other instances within the TTL).
const SDK_KEY_CACHE_MS = 5_000;
const TOKEN_TOUCH_INTERVAL_MS = 60_000;
/** How long a request waits for the database to check again a key it knew, before serving what it knew (a frozen database never answers). */
const KNOWN_KEY_WAIT_MS = 1_000;
const NO_ANSWER = Symbol('no answer');

/** A checked credential: whom it names, or why it is refused (said to the caller as a 401). */
export type Authentication = { ok: true; principal: Principal } | { ok: false; refusal: 'unknown' | 'expired'; message: string };

const UNKNOWN: Authentication = { ok: false, refusal: 'unknown', message: 'The credential is unknown, revoked or expired' };

/** Turns a presented secret into a principal, or a refusal when it is unknown, revoked or expired. */
@Injectable()
export class CredentialsService {
  private readonly logger = new Logger('auth');
  private readonly sdkKeyCache = new Map<string, { principal: Principal; until: number }>();
  private readonly sdkKeyLookups = new Map<string, Promise<Principal | null>>();
  /** Bumped when keys are forgotten: a lookup begun before does not fill the cache. */
  private sdkKeyGeneration = 0;
  private readonly tokenTouchedAt = new Map<string, number>();
  private adminDigest: { token: string; digest: Buffer } | undefined;

  constructor(
    private readonly repository: AuthRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async resolve(secret: string): Promise<Principal | null> {
    const checked = await this.authenticate(secret);
    return checked.ok ? checked.principal : null;
  }

  /** Like `resolve`, with the reason for a refusal (an expired API token names its expiry). */
  async authenticate(secret: string): Promise<Authentication> {
    // The secret is hashed once, for the admin token's comparison and the lookup by hash (this runs for every SDK request).
    const hash = hashSecret(secret);
    const adminToken = this.config.adminToken;
    if (adminToken && timingSafeEqual(Buffer.from(hash, 'hex'), this.adminTokenDigest(adminToken))) {
      return { ok: true, principal: { kind: 'admin-token', name: 'admin-token' } };
    }
    if (secret.startsWith(SECRET_PREFIX.apiToken)) return this.resolveApiToken(hash);
    const principal = secret.startsWith(SECRET_PREFIX.session)
      ? await this.resolveSession(hash)
      : secret.startsWith(SECRET_PREFIX.sdkKey)
        ? await this.resolveSdkKey(hash)
        : null;
    return principal ? { ok: true, principal } : UNKNOWN;
  }

  /** The admin token's SHA-256 (as secretsEqual compares), computed once per token value. */
  private adminTokenDigest(token: string): Buffer {
    if (this.adminDigest?.token !== token) this.adminDigest = { token, digest: Buffer.from(hashSecret(token), 'hex') };
    return this.adminDigest.digest;
  }

  /** Which of these SDK key ids are still active (a revocation may have been missed while cut off). */
  activeSdkKeyIds(ids: string[]): Promise<Set<string>> {
    return this.repository.activeSdkKeyIds(ids);
  }

  forgetSdkKeys(): void {
    this.sdkKeyGeneration += 1;
    this.sdkKeyCache.clear();
    this.sdkKeyLookups.clear();
  }

  private async resolveSession(hash: string): Promise<Principal | null> {
    const session = await this.repository.findSessionByHash(hash);
    if (!session || session.expiresAt.getTime() <= Date.now()) return null;
    const user = await this.repository.findUserById(session.userId);
    if (!user || user.disabledAt) return null;
    const pending = this.config.requireTwoFactor && user.totpEnabledAt === null && user.oidcSubject === null;
    return { kind: 'user', id: user.id, name: user.email, role: user.role, ...(pending ? { secondFactorPending: true as const } : {}) };
  }

  private async resolveApiToken(hash: string): Promise<Authentication> {
    const token = await this.repository.findActiveTokenByHash(hash);
    if (!token) return UNKNOWN;
    const now = Date.now();
    if (token.expiresAt && token.expiresAt.getTime() <= now) {
      return { ok: false, refusal: 'expired', message: `The API token expired on ${token.expiresAt.toISOString()}` };
    }
    await this.touch(token.id, now);
    return {
      ok: true,
      principal: { kind: 'token', id: token.id, name: token.name, access: token.access, projects: token.projects, environments: token.environments },
    };
  }

  /**
   * Records the token's use at most once a minute per instance (and, by the conditional update,
   * once a minute between instances), so the hot path rarely writes. Outside any transaction, and
   * a failed write is only logged: the request it authenticates must not fail for it.
   */
  private async touch(tokenId: string, now: number): Promise<void> {
    if (now - (this.tokenTouchedAt.get(tokenId) ?? 0) < TOKEN_TOUCH_INTERVAL_MS) return;
    this.tokenTouchedAt.set(tokenId, now);
    try {
      await this.repository.touchToken(tokenId, new Date(now), new Date(now - TOKEN_TOUCH_INTERVAL_MS));
    } catch (err) {
      this.logger.warn({ tokenId, reason: err instanceof Error ? err.message : String(err) }, 'could not record when the API token was last used');
    }
  }

  private async resolveSdkKey(hash: string): Promise<Principal | null> {
    const cached = this.sdkKeyCache.get(hash);
    if (cached && cached.until > Date.now()) return cached.principal;
    const lookup = this.lookUpSdkKey(hash);
    if (cached === undefined) return lookup;
    // A key this instance knew keeps reading config and sending telemetry when the database cannot
    // say (down: an error; frozen: no answer in time). No revocation can commit meanwhile, and one
    // committed before was heard, which forgot the cache.
    try {
      const found = await settledWithin(lookup, KNOWN_KEY_WAIT_MS, NO_ANSWER);
      return found === NO_ANSWER ? cached.principal : found;
    } catch (err) {
      if (isDatabaseUnavailable(err)) return cached.principal;
      throw err;
    }
  }

  /** One database lookup per key at a time; its answer is cached unless keys were forgotten (a revocation) while it ran. */
  private lookUpSdkKey(hash: string): Promise<Principal | null> {
    const running = this.sdkKeyLookups.get(hash);
    if (running !== undefined) return running;
    const generation = this.sdkKeyGeneration;
    const lookup = this.repository
      .findActiveSdkKeyByHash(hash)
      .then((key) => {
        const principal: Principal | null = key ? { kind: 'sdk', keyId: key.id, environmentId: key.environmentId } : null;
        if (generation === this.sdkKeyGeneration) {
          if (principal === null) this.sdkKeyCache.delete(hash);
          else this.sdkKeyCache.set(hash, { principal, until: Date.now() + SDK_KEY_CACHE_MS });
        }
        return principal;
      })
      .finally(() => {
        if (this.sdkKeyLookups.get(hash) === lookup) this.sdkKeyLookups.delete(hash);
      });
    this.sdkKeyLookups.set(hash, lookup);
    return lookup;
  }
}
