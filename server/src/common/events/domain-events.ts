import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';
import { Database } from '../../database/database.service.js';

/** Events services publish after their transaction commits; consumers never see a rolled-back change. */
export interface DomainEventMap {
  /** A change-log entry was committed for an environment. */
  'change.appended': { environmentId: string; sequence: number };
  /** Notifications may have been missed (the LISTEN connection dropped): re-read every change log. */
  'changes.lost': Record<string, never>;
  /** SDK keys stopped being valid (rotation): their live connections must end. */
  'sdk-keys.revoked': { environmentId: string; keyIds: string[] };
  /** A flag's config in an environment changed (`action`: flag.config.updated, flag.killed, flag.restored, ...). */
  'flag.changed': FlagChangedEvent;
  /** A rollout plan moved to its next stage (emitted by the rollouts domain). */
  'rollout.advanced': RolloutEvent;
  /** A rollout plan was rolled back, automatically or by hand (emitted by the rollouts domain). */
  'rollout.rolled_back': RolloutEvent;
  /** An experiment reached a recommendation (emitted by the experiments domain). */
  'experiment.decided': ExperimentDecidedEvent;
  /** A scheduled config change was not applied when due (emitted by the scheduled-changes domain). */
  'scheduled_change.failed': ScheduledChangeFailedEvent;
  /** A change request was created, approved (enough approvals), applied or rejected (emitted by the change-requests domain). */
  'change_request.created': ChangeRequestEvent;
  'change_request.approved': ChangeRequestEvent;
  'change_request.applied': ChangeRequestEvent;
  'change_request.rejected': ChangeRequestEvent;
}

export interface ChangeRequestEvent {
  projectKey: string;
  /** The change request as the API answers it (webhooks send it as the payload). */
  changeRequest: object;
}

/** Who did it, as recorded in the audit log. */
export interface EventActor {
  type: string;
  id: string | null;
  name: string;
}

export interface FlagChangedEvent {
  projectKey: string;
  environmentKey: string;
  environmentId: string;
  flagKey: string;
  action: string;
  actor: EventActor;
  reason: string | null;
  /** The config's version after the change. */
  version: number;
  /** The change-log sequence that carries it to SDKs. */
  sequence: number;
  on: boolean;
  killed: boolean;
}

export interface RolloutEvent {
  projectKey: string;
  environmentKey: string;
  flagKey: string;
  actor: EventActor;
  reason: string | null;
  /** Stage details as the rollouts domain defines them. */
  details: Record<string, unknown>;
}

export interface ExperimentDecidedEvent {
  projectKey: string;
  environmentKey: string;
  flagKey: string;
  experimentKey: string;
  recommendation: string;
  details: Record<string, unknown>;
}

export interface ScheduledChangeFailedEvent {
  id: string;
  projectKey: string;
  environmentKey: string;
  flagKey: string;
  /** `conflict`: the config moved past `baseVersion`; `failed`: refused for another reason (see `code`). */
  status: string;
  runAt: string;
  baseVersion: number;
  currentVersion: number | null;
  code: string;
  message: string;
  reason: string | null;
  /** The change's author. */
  actor: EventActor;
}

export type DomainEventName = keyof DomainEventMap;

type CommittingListener<E extends DomainEventName> = (payload: DomainEventMap[E]) => Promise<unknown>;

@Injectable()
export class DomainEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(100);
  private readonly committing = new Map<DomainEventName, Set<CommittingListener<never>>>();

  constructor(private readonly db: Database) {}

  emit<E extends DomainEventName>(name: E, payload: DomainEventMap[E]): void {
    this.emitter.emit(name, payload);
  }

  /**
   * Publishes from inside the transaction that makes the change. `onCommitting` listeners run now,
   * inside it, so what they write (an outbox row) commits or rolls back with the change; `on`
   * listeners hear it after commit, never after a rollback.
   */
  async publish<E extends DomainEventName>(name: E, payload: DomainEventMap[E]): Promise<void> {
    for (const listener of this.committing.get(name) ?? []) await (listener as CommittingListener<E>)(payload);
    this.db.afterCommit(() => this.emit(name, payload));
  }

  /** Listens inside the publisher's transaction (see `publish`); a listener that throws fails the change. */
  onCommitting<E extends DomainEventName>(name: E, listener: CommittingListener<E>): () => void {
    let listeners = this.committing.get(name);
    if (!listeners) this.committing.set(name, (listeners = new Set()));
    listeners.add(listener as CommittingListener<never>);
    return () => listeners.delete(listener as CommittingListener<never>);
  }

  on<E extends DomainEventName>(name: E, listener: (payload: DomainEventMap[E]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }
}
