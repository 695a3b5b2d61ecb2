import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/principal.js';
import { hashSecret, issueSecret, SECRET_PREFIX } from '../auth/secrets.js';
import { DomainError, type FieldProblem, notFound, validationFailed } from '../common/errors/domain-error.js';
import { Database } from '../database/database.service.js';
import type { FlagEnvironmentRef } from '../flags/flag-environment.decorator.js';
import { FlagsService } from '../flags/flags.service.js';
import { KillSwitchService } from '../kill-switch/kill-switch.service.js';
import { ProjectsService } from '../projects/projects.service.js';
import { RolloutsService } from '../rollouts/rollouts.service.js';
import { bodyProblems, describeSignal, readEventSignal, readTriggerSignal, type TriggerSignal } from './alert-payload.js';
import { type HeaderBag, readCloudEvent } from './cloud-event.js';
import type { CreateTriggerDto, TriggerEffectDto, TriggerFiredResponse, TriggerResponse, UpdateTriggerDto } from './dto/trigger.dto.js';
import { TriggerCallLimit } from './trigger-call-limit.js';
import { configAfter, effectProblems, outcomeOf, type TriggerEffect, type TriggerOutcome, undoOf, type UndoEffect } from './trigger-effect.js';
import type { TriggerEntity } from './trigger.entity.js';
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
  effect: trigger.effect,
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

/** A call to a trigger URL as it arrived (its media type already checked: trigger-body.middleware). */
export interface TriggerCall {
  contentType: string | undefined;
  headers: HeaderBag;
  body: unknown;
}

const MAX_IDEMPOTENCY_KEY = 256;
/** How long a handled event's id is remembered: alerting tools resend within minutes, not days. */
const EVENT_MEMORY_MS = 24 * 60 * 60 * 1000;

