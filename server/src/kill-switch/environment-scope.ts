import type { Principal } from '../auth/principal.js';
import { forbidden } from '../common/errors/domain-error.js';

/**
 * The environments a caller may kill and restore in: the one place a kill-switch token's
 * environment limit is checked. The guard has already checked its projects (auth.guard.ts); users
 * and other tokens that reach these routes may act everywhere.
 */
export class EnvironmentScope {
  /** No limit. */
  static readonly everywhere = new EnvironmentScope(null);

  /** `environments`: the keys allowed; null = every environment. */
  private constructor(private readonly environments: readonly string[] | null) {}

  static of(principal: Principal): EnvironmentScope {
    return principal.kind === 'token' && principal.access === 'kill-switch' ? new EnvironmentScope(principal.environments) : EnvironmentScope.everywhere;
  }

  allows(environmentKey: string): boolean {
    return this.environments === null || this.environments.includes(environmentKey);
  }

  /** 403 unless the environment is in scope. */
  check(environmentKey: string): void {
    if (!this.allows(environmentKey)) throw forbidden(`This token may not act on environment '${environmentKey}'`);
  }

  /** Those of a project's environments in scope; 403 when none is. */
  within<E extends { key: string }>(environments: readonly E[], projectKey: string): E[] {
    const allowed = environments.filter((e) => this.allows(e.key));
    if (allowed.length === 0) throw forbidden(`This token may not act on any environment of ${projectKey}`);
    return allowed;
  }
}
