import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { RolloutsService } from './rollouts.service.js';

export const TICK_INTERVAL_MS = 15_000;

/**
 * Runs a scheduler pass every 15 s on every instance; the advisory lock inside each pass makes
 * sure only one instance works at a time. Tests stop the timer and call `tick()` themselves.
 */
@Injectable()
export class RolloutScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('rollout-scheduler');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly rollouts: RolloutsService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick()
        .catch((err: unknown) => this.logger.warn({ err }, 'rollout scheduler pass failed'))
        .finally(() => (this.running = undefined));
    }, TICK_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stop();
    await this.running;
  }

  /** Stops the timer (tests drive the scheduler by hand). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  tick(): Promise<{ ran: boolean; plans: number }> {
    return this.rollouts.tick();
  }
}
