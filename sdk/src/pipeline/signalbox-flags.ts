import { evaluate } from '../core/index.js';
import type { EvaluationContext, EvaluationResult, FlagKind, FlagValue } from '../core/types.js';
import { SignalboxClient, type EvaluationObserver } from '../client/client.js';
import type { ClientOptions, WaitForReadyOptions } from '../client/client-options.js';
import type { ClientStatus } from '../client/status.js';
import { createDefaultLogger, guardLogger } from '../client/logger.js';
import { serverEndpoints } from '../client/server-url.js';
import { SDK_CLIENT_NAME } from '../client/version.js';
import { Telemetry } from '../telemetry/telemetry.js';
import type { TelemetryOptions } from '../telemetry/telemetry-options.js';
import { FlagScope } from './flag-scope.js';
import { RunSnapshot } from './run-snapshot.js';

/** Options of {@link createFlags}: a client's options, plus telemetry. */
export interface FlagsOptions extends ClientOptions {
  /** How metrics are aggregated and sent; see {@link TelemetryOptions}. */
  telemetry?: TelemetryOptions;
  /**
   * Use this client instead of starting one (its `url` and `sdkKey` must still be given, for
   * sending metrics). It is not closed by `close()`.
   */
  client?: SignalboxClient;
}

const NOT_READY: Readonly<EvaluationResult> = Object.freeze({ value: null, reason: 'ERROR', errorCode: 'GENERAL', errorMessage: 'client is not ready' });

/**
 * Flags for pipelines and model serving: a {@link SignalboxClient} plus gated steps, model
 * routing, shadow runs, pinned runs, fail-closed checks and metrics (see {@link FlagScope}).
 * Evaluations, durations and tracked values are aggregated in memory and sent in batches every
 * few seconds and on `close()`; a server that cannot be reached never blocks or fails the pipeline.
 *
 * ```ts
 * const flags = createFlags({ url: 'http://localhost:4000', sdkKey: process.env.SIGNALBOX_SDK_KEY! });
 * await flags.waitForReady();
 * const run = flags.pinRun(runId);
 * const rows = await run.step('etl.validate', {}, () => validate(batch), { fallback: () => batch });
 * await flags.close();
 * ```
 */
export class SignalboxFlags extends FlagScope {
  /** The underlying client (evaluations through it are counted too). */
  readonly client: SignalboxClient;
  private readonly ownsClient: boolean;
  private readonly shadows: Set<Promise<void>>;
  private closing: Promise<void> | undefined;

  constructor(options: FlagsOptions) {
    const client = options.client ?? new SignalboxClient(options);
    const logger = options.logger === undefined ? createDefaultLogger() : guardLogger(options.logger);
    const send = options.telemetry?.send ?? (options.transport ?? 'socket') !== 'none';
    const telemetry = new Telemetry(
      { eventsUrl: eventsUrl(options.url), sdkKey: options.sdkKey, sdkName: SDK_CLIENT_NAME, logger },
      { ...options.telemetry, send },
    );
    const shadows = new Set<Promise<void>>();
    super(telemetry, client, shadows);
    this.client = client;
    this.ownsClient = options.client === undefined;
    this.shadows = shadows;
    const observer: EvaluationObserver = (flagKey, result) => telemetry.recordEvaluation(flagKey, result.variant ?? null, result.reason);
    client.observeEvaluations(observer);
  }

  /** See {@link SignalboxClient.status}. */
  get status(): ClientStatus {
    return this.client.status;
  }

  /** See {@link SignalboxClient.configAgeMs}. */
  get configAgeMs(): number {
    return this.client.configAgeMs;
  }

  /** See {@link SignalboxClient.waitForReady}. */
  waitForReady(options?: WaitForReadyOptions): Promise<ClientStatus> {
    return this.client.waitForReady(options);
  }

  /**
   * Pins the config served now for one pipeline run: the returned {@link RunSnapshot} evaluates
   * every flag against it, except that kills made later still apply. Pin after `waitForReady`
   * (a run pinned before any config serves defaults throughout).
   */
  pinRun(runId: string): RunSnapshot {
    return new RunSnapshot(runId, this.client.compiledEnvironment, this.client, this.telemetry, this.shadows);
  }

  /** Sends what was aggregated so far. Resolves when the attempt is over; never rejects. */
  flush(): Promise<void> {
    return this.telemetry.flush();
  }

  /**
   * Lets running shadow candidates finish (within their budget), sends the last metrics, and
   * closes the client if this instance started it. Idempotent; never rejects.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.shadows]);
      await this.telemetry.close();
      this.client.observeEvaluations(undefined);
      if (this.ownsClient) await this.client.close();
    })();
    return this.closing;
  }

  protected resolve(
    flagKey: string,
    context: EvaluationContext | undefined,
    defaultValue: FlagValue,
    kind: FlagKind | undefined,
    count: boolean,
  ): Readonly<EvaluationResult> {
    const environment = this.client.compiledEnvironment;
    const result = environment === undefined ? { ...NOT_READY, value: defaultValue } : evaluate(environment, flagKey, context, defaultValue, kind);
    if (count) this.telemetry.recordEvaluation(flagKey, result.variant ?? null, result.reason);
    return result;
  }
}

/** Starts a {@link SignalboxFlags}: a client plus pipeline helpers and metrics. */
export function createFlags(options: FlagsOptions): SignalboxFlags {
  return new SignalboxFlags(options);
}

function eventsUrl(url: string): string {
  return serverEndpoints(url).configUrl.replace(/\/config$/, '/events');
}