/** What the call asks for and the event's identity (for idempotency), or the fields that make it unreadable. */
const readCall = (call: TriggerCall): { signal: TriggerSignal; eventId: string | null; eventKey: string | null } => {
  const reading = readCloudEvent(call.contentType, call.headers, call.body);
  if ('problems' in reading) throw validationFailed(reading.problems);
  const problems: FieldProblem[] = reading.event ? bodyProblems(reading.event.data, 'data') : bodyProblems(call.body);
  const rawKey = call.headers['idempotency-key'];
  const idempotencyKey = Array.isArray(rawKey) ? rawKey[0] : rawKey;
  if (idempotencyKey !== undefined && (idempotencyKey.trim() === '' || idempotencyKey.length > MAX_IDEMPOTENCY_KEY))
    problems.push({ field: 'idempotency-key', reason: `must be 1-${MAX_IDEMPOTENCY_KEY} characters` });
  if (problems.length > 0) throw validationFailed(problems);
  if (reading.event) {
    // CloudEvents: source + id identify an event (the spec's uniqueness rule).
    return { signal: readEventSignal(reading.event), eventId: reading.event.id, eventKey: `ce\n${reading.event.source}\n${reading.event.id}` };
  }
  return { signal: readTriggerSignal(call.body), eventId: idempotencyKey ?? null, eventKey: idempotencyKey ? `key\n${idempotencyKey}` : null };
};

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const ACTIVE_PLAN_STATUSES = ['waiting-for-baseline', 'running', 'paused'];

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
    private readonly rollouts: RolloutsService,
  ) {}

  async list(flagEnvironment: FlagEnvironmentRef): Promise<TriggerResponse[]> {
    const target = await this.target(flagEnvironment);
    return (await this.repository.listForFlag(target.projectId, target.flagKey, target.environmentId)).map((t) => toView(t, target.environmentKey));
  }

  async create(actor: Actor, flagEnvironment: FlagEnvironmentRef, input: CreateTriggerDto): Promise<{ trigger: TriggerResponse; secret: string }> {
    return this.db.transaction(async () => {
      const target = await this.target(flagEnvironment);
      const effect = await this.effectFor(target, input.effect, input.restoreOnResolve ?? false);
      const issued = issueSecret(SECRET_PREFIX.trigger);
      const trigger = await this.repository.save({
        effect,
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
      if (input.restoreOnResolve !== undefined) {
        if (input.restoreOnResolve && undoOf(trigger.effect) === null)
          throw validationFailed([{ field: 'restoreOnResolve', reason: `a ${trigger.effect.type} trigger has nothing to restore on resolve` }]);
        trigger.restoreOnResolve = input.restoreOnResolve;
      }
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
   * answers the same 404; plaintext secrets are never compared. Then the body is read (400 naming
   * the field), an event seen before answers as it did then, and only then is the trigger's call
   * limit checked (429), so a URL that no longer works is a 404 however often it is called.
   */
  async fire(secret: string, call: TriggerCall): Promise<TriggerFiredResponse> {
    const trigger = await this.repository.findActiveBySecretHash(hashSecret(secret));
    if (!trigger) throw noSuchTrigger();
    const found = await this.projects.environmentById(trigger.environmentId);
    if (!found) throw noSuchTrigger();
    const { signal, eventId, eventKey } = readCall(call);
    const eventHash = eventKey ? sha256(eventKey) : null;
    if (eventHash) {
      const seen = await this.repository.findEvent(trigger.id, eventHash, new Date(Date.now() - EVENT_MEMORY_MS));
      if (seen) return { ...seen.outcome, changed: false, duplicate: true };
    }
    const reason = describeSignal(signal, trigger.name);
    const actor: Actor = { type: 'trigger', id: trigger.id, name: `trigger:${trigger.name}` };
    const target: TriggerTarget = {
      projectKey: found.project.key,
      projectId: found.project.id,
      flagKey: trigger.flagKey,
      environmentKey: found.environment.key,
      environmentId: found.environment.id,
    };

    // One transaction: the call's place in the limit, the flag change, the trigger's bookkeeping, the event's id and the audit entry commit together.
    return this.callLimit.admit(trigger.id, async () => {
      let action: TriggerOutcome = 'ignored';
      let note: string | null;
      let changed = false;
      const undo = undoOf(trigger.effect);
      const effect: TriggerEffect | UndoEffect | null =
        signal.intent === 'fire' ? trigger.effect : signal.intent === 'resolve' && trigger.restoreOnResolve && undo ? undo : null;
      if (effect) {
        ({ changed, note } = await this.perform(effect, actor, target, reason));
        action = note === null ? outcomeOf(effect) : 'ignored';
      } else {
        note =
          signal.intent === 'resolve'
            ? trigger.effect.type === 'kill'
              ? 'This trigger does not restore on resolve; restore the flag by hand'
              : `This trigger does not undo ${trigger.effect.type} on resolve; change the flag by hand`
            : `Status '${signal.status}' neither fires nor resolves`;
      }
      const killed = (await this.flags.getConfig(target.projectKey, target.flagKey, target.environmentKey)).killed;
      await this.repository.recordFired(trigger.id, action, new Date());
      // The flag's own entry (flag.killed, flag.config.updated, rollout.paused, ...) exists only when something changed; this one always does.
      await this.audit.record({
        actor,
        action: 'trigger.fired',
        resourceType: 'trigger',
        resourceKey: trigger.id,
        projectKey: target.projectKey,
        environmentKey: target.environmentKey,
        reason,
        after: {
          trigger: trigger.name,
          flag: target.flagKey,
          effect: trigger.effect,
          action,
          changed,
          source: signal.source,
          status: signal.status,
          alerts: signal.alerts,
          eventId,
        },
      });
      const outcome: TriggerFiredResponse = {
        trigger: trigger.name,
        flag: target.flagKey,
        environment: target.environmentKey,
        effect: trigger.effect.type,
        action,
        changed,
        killed,
        source: signal.source,
        alerts: signal.alerts,
        note,
        eventId,
        duplicate: false,
      };
      if (eventHash) {
        const now = new Date();
        await this.repository.rememberEvent(trigger.id, eventHash, outcome, now, new Date(now.getTime() - EVENT_MEMORY_MS));
      }
      return outcome;
    });
  }

  /** Does one effect on the trigger's flag; `note` says why nothing could be done (e.g. no rollout plan to pause). */
  private async perform(
    effect: TriggerEffect | UndoEffect,
    actor: Actor,
    target: TriggerTarget,
    reason: string,
  ): Promise<{ changed: boolean; note: string | null }> {
    switch (effect.type) {
      case 'kill':
        return { changed: (await this.killSwitch.kill(actor, target, reason)).changed, note: null };
      case 'restore':
        return { changed: (await this.killSwitch.restore(actor, target, reason)).changed, note: null };
      case 'turn-on':
      case 'turn-off':
      case 'serve-variant':
      case 'set-rollout': {
        const write = await this.flags.changeConfig(actor, target, { action: 'flag.config.updated', reason, apply: (current) => configAfter(effect, current) });
        return { changed: write.changed, note: null };
      }
      case 'pause-rollout':
      case 'resume-rollout':
      case 'abort-rollout': {
        const plan = (await this.rollouts.list(target)).find((p) => ACTIVE_PLAN_STATUSES.includes(p.status));
        if (!plan) return { changed: false, note: `No active rollout plan on ${target.flagKey} in ${target.environmentKey}` };
        // Asking for the state the plan is already in changes nothing (alerting tools resend).
        if (effect.type === 'pause-rollout' && plan.status === 'paused') return { changed: false, note: null };
        if (effect.type === 'resume-rollout' && plan.status !== 'paused') return { changed: false, note: null };
        if (effect.type === 'pause-rollout') await this.rollouts.pause(actor, target, plan.id, reason);
        else if (effect.type === 'resume-rollout') await this.rollouts.resume(actor, target, plan.id, reason);
        else await this.rollouts.abort(actor, target, plan.id, reason);
        return { changed: true, note: null };
      }
    }
  }

  /** The effect a new trigger gets, checked against its flag: a variant it names must exist. */
  private async effectFor(target: TriggerTarget, input: TriggerEffectDto | undefined, restoreOnResolve: boolean): Promise<TriggerEffect> {
    const effect = await this.completeEffect(target, input);
    const flag = await this.flags.get(target.projectKey, target.flagKey);
    const problems = effectProblems(
      effect,
      flag.variants.map((v) => v.key),
      restoreOnResolve,
    );
    if (problems.length > 0) throw validationFailed(problems);
    return effect;
  }

  private async completeEffect(target: TriggerTarget, input: TriggerEffectDto | undefined): Promise<TriggerEffect> {
    const missing = (field: string, why: string) => validationFailed([{ field: `effect.${field}`, reason: why }]);
    const extra = (['variant', 'percentage', 'restVariant'] as const).filter(
      (field) => input?.[field] !== undefined && !(field === 'variant' ? ['serve-variant', 'set-rollout'] : ['set-rollout']).includes(input.type),
    );
    if (input && extra.length > 0) throw missing(extra[0]!, `is not used by a ${input.type} trigger`);
    switch (input?.type ?? 'kill') {
      case 'serve-variant':
        if (input!.variant === undefined) throw missing('variant', 'is required for serve-variant');
        return { type: 'serve-variant', variant: input!.variant };
      case 'set-rollout': {
        if (input!.variant === undefined) throw missing('variant', 'is required for set-rollout');
        if (input!.percentage === undefined) throw missing('percentage', 'is required for set-rollout');
        return {
          type: 'set-rollout',
          variant: input!.variant,
          percentage: input!.percentage,
          restVariant: input!.restVariant ?? (await this.restVariantFor(target, input!.variant)),
        };
      }
      default:
        return { type: input?.type ?? 'kill' } as TriggerEffect;
    }
  }

  /** The environment's off variant, or the other variant of a two-variant flag. */
  private async restVariantFor(target: TriggerTarget, variant: string): Promise<string> {
    const config = await this.flags.getConfig(target.projectKey, target.flagKey, target.environmentKey);
    if (config.offVariant && config.offVariant !== variant) return config.offVariant;
    const others = (await this.flags.get(target.projectKey, target.flagKey)).variants.map((v) => v.key).filter((k) => k !== variant);
    if (others.length === 1) return others[0]!;
    throw validationFailed([{ field: 'effect.restVariant', reason: 'is required: name the variant the rest of the traffic gets' }]);
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
