import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ScheduledChangesService } from './scheduled-changes.service.js';

/** How often every instance looks for the next due change (a change made on another instance is seen within this). */
export const POLL_INTERVAL_MS = 5_000;
/**
 * How long to wait before a pass for a change that is already overdue: another instance holding the
 * lock is applying it, and looking again at once would only spin against that lock.
 */
const OVERDUE_RETRY_MS = 1_000;

/**
 * Runs on every instance. Each poll reads when the next change is due and arms a timer for that
 * moment, so a change fires on time rather than up to a poll late; a change created or edited here
 * re-arms it at once. Instances race for the pass, and the advisory lock plus the row lock inside
 * it make each change fire once. Tests stop it and call `tick()` themselves.
 */
@Injectable()
export class ScheduledChangeScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('scheduled-change-scheduler');
  private poller: NodeJS.Timeout | undefined;
  private alarm: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly changes: ScheduledChangesService) {}

  onApplicationBootstrap(): void {
    this.poller = setInterval(() => this.arm(), POLL_INTERVAL_MS);
    this.poller.unref();
    this.unsubscribe = this.changes.onScheduled(() => this.arm());
    this.arm();
  }

  async onModuleDestroy(): Promise<void> {
    this.stop();
    await this.running;
  }

  /** Stops polling and timers (tests drive the scheduler by hand). */
  stop(): void {
    clearInterval(this.poller);
    clearTimeout(this.alarm);
    this.unsubscribe?.();
    this.poller = undefined;
    this.alarm = undefined;
  }

  tick(): Promise<{ ran: boolean; applied: number; refused: number }> {
    return this.changes.tick();
  }

  private arm(): void {
    if (this.poller === undefined) return;
    this.changes
      .nextRunAt()
      .then((next) => {
        if (next === null || this.poller === undefined) return;
        const wait = next.getTime() - Date.now();
        if (wait > POLL_INTERVAL_MS) return;
        clearTimeout(this.alarm);
        this.alarm = setTimeout(() => this.pass(), wait > 0 ? wait : OVERDUE_RETRY_MS);
        this.alarm.unref();
      })
      .catch((err: unknown) => this.logger.warn({ err }, 'could not read the next scheduled change'));
  }

  private pass(): void {
    if (this.running) {
      // A pass is under way: look again once it ends, for changes that fell due meanwhile.
      void this.running.then(() => this.arm());
      return;
    }
    this.running = this.tick()
      .catch((err: unknown) => this.logger.warn({ err }, 'scheduled change pass failed'))
      .finally(() => {
        this.running = undefined;
        this.arm();
      });
  }
}
