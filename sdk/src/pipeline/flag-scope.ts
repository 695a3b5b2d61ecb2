import type { EvaluationContext, EvaluationResult, FlagKind, FlagValue, JsonValue } from '../core/types.js';
import type { FlagDetails } from '../client/client.js';
import { METRICS } from '../telemetry/metric-names.js';
import { cupedPairName, ratioPairName } from '../telemetry/paired-series.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { waitForFreshConfig, type ConfigAgeSource, type FreshnessRequirement } from './freshness.js';
import { ModelRoute, type RouteOptions } from './model-route.js';
import { runShadowed, type ShadowOptions } from './shadow.js';

/** Options of `step`. */
export interface StepOptions<T> {
  /** Runs instead of the step when the flag is off for this context; default: nothing runs. */
  fallback?: () => T | PromiseLike<T>;
  /** Whether the step runs when the flag cannot be evaluated (unknown flag, no config); default false. */
  defaultValue?: boolean;
  /** The metric the duration is recorded under; default `step.duration_ms`. */
  metric?: string;
  /**
   * Fail closed: require a config no older than `maxAgeMs`, waiting up to `waitMs` for one, and
   * throw {@link SignalboxStaleConfigError} instead of running (or skipping) on a guess.
   */
  requireFresh?: FreshnessRequirement;
}

/** Options of `track`. */
export interface TrackOptions {
  /**
   * Attribute the value to the variant this flag serves the context (evaluated, not counted as an
   * evaluation). Without it the value belongs to no flag.
   */
  flag?: string;
  /** Count the value as a failure too (error rates). */
  failed?: boolean;
  /**
   * The same unit's value of the metric before the experiment (last week's accuracy of this
   * pipeline): experiments with CUPED use it to reduce variance. Needs `flag`.
   */
  covariate?: number;
  /** Also record the value in a breakdown by this context attribute (per-segment results; at most 20 values per process). */
  segmentBy?: string;
}

/**
 * The pipeline API shared by the live flags ({@link SignalboxFlags}) and a pinned run
 * ({@link RunSnapshot}): typed evaluation, gated steps, model routing, shadow runs and metrics.
 * Every evaluation is counted (flag, variant, reason) and every recorded value aggregated in
 * memory; nothing here blocks on the network or throws on its own account.
 */
export abstract class FlagScope {
  protected constructor(
    /** Where metrics and evaluation counts are aggregated. */
    readonly telemetry: Telemetry,
    private readonly freshness: ConfigAgeSource,
    private readonly pendingShadows: Set<Promise<void>>,
  ) {}

  /**
   * Evaluates a flag against this scope's config; counts the evaluation when `count` is true.
   * Never throws.
   */
  protected abstract resolve(
    flagKey: string,
    context: EvaluationContext | undefined,
    defaultValue: FlagValue,
    kind: FlagKind | undefined,
    count: boolean,
  ): Readonly<EvaluationResult>;

  /** The value of a boolean flag, or `defaultValue`. Never throws. */
  boolean(flagKey: string, context: EvaluationContext | undefined, defaultValue: boolean): boolean {
    return this.resolve(flagKey, context, defaultValue, 'boolean', true).value as boolean;
  }

  /** The value of a string flag, or `defaultValue`. Never throws. */
  string(flagKey: string, context: EvaluationContext | undefined, defaultValue: string): string {
    return this.resolve(flagKey, context, defaultValue, 'string', true).value as string;
  }

  /** The value of a number flag, or `defaultValue`. Never throws. */
  number(flagKey: string, context: EvaluationContext | undefined, defaultValue: number): number {
    return this.resolve(flagKey, context, defaultValue, 'number', true).value as number;
  }

  /** The value of a JSON flag, or `defaultValue`. Never throws. */
  json<T extends JsonValue = JsonValue>(flagKey: string, context: EvaluationContext | undefined, defaultValue: T): T {
    return this.resolve(flagKey, context, defaultValue, 'json', true).value as T;
  }

  /** Value, variant, reason and error of an evaluation. `kind`, when given, must match the flag's. Never throws. */
  details(flagKey: string, context: EvaluationContext | undefined, defaultValue: FlagValue, kind?: FlagKind): FlagDetails {
    return { flagKey, ...this.resolve(flagKey, context, defaultValue, kind, true) };
  }

  /**
   * Gates a flow step on a boolean flag: runs `run` when the flag is on for `context`, otherwise
   * runs `fallback` (or nothing, resolving `undefined`). The duration of whatever ran is recorded
   * as `step.duration_ms` under the served variant, a throw as a failure; errors are rethrown.
   *
   * ```ts
   * const rows = await flags.step('etl.validate', { runId }, () => validate(batch), { fallback: () => batch });
   * ```
   */
  step<T>(
    flagKey: string,
    context: EvaluationContext | undefined,
    run: () => T | PromiseLike<T>,
    options: StepOptions<T> & { fallback: () => T | PromiseLike<T> },
  ): Promise<T>;
  step<T>(flagKey: string, context: EvaluationContext | undefined, run: () => T | PromiseLike<T>, options?: StepOptions<T>): Promise<T | undefined>;
  async step<T>(flagKey: string, context: EvaluationContext | undefined, run: () => T | PromiseLike<T>, options?: StepOptions<T>): Promise<T | undefined> {
    if (options?.requireFresh !== undefined) await waitForFreshConfig(this.freshness, options.requireFresh, flagKey);
    const result = this.resolve(flagKey, context, options?.defaultValue ?? false, 'boolean', true);
    const chosen = result.value === true ? run : options?.fallback;
    if (chosen === undefined) return undefined;
    const metric = options?.metric ?? METRICS.stepDuration;
    const variant = result.variant ?? null;
    const started = performance.now();
    try {
      const value = await chosen();
      this.telemetry.record(flagKey, variant, metric, performance.now() - started, false);
      return value;
    } catch (error) {
      this.telemetry.record(flagKey, variant, metric, performance.now() - started, true);
      throw error;
    }
  }

