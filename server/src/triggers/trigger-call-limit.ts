import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { Database } from '../database/database.service.js';
import { TriggersRepository } from './triggers.repository.js';

/** Per trigger: an alerting tool re-sends every few minutes, a loop gone wrong hundreds of times a second. */
export const TRIGGER_CALLS_PER_MINUTE = 10;
export const TRIGGER_WINDOW_MS = 60_000;

export interface CallDecision {
  admitted: boolean;
  /** The accepted calls still within the window, oldest first, with this one when admitted. */
  log: number[];
  /** When refused: how long until one more call fits (the oldest counted call leaves the window). */
  retryAfterMs: number;
}

/**
 * A sliding log: a call at `now` is admitted when fewer than `limit` accepted calls lie in
 * (now − window, now]. So no half-open window of that length ever holds more than `limit`
 * accepted calls, and a refused call changes nothing (it neither counts nor extends the wait).
 */
export const admitCall = (log: readonly number[], now: number, limit = TRIGGER_CALLS_PER_MINUTE, windowMs = TRIGGER_WINDOW_MS): CallDecision => {
  const recent = log.filter((at) => at > now - windowMs).sort((a, b) => a - b);
  if (recent.length < limit) return { admitted: true, log: [...recent, now], retryAfterMs: 0 };
  return { admitted: false, log: recent, retryAfterMs: recent[recent.length - limit]! + windowMs - now };
};

/** A refusal in the API's error format; the controller turns `retryAfterSeconds` into Retry-After. */
export const tooManyCalls = (retryAfterMs: number): DomainError =>
  new DomainError('RATE_LIMITED', `Too many calls to this trigger: it accepts ${TRIGGER_CALLS_PER_MINUTE} a minute`, {
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
  });

/**
 * Enforces the per-trigger limit with the log kept in the database, so every instance sharing it
 * counts the same calls. Keyed on the trigger, not its secret: rotating the URL does not reset it.
 */
@Injectable()
export class TriggerCallLimit {
  private now: () => number = Date.now;

  constructor(
    private readonly repository: TriggersRepository,
    private readonly db: Database,
  ) {}

  /** Tests run the limit on their own clock. */
  useClock(now: () => number): void {
    this.now = now;
  }

  /**
   * Runs `call` if the trigger has room for it, in one transaction that also records it; else
   * throws RATE_LIMITED without recording anything. Concurrent calls of one trigger, on any
   * instance, take turns (a transaction-scoped lock), so two cannot both take the last place.
   */
  admit<T>(triggerId: string, call: () => Promise<T>): Promise<T> {
    return this.db.transaction(async () => {
      const now = this.now();
      await this.repository.lockCallLog(triggerId);
      const log = await this.repository.acceptedCallsSince(triggerId, new Date(now - TRIGGER_WINDOW_MS));
      const decision = admitCall(
        log.map((at) => at.getTime()),
        now,
      );
      if (!decision.admitted) throw tooManyCalls(decision.retryAfterMs);
      const result = await call();
      // Written last, after the flag change, so this transaction locks rows in the same order as any other change to the flag.
      await this.repository.recordAcceptedCall(triggerId, new Date(now), new Date(now - TRIGGER_WINDOW_MS));
      return result;
    });
  }
}
