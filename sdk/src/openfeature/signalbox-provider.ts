import type {
  ErrorCode,
  EvaluationContext as OpenFeatureContext,
  JsonValue as OpenFeatureJson,
  OpenFeatureEventEmitter,
  Provider,
  ResolutionDetails,
  TrackingEventDetails,
} from '@openfeature/server-sdk';
import type { SignalboxClient } from '../client/client.js';
import type { ClientStatus } from '../client/status.js';
import type { Unsubscribe } from '../client/events.js';
import type { EvaluationContext, FlagKind, FlagValue } from '../core/types.js';
import { SignalboxFlags, type FlagsOptions } from '../pipeline/signalbox-flags.js';
import { openFeature, type OpenFeatureRuntime } from './runtime.js';

/** Options of {@link SignalboxProvider}: start flags from client options, or use existing ones. */
export type SignalboxProviderOptions = (FlagsOptions | { client: SignalboxClient | SignalboxFlags }) & {
  /** How long `initialize` waits for a config; default 10 000 ms. */
  initTimeoutMs?: number;
};

const DEFAULT_INIT_TIMEOUT_MS = 10_000;

/**
 * An OpenFeature server provider backed by Signalbox's in-process evaluation.
 *
 * - `initialize` waits for a config: a refused SDK key fails it as FATAL, no config within
 *   `initTimeoutMs` as ERROR (the client keeps trying, and READY follows when a config arrives);
 * - evaluation reasons and error codes are OpenFeature's, plus Signalbox's `KILLED` and
 *   `PREREQUISITE_FAILED` reasons; numbers resolve number flags, objects JSON flags;
 * - emits `PROVIDER_CONFIGURATION_CHANGED` with the changed keys, `PROVIDER_STALE` when the
 *   connection drops, `PROVIDER_READY` when it is back, `PROVIDER_ERROR` (fatal) on a refusal;
 * - `track` records the event's `value` (default 1) as a Signalbox metric;
 * - `onClose` closes the client if the provider started it.
 *
 * ```ts
 * await OpenFeature.setProviderAndWait(new SignalboxProvider({ url, sdkKey }));
 * const enabled = await OpenFeature.getClient().getBooleanValue('etl.validate', false, { targetingKey: runId });
 * ```
 */
export class SignalboxProvider implements Provider {
  readonly metadata = { name: 'signalbox' } as const;
  readonly runsOn = 'server' as const;
  readonly events: OpenFeatureEventEmitter;
  /** The client the provider evaluates with. */
  readonly client: SignalboxClient;
  private readonly flags: SignalboxFlags | undefined;
  private readonly owned: SignalboxFlags | undefined;
  private readonly initTimeoutMs: number;
  private readonly unsubscribe: Unsubscribe[];
  private state: 'initializing' | 'ready' | 'stale' | 'error' | 'fatal' = 'initializing';
  private readonly sdk: OpenFeatureRuntime;

  constructor(options: SignalboxProviderOptions) {
    this.sdk = openFeature();
    this.events = new this.sdk.OpenFeatureEventEmitter();
    this.initTimeoutMs = options.initTimeoutMs ?? DEFAULT_INIT_TIMEOUT_MS;
    if ('client' in options && options.client !== undefined && !('url' in options)) {
      const given = options.client;
      this.flags = given instanceof SignalboxFlags ? given : undefined;
      this.client = given instanceof SignalboxFlags ? given.client : given;
    } else {
      this.owned = new SignalboxFlags(options as FlagsOptions);
      this.flags = this.owned;
      this.client = this.owned.client;
    }
    this.unsubscribe = [
      this.client.on('change', (flagsChanged) => this.events.emit(this.sdk.ProviderEvents.ConfigurationChanged, { flagsChanged })),
      this.client.on('status', (status) => this.statusChanged(status)),
    ];
  }

  async initialize(): Promise<void> {
    await this.client.waitForReady({ timeoutMs: this.initTimeoutMs });
    if (this.client.status === 'error') {
      this.state = 'fatal';
      throw new this.sdk.ProviderFatalError('the Signalbox server refused the SDK key');
    }
    if (!this.client.hasConfig) {
      this.state = 'error';
      throw new this.sdk.GeneralError(`no Signalbox config yet (waited up to ${this.initTimeoutMs} ms); the client keeps trying`);
    }
    this.state = 'ready';
  }

  async onClose(): Promise<void> {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    await this.owned?.close();
  }

  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: OpenFeatureContext): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context, 'boolean'));
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string, context: OpenFeatureContext): Promise<ResolutionDetails<string>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context, 'string'));
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number, context: OpenFeatureContext): Promise<ResolutionDetails<number>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context, 'number'));
  }

  resolveObjectEvaluation<T extends OpenFeatureJson>(flagKey: string, defaultValue: T, context: OpenFeatureContext): Promise<ResolutionDetails<T>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context, 'json'));
  }

  track(trackingEventName: string, context: OpenFeatureContext, details: TrackingEventDetails): void {
    this.flags?.track(trackingEventName, typeof details?.value === 'number' ? details.value : 1, toSignalboxContext(context));
  }

  private resolve<T>(flagKey: string, defaultValue: T, context: OpenFeatureContext, kind: FlagKind): ResolutionDetails<T> {
    if (!this.client.hasConfig) {
      return {
        value: defaultValue,
        reason: this.sdk.StandardResolutionReasons.ERROR,
        errorCode: this.sdk.ErrorCode.PROVIDER_NOT_READY,
        errorMessage: 'no Signalbox config yet',
        flagMetadata: {},
      };
    }
    const evaluate = this.flags ?? this.client;
    const details = evaluate.details(flagKey, toSignalboxContext(context), defaultValue as FlagValue, kind);
    const resolution: ResolutionDetails<T> = { value: details.value as T, reason: details.reason, flagMetadata: {} };
    if (details.variant !== undefined) resolution.variant = details.variant;
    // Signalbox's error codes are OpenFeature's, by name.
    if (details.errorCode !== undefined) resolution.errorCode = this.sdk.ErrorCode[details.errorCode satisfies keyof typeof ErrorCode];
    if (details.errorMessage !== undefined) resolution.errorMessage = details.errorMessage;
    return resolution;
  }

  private statusChanged(status: ClientStatus): void {
    if (status === 'error') {
      if (this.state !== 'fatal')
        this.events.emit(this.sdk.ProviderEvents.Error, { errorCode: this.sdk.ErrorCode.PROVIDER_FATAL, message: 'the Signalbox server refused the SDK key' });
      this.state = 'fatal';
    } else if (status === 'ready' && (this.state === 'stale' || this.state === 'error')) {
      this.state = 'ready';
      this.events.emit(this.sdk.ProviderEvents.Ready);
    } else if ((status === 'offline' || status === 'stale') && this.state === 'ready') {
      this.state = 'stale';
      this.events.emit(this.sdk.ProviderEvents.Stale, { message: `the Signalbox client is ${status}; serving the last config` });
    }
  }
}

/** OpenFeature contexts may hold Dates; Signalbox clauses read dates as ISO-8601 strings. */
function toSignalboxContext(context: OpenFeatureContext | undefined): EvaluationContext {
  if (context === undefined) return {};
  let converted: EvaluationContext | undefined;
  for (const key of Object.keys(context)) {
    const value = context[key];
    if (value instanceof Date) {
      converted ??= { ...context };
      converted[key] = value.toISOString();
    }
  }
  return converted ?? (context as EvaluationContext);
}
