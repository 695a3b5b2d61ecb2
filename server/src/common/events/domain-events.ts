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
