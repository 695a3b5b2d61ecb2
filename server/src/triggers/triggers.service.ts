import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/principal.js';
import { hashSecret, issueSecret, SECRET_PREFIX } from '../auth/secrets.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import { Database } from '../database/database.service.js';
import type { FlagEnvironmentRef } from '../flags/flag-environment.decorator.js';
import { FlagsService } from '../flags/flags.service.js';
import { KillSwitchService } from '../kill-switch/kill-switch.service.js';
import { ProjectsService } from '../projects/projects.service.js';
import { describeSignal, readTriggerSignal } from './alert-payload.js';
import type { CreateTriggerDto, TriggerFiredResponse, TriggerResponse, UpdateTriggerDto } from './dto/trigger.dto.js';
import { TriggerCallLimit } from './trigger-call-limit.js';
import type { TriggerAction, TriggerEntity } from './trigger.entity.js';
import { TriggersRepository } from './triggers.repository.js';

export const TRIGGER_PATH = '/api/v1/triggers/';

interface TriggerTarget extends FlagEnvironmentRef {
  projectId: string;
  environmentId: string;
}

const toView = (trigger: TriggerEntity, environmentKey: string): TriggerResponse => ({
  id: trigger.id,
  name: trigger.name,
  description: trigger.description,
  flag: trigger.flagKey,
  environment: environmentKey,
  restoreOnResolve: trigger.restoreOnResolve,
  enabled: trigger.disabledAt === null,
  secretPrefix: trigger.secretPrefix,
  createdBy: trigger.createdBy,
  createdAt: trigger.createdAt.toISOString(),
  lastFiredAt: trigger.lastFiredAt?.toISOString() ?? null,
  lastAction: trigger.lastAction,
  fireCount: trigger.fireCount,
});

/** Same answer for an unknown, rotated-away and disabled secret: nothing tells them apart. */
const noSuchTrigger = (): DomainError => new DomainError('NOT_FOUND', 'No such trigger');

/** Trigger URLs: created and managed by editors, called by monitoring tools with the secret as the credential. */
@Injectable()
export class TriggersService {
  constructor(
    private readonly repository: TriggersRepository,
    private readonly flags: FlagsService,
    private readonly killSwitch: KillSwitchService,
    private readonly projects: ProjectsService,
    private readonly audit: AuditService,
    private readonly db: Database,
    private readonly callLimit: TriggerCallLimit,
  ) {}

  async list(flagEnvironment: FlagEnvironmentRef): Promise<TriggerResponse[]> {
    const target = await this.target(flagEnvironment);
    return (await this.repository.listForFlag(target.projectId, target.flagKey, target.environmentId)).map((t) => toView(t, target.environmentKey));
  }

  async create(actor: Actor, flagEnvironment: FlagEnvironmentRef, input: CreateTriggerDto): Promise<{ trigger: TriggerResponse; secret: string }> {
    return this.db.transaction(async () => {
      const target = await this.target(flagEnvironment);
      const issued = issueSecret(SECRET_PREFIX.trigger);
      const trigger = await this.repository.save({
        projectId: target.projectId,
        environmentId: target.environmentId,
        flagKey: target.flagKey,
        name: input.name,
        description: input.description ?? '',
        secretHash: issued.hash,
        secretPrefix: issued.prefix,
        restoreOnResolve: input.restoreOnResolve ?? false,
        disabledAt: null,
        createdBy: actor.name,
      });
      const view = toView(trigger, target.environmentKey);
      await this.record(actor, 'trigger.created', target, trigger, null, view);
      return { trigger: view, secret: issued.secret };
    });
  }

  async update(actor: Actor, flagEnvironment: FlagEnvironmentRef, id: string, input: UpdateTriggerDto): Promise<TriggerResponse> {
    return this.db.transaction(async () => {
      const { target, trigger } = await this.find(flagEnvironment, id);
      const before = toView(trigger, target.environmentKey);
      if (input.name !== undefined) trigger.name = input.name;
      if (input.description !== undefined) trigger.description = input.description;
      if (input.restoreOnResolve !== undefined) trigger.restoreOnResolve = input.restoreOnResolve;
      if (input.enabled !== undefined) trigger.disabledAt = input.enabled ? null : (trigger.disabledAt ?? new Date());
      const after = toView(await this.repository.save(trigger), target.environmentKey);
      const action = before.enabled && !after.enabled ? 'trigger.disabled' : !before.enabled && after.enabled ? 'trigger.enabled' : 'trigger.updated';
      await this.record(actor, action, target, trigger, before, after);
      return after;
    });
  }

