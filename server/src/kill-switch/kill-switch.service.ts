import { Injectable } from '@nestjs/common';
import type { Actor } from '../auth/principal.js';
import { ChangesService } from '../changes/changes.service.js';
import { DomainError, notFound, validationFailed } from '../common/errors/domain-error.js';
import type { FlagConfigChange } from '../flags/flag-config-change.js';
import type { FlagConfigView } from '../flags/flag.mapper.js';
import type { FlagEnvironmentRef } from '../flags/flag-environment.decorator.js';
import { type ConfigWrite, FlagsService } from '../flags/flags.service.js';
import type { EnvironmentEntity } from '../projects/environment.entity.js';
import { ProjectsService } from '../projects/projects.service.js';
import { PresenceService } from '../realtime/presence.service.js';
import type { DeliveryResponse, EnvironmentKillResponse, FlagKillResponse, TagKillResponse, TaggedFlagResult } from './dto/kill-switch.dto.js';
import type { EnvironmentScope } from './environment-scope.js';

const POLL_MS = 20;

export interface KillSwitchRequest {
  actor: Actor;
  /** Environments the caller may act on. */
  scope: EnvironmentScope;
  reason?: string;
  waitForConfirmationMs?: number;
}

type Action = 'kill' | 'restore';

/** Kill: the config stays as it is and the kill overrides it; nothing to do when already killed. */
const killChange = (actor: Actor, reason: string): FlagConfigChange => ({
  action: 'flag.killed',
  reason,
  apply: (current) => (current.kill ? null : { ...current, kill: { reason, by: actor.name, at: new Date().toISOString() } }),
});

/** Restore: lifts the kill, so the config is exactly what it was before; nothing to do when not killed. */
const restoreChange = (reason: string | undefined): FlagConfigChange => ({
  action: 'flag.restored',
  reason,
  apply: (current) => (current.kill ? { ...current, kill: null } : null),
});

/**
 * Kill and restore across environments and by tag. Every flag write goes through FlagsService
 * (one transaction per environment and flag: audited, logged, pushed to SDKs); this service then
 * reports, and optionally waits for, the SDKs' confirmations of exactly those changes.
 */
@Injectable()
export class KillSwitchService {
  constructor(
    private readonly flags: FlagsService,
    private readonly projects: ProjectsService,
    private readonly changes: ChangesService,
    private readonly presence: PresenceService,
  ) {}

  /**
   * Kills the flag in one environment: it serves its off variant everywhere until restored. One
   * audited, versioned config write, or none when it already is killed (idempotent). No scope check:
   * the routes below make theirs; triggers and the demo have none.
   */
  kill(actor: Actor, flagEnvironment: FlagEnvironmentRef, reason: string): Promise<ConfigWrite> {
    return this.flags.changeConfig(actor, flagEnvironment, killChange(actor, reason));
  }

  /** Lifts a kill in one environment; everything else in the config is exactly as it was before. Idempotent. */
  restore(actor: Actor, flagEnvironment: FlagEnvironmentRef, reason?: string): Promise<ConfigWrite> {
    return this.flags.changeConfig(actor, flagEnvironment, restoreChange(reason));
  }

  /** Kill or restore in the one environment the route names, within the caller's scope. */
  async inEnvironment(
    action: Action,
    flagEnvironment: FlagEnvironmentRef,
    request: Pick<KillSwitchRequest, 'actor' | 'scope' | 'reason'>,
  ): Promise<FlagConfigView> {
    request.scope.check(flagEnvironment.environmentKey);
    return (await this.write(action, request.actor, flagEnvironment, request.reason)).config;
  }

  // A kill's reason is required and checked by each route before this.
  private write(action: Action, actor: Actor, flagEnvironment: FlagEnvironmentRef, reason: string | undefined): Promise<ConfigWrite> {
    return action === 'kill' ? this.kill(actor, flagEnvironment, reason!) : this.restore(actor, flagEnvironment, reason);
  }

