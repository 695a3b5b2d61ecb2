import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ExperimentsService } from './experiments.service.js';

export const EXPERIMENT_TICK_MS = 60_000;

/**
 * Concludes experiments on their own once a minute on every instance (maximum duration,
 * auto-rollback on a failing guardrail). Tests stop the timer and call `tick()` with a time.
 */
@Injectable()
export class ExperimentScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('experiment-scheduler');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly experiments: ExperimentsService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick()
        .catch((err: unknown) => this.logger.warn({ err }, 'experiment scheduler pass failed'))
        .finally(() => (this.running = undefined));
    }, EXPERIMENT_TICK_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stop();
    await this.running;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  tick(now = new Date()): Promise<{ concluded: string[] }> {
    return this.experiments.conclude(now);
  }
}
