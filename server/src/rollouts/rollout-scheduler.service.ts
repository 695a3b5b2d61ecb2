import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { RolloutsService } from './rollouts.service.js';

export const TICK_INTERVAL_MS = 15_000;
/** How soon after a stage's metrics arrive a pass runs (gathering a burst of batches into one pass). */
export const REACTION_DELAY_MS = 1_000;

/**
 * Runs a scheduler pass every 15 s on every instance, and a second after a running stage's metrics
 * arrive, so a failing candidate is rolled back within seconds of the evidence; the advisory lock
 * inside each pass makes sure only one instance works at a time. Tests stop the timer and call
 * `tick()` themselves (a stopped scheduler does not react to data either).
 */
@Injectable()
export class RolloutScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('rollout-scheduler');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private soon: NodeJS.Timeout | undefined;

  constructor(private readonly rollouts: RolloutsService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.pass(), TICK_INTERVAL_MS);
    this.timer.unref();
    this.rollouts.onStageData(() => {
      if (this.timer === undefined || this.soon !== undefined) return;
      this.soon = setTimeout(() => {
        this.soon = undefined;
        this.pass();
      }, REACTION_DELAY_MS);
      this.soon.unref();
    });
  }

  private pass(): void {
    if (this.running) return;
    this.running = this.tick()
      .catch((err: unknown) => this.logger.warn({ err }, 'rollout scheduler pass failed'))
      .finally(() => (this.running = undefined));
  }

  async onModuleDestroy(): Promise<void> {
    this.stop();
    await this.running;
  }

  /** Stops the timer (tests drive the scheduler by hand). */
  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.soon);
    this.timer = undefined;
    this.soon = undefined;
  }

  tick(): Promise<{ ran: boolean; plans: number }> {
    return this.rollouts.tick();
  }
}