  async flag(action: Action, projectKey: string, flagKey: string, requested: string[] | undefined, request: KillSwitchRequest): Promise<FlagKillResponse> {
    const project = await this.projects.project(projectKey);
    const environments = this.targets(await this.projects.environments(project.id), requested, request.scope, projectKey);
    if (action === 'kill' && !request.reason?.trim()) throw validationFailed([{ field: 'reason', reason: 'reason is required to kill a flag' }]);
    // All-or-nothing checks first, so a refusal never leaves the flag killed in some environments only
    // (an unknown or archived flag is refused by the first environment's write, before any change).
    this.assertReasonGiven(environments, request.reason);

    const writes: Array<{ environment: EnvironmentEntity; killed: boolean; version: number; changed: boolean; sequence: number }> = [];
    for (const environment of environments) {
      const write = await this.write(action, request.actor, { projectKey, flagKey, environmentKey: environment.key }, request.reason);
      // Nothing changed: SDKs that hold the newest sequence certainly serve this state.
      const sequence = write.sequence ?? (await this.changes.head(environment.id));
      writes.push({ environment, killed: write.config.killed, version: write.config.version, changed: write.changed, sequence });
    }
    const deliveries = await Promise.all(writes.map((w) => this.confirmations(w.environment.id, w.sequence, request.waitForConfirmationMs ?? 0)));
    return {
      flag: flagKey,
      action,
      environments: writes.map((w, i): EnvironmentKillResponse => ({
        environment: w.environment.key,
        killed: w.killed,
        version: w.version,
        sequence: w.sequence,
        changed: w.changed,
        delivery: deliveries[i]!,
      })),
    };
  }

  async byTag(action: Action, projectKey: string, environmentKey: string, tag: string, request: KillSwitchRequest): Promise<TagKillResponse> {
    request.scope.check(environmentKey);
    const project = await this.projects.project(projectKey);
    const environment = await this.projects.environment(project, environmentKey);
    if (action === 'kill' && !request.reason?.trim()) throw validationFailed([{ field: 'reason', reason: 'reason is required to kill flags' }]);
    this.assertReasonGiven([environment], request.reason);
    const tagged = await this.flags.list(projectKey, { tag, archived: 'active' });
    const results: TaggedFlagResult[] = [];
    // One flag at a time, each in its own transaction: a flag that cannot change must not keep the others running.
    for (const flag of tagged) {
      try {
        const write = await this.write(action, request.actor, { projectKey, flagKey: flag.key, environmentKey }, request.reason);
        results.push({ flag: flag.key, killed: write.config.killed, version: write.config.version, changed: write.changed, sequence: write.sequence });
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        results.push({
          flag: flag.key,
          killed: flag.environments[environmentKey]?.killed ?? false,
          version: flag.environments[environmentKey]?.version ?? 0,
          changed: false,
          sequence: null,
          error: { error: err.code, message: err.message },
        });
      }
    }
    const sequence = await this.changes.head(environment.id);
    return {
      environment: environmentKey,
      tag,
      action,
      flags: results,
      sequence,
      delivery: await this.confirmations(environment.id, sequence, request.waitForConfirmationMs ?? 0),
    };
  }

  /** Connected SDKs and how many applied `sequence`, polling until all did or `waitMs` passed. */
  async confirmations(environmentId: string, sequence: number, waitMs: number): Promise<DeliveryResponse> {
    const started = Date.now();
    for (;;) {
      const { connected, confirmed } = await this.presence.confirmations(environmentId, sequence);
      const waitedMs = Date.now() - started;
      const allConfirmed = confirmed >= connected;
      if (allConfirmed || waitedMs >= waitMs) return { connected, confirmed, allConfirmed, waitedMs };
      await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, waitMs - waitedMs)));
    }
  }

  private targets(all: EnvironmentEntity[], requested: string[] | undefined, scope: EnvironmentScope, projectKey: string): EnvironmentEntity[] {
    if (requested === undefined) return scope.within(all, projectKey);
    const byKey = new Map(all.map((e) => [e.key, e]));
    const keys = [...new Set(requested)];
    for (const key of keys) {
      if (!byKey.has(key)) throw notFound('Environment', `${projectKey}/${key}`);
      scope.check(key);
    }
    return keys.map((key) => byKey.get(key)!);
  }

  private assertReasonGiven(environments: EnvironmentEntity[], reason: string | undefined): void {
    if (reason?.trim()) return;
    const strict = environments.filter((e) => e.requireChangeReason).map((e) => e.key);
    if (strict.length > 0)
      throw validationFailed([{ field: 'reason', reason: `${strict.join(', ')} require${strict.length === 1 ? 's' : ''} a reason for every change` }]);
  }
}
