import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';

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

export type DomainEventName = keyof DomainEventMap;

@Injectable()
export class DomainEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(100);

  emit<E extends DomainEventName>(name: E, payload: DomainEventMap[E]): void {
    this.emitter.emit(name, payload);
  }

  on<E extends DomainEventName>(name: E, listener: (payload: DomainEventMap[E]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }
}
