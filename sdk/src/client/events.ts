import type { ClientStatus } from './status.js';
import type { Logger } from './logger.js';
import { describeError } from './logger.js';

/** Removes the listener it was returned for. Calling it twice is harmless. */
export type Unsubscribe = () => void;

/** Listeners by event name. */
export interface ClientEventMap {
  /** Keys of the flags whose evaluation may have changed, in config order. */
  change: (flagKeys: string[]) => void;
  /** The client's status changed. */
  status: (status: ClientStatus, previous: ClientStatus) => void;
  /** Something went wrong in the background (connection, refusal, cache file). Evaluation goes on. */
  error: (error: Error) => void;
}

/** A per-flag change event name: `change:<flagKey>`. */
export type FlagChangeEvent = `change:${string}`;

type AnyListener = (...args: never[]) => void;

/**
 * A minimal emitter whose `emit` never throws: a failing listener is logged and the others still
 * run. Unlike Node's EventEmitter, emitting `error` with no listener is not fatal.
 */
export class ClientEvents {
  private readonly listeners = new Map<string, Set<AnyListener>>();

  constructor(private readonly logger: Logger) {}

  on(event: string, listener: AnyListener): Unsubscribe {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    // Wrapped so the same function can be subscribed twice and unsubscribed one at a time.
    const entry: AnyListener = (...args) => listener(...args);
    set.add(entry);
    return () => {
      const current = this.listeners.get(event);
      if (current === undefined) return;
      current.delete(entry);
      if (current.size === 0) this.listeners.delete(event);
    };
  }

  has(event: string): boolean {
    return this.listeners.has(event);
  }

  emit(event: string, ...args: unknown[]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        (listener as (...values: unknown[]) => void)(...args);
      } catch (error) {
        this.logger.error(`a "${event}" listener threw: ${describeError(error)}`);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