  /** A new secret; the old URL stops working at once. */
  async rotate(actor: Actor, flagEnvironment: FlagEnvironmentRef, id: string): Promise<{ trigger: TriggerResponse; secret: string }> {
    return this.db.transaction(async () => {
      const { target, trigger } = await this.find(flagEnvironment, id);
      const before = toView(trigger, target.environmentKey);
      const issued = issueSecret(SECRET_PREFIX.trigger);
      trigger.secretHash = issued.hash;
      trigger.secretPrefix = issued.prefix;
      const after = toView(await this.repository.save(trigger), target.environmentKey);
      await this.record(actor, 'trigger.rotated', target, trigger, before, after);
      return { trigger: after, secret: issued.secret };
    });
  }

  async delete(actor: Actor, flagEnvironment: FlagEnvironmentRef, id: string): Promise<void> {
    await this.db.transaction(async () => {
      const { target, trigger } = await this.find(flagEnvironment, id);
      await this.repository.delete(trigger.id);
      await this.record(actor, 'trigger.deleted', target, trigger, toView(trigger, target.environmentKey), null);
    });
  }

  /**
   * A monitoring tool (or a script) called the URL. The presented secret is always hashed and
   * looked up once by its hash, so an unknown, rotated or disabled secret costs the same and
   * answers the same 404; plaintext secrets are never compared. Only then is the trigger's call
   * limit checked (429), so a URL that no longer works is a 404 however often it is called.
   */
  async fire(secret: string, body: unknown): Promise<TriggerFiredResponse> {
    const trigger = await this.repository.findActiveBySecretHash(hashSecret(secret));
    if (!trigger) throw noSuchTrigger();
    const found = await this.projects.environmentById(trigger.environmentId);
    if (!found) throw noSuchTrigger();
    const signal = readTriggerSignal(body);
    const reason = describeSignal(signal, trigger.name);
    const actor: Actor = { type: 'trigger', id: trigger.id, name: `trigger:${trigger.name}` };
    const target: TriggerTarget = {
      projectKey: found.project.key,
      projectId: found.project.id,
      flagKey: trigger.flagKey,
      environmentKey: found.environment.key,
      environmentId: found.environment.id,
    };

    // One transaction: the call's place in the limit, the flag change, the trigger's bookkeeping and its audit entry commit together.
    return this.callLimit.admit(trigger.id, async () => {
      let action: TriggerAction = 'ignored';
      let note: string | null = null;
      let changed = false;
      let killed: boolean;
      if (signal.intent === 'fire' || (signal.intent === 'resolve' && trigger.restoreOnResolve)) {
        const write = signal.intent === 'fire' ? await this.killSwitch.kill(actor, target, reason) : await this.killSwitch.restore(actor, target, reason);
        action = signal.intent === 'fire' ? 'killed' : 'restored';
        changed = write.changed;
        killed = write.config.killed;
      } else {
        note =
          signal.intent === 'resolve'
            ? 'This trigger does not restore on resolve; restore the flag by hand'
            : `Status '${signal.status}' neither fires nor resolves`;
        killed = (await this.flags.getConfig(target.projectKey, target.flagKey, target.environmentKey)).killed;
      }
      await this.repository.recordFired(trigger.id, action, new Date());
      // The flag's own entry (flag.killed / flag.restored) exists only when something changed; this one always does.
      await this.audit.record({
        actor,
        action: 'trigger.fired',
        resourceType: 'trigger',
        resourceKey: trigger.id,
        projectKey: target.projectKey,
        environmentKey: target.environmentKey,
        reason,
        after: { trigger: trigger.name, flag: target.flagKey, action, changed, source: signal.source, status: signal.status, alerts: signal.alerts },
      });
      return {
        trigger: trigger.name,
        flag: target.flagKey,
        environment: target.environmentKey,
        action,
        changed,
        killed,
        source: signal.source,
        alerts: signal.alerts,
        note,
      };
    });
  }

  private async target({ projectKey, flagKey, environmentKey }: FlagEnvironmentRef): Promise<TriggerTarget> {
    const project = await this.projects.project(projectKey);
    const environment = await this.projects.environment(project, environmentKey);
    await this.flags.get(projectKey, flagKey);
    return { projectKey, projectId: project.id, flagKey, environmentKey, environmentId: environment.id };
  }

  private async find(flagEnvironment: FlagEnvironmentRef, id: string): Promise<{ target: TriggerTarget; trigger: TriggerEntity }> {
    const target = await this.target(flagEnvironment);
    const trigger = await this.repository.findForFlag(id, target.projectId, target.flagKey, target.environmentId);
    if (!trigger) throw notFound('Trigger', id);
    return { target, trigger };
  }

  private record(
    actor: Actor,
    action: string,
    target: TriggerTarget,
    trigger: TriggerEntity,
    before: TriggerResponse | null,
    after: TriggerResponse | null,
  ): Promise<void> {
    return this.audit.record({
      actor,
      action,
      resourceType: 'trigger',
      resourceKey: trigger.id,
      projectKey: target.projectKey,
      environmentKey: target.environmentKey,
      before,
      after,
    });
  }
}
