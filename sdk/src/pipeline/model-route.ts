import type { Reason } from '../core/types.js';
import { METRICS } from '../telemetry/metric-names.js';
import type { Telemetry } from '../telemetry/telemetry.js';

/** Options of `route`. */
export interface RouteOptions {
  /** The route to use when the served variant has none (or the caller's default was served); default the first route. */
  fallback?: string;
  /** The metric `run` records its duration under; default `model.latency_ms`. */
  metric?: string;
}

/**
 * The model version chosen for one call or request: run it, then record outcome metrics
 * (accuracy, click, latency...) attributed to the variant that was served.
 *
 * ```ts
 * const model = flags.route('model.sentiment', { targetingKey: requestId }, { v1: predictV1, v2: predictV2 });
 * const label = await model.run(text);   // records model.latency_ms for model.variant
 * model.track('accuracy', label === truth ? 1 : 0);
 * ```
 */
export class ModelRoute<A extends unknown[], T> {
  constructor(
    /** The flag that chose the route. */
    readonly flagKey: string,
    /** The route (a variant key) whose function `run` calls; metrics are attributed to it. */
    readonly variant: string,
    /** The variant the flag served, `undefined` when it served the caller's default. */
    readonly servedVariant: string | undefined,
    /** Why the flag served it. */
    readonly reason: Reason,
    /** The function of the chosen route. */
    readonly model: (...args: A) => T | PromiseLike<T>,
    private readonly telemetry: Telemetry,
    private readonly metric: string = METRICS.modelLatency,
  ) {}

  /** Calls the chosen model, recording its duration and whether it threw. Rethrows its error. */
  async run(...args: A): Promise<T> {
    const started = performance.now();
    try {
      const value = await this.model(...args);
      this.telemetry.record(this.flagKey, this.variant, this.metric, performance.now() - started, false);
      return value;
    } catch (error) {
      this.telemetry.record(this.flagKey, this.variant, this.metric, performance.now() - started, true);
      throw error;
    }
  }

  /** Records an outcome metric for the chosen variant; `failed` counts it as a failure too. */
  track(metric: string, value: number, failed = false): void {
    this.telemetry.record(this.flagKey, this.variant, metric, value, failed);
  }
}
