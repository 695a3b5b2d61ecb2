import { Injectable } from '@nestjs/common';
import { actorOf, type Principal } from '../auth/principal.js';
import { DomainError, type FieldProblem, validationFailed, versionConflict } from '../common/errors/domain-error.js';
import type { EditableFlagConfig, FlagConfigState } from '../flags/flag-config-change.js';
import type { FlagEnvironmentRef } from '../flags/flag-environment.decorator.js';
import type { FlagConfigView } from '../flags/flag.mapper.js';
import { FlagsService } from '../flags/flags.service.js';
import type { ChangeRequestCreatedResponse } from './dto/change-request.response.js';
import { ChangeRequestsService } from './change-requests.service.js';

const stateOf = (view: FlagConfigView): FlagConfigState => ({
  on: view.on,
  kill: view.kill,
  offVariant: view.offVariant,
  targets: view.targets,
  rules: view.rules,
  defaultRule: view.defaultRule,
  prerequisites: view.prerequisites,
});

/**
 * Where direct writes meet environments that require approval. The flag, revert, kill-switch and
 * flags-as-code routes ask it first: in such an environment a config write, revert, restore or
 * archive becomes a pending change request (the route answers 202 with it) and nothing is written.
 * Kills and triggers never come here: stopping is never blocked.
 */
@Injectable()
export class ChangeRequestGate {
  constructor(
    private readonly requests: ChangeRequestsService,
    private readonly flags: FlagsService,
  ) {}

  /**
   * A config write (PUT, PATCH, revert) based on `basedOnVersion`: null when the environment takes
   * it directly; else the request made from it. `build` makes the whole config from the current one.
   */
  async configWrite(
    principal: Principal,
    ref: FlagEnvironmentRef,
    write: { basedOnVersion: number; reason?: string; build: (current: FlagConfigState) => EditableFlagConfig | Promise<EditableFlagConfig> },
  ): Promise<ChangeRequestCreatedResponse | null> {
    if (!(await this.requests.requiresApproval(ref.projectKey, ref.environmentKey))) return null;
    const current = await this.flags.getConfig(ref.projectKey, ref.flagKey, ref.environmentKey);
    // As the direct write would: a stale version is refused, not turned into a stale request.
    if (write.basedOnVersion !== current.version) throw versionConflict(`The config of '${ref.flagKey}' in ${ref.environmentKey}`, current.version, current);
    const change = await write.build(stateOf(current));
    const changeRequest = await this.requests
      .create(actorOf(principal), ref.projectKey, {
        kind: 'config',
        flagKey: ref.flagKey,
        environmentKey: ref.environmentKey,
        baseVersion: current.version,
        change,
        reason: write.reason?.trim() ? write.reason : `Change to ${ref.flagKey} in ${ref.environmentKey}`,
      })
      .catch((err: unknown) => {
        // The caller sent a config body, not a request: name the fields as the direct write would.
        if (err instanceof DomainError && err.code === 'VALIDATION_FAILED' && Array.isArray(err.details))
          throw validationFailed((err.details as FieldProblem[]).map((p) => ({ ...p, field: p.field.replace(/^change\./, '') })));
        throw err;
      });
    return { changeRequest };
  }

  /** A restore: null when the environment takes it directly; a kill-switch token gets 403 APPROVAL_REQUIRED; others get a request. */
  async restore(principal: Principal, ref: FlagEnvironmentRef, reason?: string): Promise<ChangeRequestCreatedResponse | null> {
    if (!(await this.requests.requiresApproval(ref.projectKey, ref.environmentKey))) return null;
    if (principal.kind === 'token' && principal.access === 'kill-switch')
      throw new DomainError(
        'APPROVAL_REQUIRED',
        `${ref.environmentKey} requires approval to restore: a kill-switch token can kill there, but a restore needs a change request from an editor`,
        { environment: ref.environmentKey },
      );
    const current = await this.flags.getConfig(ref.projectKey, ref.flagKey, ref.environmentKey);
    const changeRequest = await this.requests.create(actorOf(principal), ref.projectKey, {
      kind: 'restore',
      flagKey: ref.flagKey,
      environmentKey: ref.environmentKey,
      baseVersion: current.version,
      reason: reason?.trim() ? reason : `Restore ${ref.flagKey} in ${ref.environmentKey}`,
    });
    return { changeRequest };
  }

  /** An archive: null when no environment of the project requires approval; else a request. */
  async archive(principal: Principal, projectKey: string, flagKey: string, reason?: string): Promise<ChangeRequestCreatedResponse | null> {
    const [environment] = await this.requests.gatedEnvironments(projectKey);
    if (environment === undefined) return null;
    const flag = await this.flags.get(projectKey, flagKey);
    if (flag.archived) return null;
    const changeRequest = await this.requests.create(actorOf(principal), projectKey, {
      kind: 'archive',
      flagKey,
      environmentKey: environment,
      baseVersion: flag.version,
      reason: reason?.trim() ? reason : `Archive ${flagKey}`,
    });
    return { changeRequest };
  }

  /**
   * Writes that cannot become one change request (a flags-as-code file or a copy, a restore across
   * environments or by tag): 403 APPROVAL_REQUIRED when any of `environments` requires approval.
   * `archives`: the write also archives flags, which every gated environment holds up. `environments`
   * absent: all of them.
   */
  async refuseGated(projectKey: string, environments: readonly string[] | undefined, what: string, archives = false): Promise<void> {
    const gated = await this.requests.gatedEnvironments(projectKey);
    // `environments` absent: every environment of the project.
    const hit = (archives && gated.length > 0) || environments === undefined ? gated : gated.filter((e) => environments.includes(e));
    if (hit.length > 0)
      throw new DomainError(
        'APPROVAL_REQUIRED',
        `${hit.join(', ')} ${hit.length === 1 ? 'requires' : 'require'} approval: ${what} cannot write there directly; create a change request for each change instead`,
        { environments: hit },
      );
  }
}