  /**
   * Chooses a model version with a flag: `routes` maps variant keys to functions. Returns a
   * {@link ModelRoute} to run the chosen one and track outcomes for its variant. When the served
   * variant has no route, `options.fallback` (default: the first route) is used.
   *
   * ```ts
   * const model = flags.route('model.sentiment', { targetingKey: userId }, { v1: predictV1, v2: predictV2 });
   * const label = await model.run(text);
   * ```
   */
  route<A extends unknown[], T>(
    flagKey: string,
    context: EvaluationContext | undefined,
    routes: Readonly<Record<string, (...args: A) => T | PromiseLike<T>>>,
    options?: RouteOptions,
  ): ModelRoute<A, T> {
    const result = this.resolve(flagKey, context, null, undefined, true);
    const keys = Object.keys(routes);
    if (keys.length === 0) throw new TypeError('route needs at least one route');
    const served = result.variant;
    const chosen =
      served !== undefined && Object.prototype.hasOwnProperty.call(routes, served)
        ? served
        : options?.fallback !== undefined && Object.prototype.hasOwnProperty.call(routes, options.fallback)
          ? options.fallback
          : keys[0]!;
    return new ModelRoute(flagKey, chosen, served, result.reason, routes[chosen]!, this.telemetry, options?.metric);
  }

  /**
   * Shadows a candidate when the boolean flag is on for `context` (and the call is sampled):
   * runs `primary` and `candidate` with `args`, serves the primary's result, and records both
   * latencies and errors, and agreement (`shadow.agreement`), with a few disagreement examples.
   * The candidate never delays or fails the call: it starts on a later event-loop turn and is
   * abandoned after `budgetMs`. When the flag is off only the primary runs.
   *
   * ```ts
   * const label = await flags.shadow('model.sentiment-v2-shadow', { targetingKey: id }, { primary: predictV1, candidate: predictV2 }, text);
   * ```
   */
  async shadow<A extends unknown[], T>(flagKey: string, context: EvaluationContext | undefined, options: ShadowOptions<A, T>, ...args: A): Promise<T> {
    const result = this.resolve(flagKey, context, false, 'boolean', true);
    const rate = options.sampleRate ?? 1;
    if (result.value !== true || !(rate >= 1 || Math.random() < rate)) return options.primary(...args);
    return runShadowed({ flag: flagKey, variant: result.variant ?? null, telemetry: this.telemetry, pending: this.pendingShadows }, options, args);
  }

  /**
   * Records a metric value (aggregated in memory, sent in the next batch). With `options.flag` the
   * value is attributed to the variant that flag serves `context`, e.g. a conversion to the model
   * that produced it. Ignores non-finite values. Never throws.
   */
  track(metric: string, value: number, context?: EvaluationContext, options?: TrackOptions): void {
    let flag: string | null = null;
    let variant: string | null = null;
    if (options?.flag !== undefined) {
      flag = options.flag;
      variant = this.resolve(options.flag, context, null, undefined, false).variant ?? null;
    }
    this.telemetry.record(flag, variant, metric, value, options?.failed === true);
    if (options?.covariate !== undefined && flag !== null) this.telemetry.recordPair(flag, variant, cupedPairName(metric), value, options.covariate);
    if (options?.segmentBy !== undefined)
      this.telemetry.recordSegment(flag, variant, metric, options.segmentBy, context?.[options.segmentBy], value, options?.failed === true);
  }

  /**
   * Records one unit's ratio-metric observation, e.g. a batch's errors and rows
   * (`trackRatio('pipeline.errors', 3, 'pipeline.rows', 1000, ctx, { flag })`). Experiments on the
   * ratio `pipeline.errors / pipeline.rows` compare Σerrors / Σrows with the delta method.
   */
  trackRatio(
    numerator: string,
    numeratorValue: number,
    denominator: string,
    denominatorValue: number,
    context?: EvaluationContext,
    options?: { flag?: string },
  ): void {
    let flag: string | null = null;
    let variant: string | null = null;
    if (options?.flag !== undefined) {
      flag = options.flag;
      variant = this.resolve(options.flag, context, null, undefined, false).variant ?? null;
    }
    this.telemetry.recordPair(flag, variant, ratioPairName(numerator, denominator), numeratorValue, denominatorValue);
  }

  /**
   * Fail closed: resolves once the config is no older than `maxAgeMs` (waiting up to `waitMs`),
   * else rejects with {@link SignalboxStaleConfigError}. For steps where no data is better than
   * wrong data.
   */
  requireFresh(requirement: FreshnessRequirement): Promise<void> {
    return waitForFreshConfig(this.freshness, requirement);
  }
}
