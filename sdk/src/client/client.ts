import { evaluate, evaluateAll, type CompiledEnvironment, type ConfigProblem } from '../core/index.js';
import type { EvaluationContext, EvaluationResult, FlagKind, FlagValue, JsonValue } from '../core/types.js';
import type { RefusalMessage, ServerMessage } from '../protocol/messages.js';
import { AckThrottle } from './ack-throttle.js';
import { CacheFileWriter, readCacheFile } from './cache-file.js';
import { type ClientOptions, DEFAULT_RECONNECTION_DELAY_MAX_MS, DEFAULT_RECONNECTION_DELAY_MS, type WaitForReadyOptions } from './client-options.js';
import { ClientEvents, type ClientEventMap, type FlagChangeEvent, type Unsubscribe } from './events.js';
import { ConfigStore, type ApplyOutcome } from './config-store.js';
import { createDefaultLogger, describeError, guardLogger, type Logger } from './logger.js';
import { PollTransport } from './poll-transport.js';
import { parseServerUrl, serverEndpoints } from './server-url.js';
import { SocketTransport } from './socket-transport.js';
import { deriveStatus, type ClientStatus, type ConnectionState } from './status.js';
import { SignalboxRefusedError, type Transport, type TransportSink } from './transport.js';
import { SDK_CLIENT_NAME } from './version.js';

/** An evaluation result with the flag it is for. */
export type FlagDetails<T extends FlagValue = FlagValue> = Readonly<EvaluationResult<T>> & { readonly flagKey: string };

const DEFAULT_POLL_INTERVAL_MS = 15_000;
const DEFAULT_READY_TIMEOUT_MS = 10_000;
const RESYNC_RETRY_MS = 5_000;
const NOT_READY_MESSAGE = 'client is not ready';
const NOT_READY_RESULT: Readonly<EvaluationResult> = Object.freeze({ value: null, reason: 'ERROR', errorCode: 'GENERAL', errorMessage: NOT_READY_MESSAGE });

/** Told about every evaluation made through a client's methods (e.g. to count them). Must not throw. */
export type EvaluationObserver = (flagKey: string, result: Readonly<EvaluationResult>) => void;

interface ReadyWaiter {
  resolve: (status: ClientStatus) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * A Signalbox client: holds an environment's config, kept current by the server, and evaluates
 * flags against it in process. Evaluation never touches the network and never throws; before any
 * config exists it serves the caller's default (reason `ERROR`, errorCode `GENERAL`,
 * errorMessage `client is not ready`).
 *
 * ```ts
 * const client = createClient({ url: 'https://flags.example.com', sdkKey: process.env.SIGNALBOX_SDK_KEY! });
 * await client.waitForReady({ timeoutMs: 5000 });
 * if (client.boolean('new-ranker', { targetingKey: runId }, false)) { ... }
 * await client.close();
 * ```
 */
export class SignalboxClient {
  private readonly logger: Logger;
  // Flags compile when first evaluated: their problems are logged then, the config's shape's at once.
  private readonly store = new ConfigStore((problems) => this.reportProblems(problems));
  private readonly events: ClientEvents;
  private readonly transport: Transport | undefined;
  private readonly cacheWriter: CacheFileWriter | undefined;
  private readonly acks: AckThrottle;
  private readonly staleAfterMs: number | undefined;

  /** What evaluations read; replaced, never mutated, on every commit. */
  private environment: CompiledEnvironment | undefined;
  private currentStatus: ClientStatus = 'initializing';
  private connection: ConnectionState = 'connecting';
  private confirmed = false;
  private refused = false;
  private silentTooLong = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  private commitQueued = false;
  /** `commit` bound once: a change queues it without making a closure. */
  private readonly queuedCommit = (): void => this.commit();
  private resyncRequestedAt: number | undefined;
  private updatedAt: number | undefined;
  private contactAt: number | undefined;
  private staleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly readyWaiters = new Set<ReadyWaiter>();
  private evaluationObserver: EvaluationObserver | undefined;

  /**
   * Starts a client: loads `bootstrap` (or the cache file) and connects. Throws only on invalid
   * options (a malformed `url`, an empty `sdkKey`).
   */
  constructor(options: ClientOptions) {
    if (typeof options?.sdkKey !== 'string' || options.sdkKey === '') throw new TypeError('sdkKey is required');
    parseServerUrl(options.url);
    this.logger = options.logger === undefined ? createDefaultLogger() : guardLogger(options.logger);
    this.events = new ClientEvents(this.logger);
    this.staleAfterMs = options.staleAfterMs;
    this.acks = new AckThrottle((sequence) => this.transport?.acknowledge(sequence));

    this.loadInitialConfig(options);
    // What a client without a server or cache file does not use is made elsewhere: a short-lived
    // process compiles only the code it runs.
    if (options.cacheFile !== undefined) this.cacheWriter = this.createCacheWriter(options.cacheFile, options);
    const kind = options.transport ?? 'socket';
    if (kind === 'socket' || kind === 'poll') this.transport = createTransport(kind, options, this.transportSink());
    else this.connection = 'disconnected';
    this.updateStatus();
    this.transport?.start();
  }

  /** See {@link ClientStatus}. */
  get status(): ClientStatus {
    return this.currentStatus;
  }

  /** True when evaluations serve a config (bootstrap, cache or server), false while they serve defaults. */
  get hasConfig(): boolean {
    return this.environment !== undefined;
  }

  /** The change-log sequence of the config served (0 before any). */
  get sequence(): number {
    return this.store.sequence;
  }

  /** When the served config last changed (epoch ms): loaded at start or updated by the server. */
  get lastUpdateAt(): number | undefined {
    return this.updatedAt;
  }

  /** When the server was last heard from (epoch ms): a connection, a message, a ping, a poll answer. */
  get lastContactAt(): number | undefined {
    return this.contactAt;
  }

  /**
   * The compiled config evaluations read (`undefined` before any). Immutable: pipeline helpers pin
   * it for a run (see `createFlags().pinRun`).
   */
  get compiledEnvironment(): CompiledEnvironment | undefined {
    return this.environment;
  }

  /**
   * How old the served config may be, in ms: 0 while a push connection is up (any change would
   * have arrived), otherwise the time since the server was last heard from; `Infinity` without a
   * config, or with one the server never confirmed (bootstrap or cache file only).
   */
  get configAgeMs(): number {
    if (this.environment === undefined || !this.confirmed || this.refused) return Infinity;
    if (this.connection === 'connected' && this.transport instanceof SocketTransport) return 0;
    return this.contactAt === undefined ? Infinity : Math.max(0, Date.now() - this.contactAt);
  }

  /** Installs (or removes, with `undefined`) the one observer of evaluations made through this client's methods. */
  observeEvaluations(observer: EvaluationObserver | undefined): void {
    this.evaluationObserver = observer;
  }

  /**
   * Resolves once the client serves a config (the first snapshot, or bootstrap / cache data at
   * start), when the key is refused, on `close()`, or after `timeoutMs`, whichever comes first.
   * Never rejects: it resolves with the status at that moment. `ready` or `stale` means flags are
   * served from a config; `initializing`, `offline` or `error` after a timeout means they serve
   * defaults (check `hasConfig` to be sure).
   */
  waitForReady(options: WaitForReadyOptions = {}): Promise<ClientStatus> {
    if (this.environment !== undefined || this.refused || this.closed) return Promise.resolve(this.currentStatus);
    return new Promise((resolve) => {
      const waiter: ReadyWaiter = {
        resolve,
        timer: setTimeout(() => {
          this.readyWaiters.delete(waiter);
          resolve(this.currentStatus);
        }, options.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS),
      };
      this.readyWaiters.add(waiter);
    });
  }

  /** The value of a boolean flag, or `defaultValue` (missing flag, other kind, no config yet). Never throws. */
  boolean(flagKey: string, context: EvaluationContext | undefined, defaultValue: boolean): boolean {
    const environment = this.environment;
    if (environment === undefined) return this.notReady(flagKey, defaultValue);
    const result = evaluate(environment, flagKey, context, defaultValue, 'boolean');
    this.evaluationObserver?.(flagKey, result);
    return result.value as boolean;
  }

  /** The value of a string flag, or `defaultValue`. Never throws. */
  string(flagKey: string, context: EvaluationContext | undefined, defaultValue: string): string {
    const environment = this.environment;
    if (environment === undefined) return this.notReady(flagKey, defaultValue);
    const result = evaluate(environment, flagKey, context, defaultValue, 'string');
    this.evaluationObserver?.(flagKey, result);
    return result.value as string;
  }

  /** The value of a number flag, or `defaultValue`. Never throws. */
  number(flagKey: string, context: EvaluationContext | undefined, defaultValue: number): number {
    const environment = this.environment;
    if (environment === undefined) return this.notReady(flagKey, defaultValue);
    const result = evaluate(environment, flagKey, context, defaultValue, 'number');
    this.evaluationObserver?.(flagKey, result);
    return result.value as number;
  }

  /** The value of a JSON flag (frozen), or `defaultValue`. Never throws. */
  json<T extends JsonValue = JsonValue>(flagKey: string, context: EvaluationContext | undefined, defaultValue: T): T {
    const environment = this.environment;
    if (environment === undefined) return this.notReady(flagKey, defaultValue);
    const result = evaluate(environment, flagKey, context, defaultValue, 'json');
    this.evaluationObserver?.(flagKey, result);
    return result.value as T;
  }

  /**
   * The full result of an evaluation: value, variant, reason, rule index, error code. `kind`, when
   * given, must match the flag's kind or the default is served with `TYPE_MISMATCH`. Never throws.
   */
  details(flagKey: string, context: EvaluationContext | undefined, defaultValue: FlagValue, kind?: FlagKind): FlagDetails {
    const environment = this.environment;
    if (environment === undefined) {
      this.evaluationObserver?.(flagKey, NOT_READY_RESULT);
      return { flagKey, value: defaultValue, reason: 'ERROR', errorCode: 'GENERAL', errorMessage: NOT_READY_MESSAGE };
    }
    const result = evaluate(environment, flagKey, context, defaultValue, kind);
    this.evaluationObserver?.(flagKey, result);
    return { flagKey, ...result };
  }

  /** `details` for a boolean flag. */
  booleanDetails(flagKey: string, context: EvaluationContext | undefined, defaultValue: boolean): FlagDetails<boolean> {
    return this.details(flagKey, context, defaultValue, 'boolean') as FlagDetails<boolean>;
  }

  /** `details` for a string flag. */
  stringDetails(flagKey: string, context: EvaluationContext | undefined, defaultValue: string): FlagDetails<string> {
    return this.details(flagKey, context, defaultValue, 'string') as FlagDetails<string>;
  }

  /** `details` for a number flag. */
  numberDetails(flagKey: string, context: EvaluationContext | undefined, defaultValue: number): FlagDetails<number> {
    return this.details(flagKey, context, defaultValue, 'number') as FlagDetails<number>;
  }

  /** `details` for a JSON flag. */
  jsonDetails<T extends JsonValue = JsonValue>(flagKey: string, context: EvaluationContext | undefined, defaultValue: T): FlagDetails<T> {
    return this.details(flagKey, context, defaultValue, 'json') as FlagDetails<T>;
  }

  /**
   * Every flag's value for a context, by key in config order; `null` for a flag that would serve
   * the caller's default (off without an off variant, broken config). Empty before any config.
   */
  allFlags(context: EvaluationContext | undefined): Record<string, FlagValue | null> {
    const values: Record<string, FlagValue | null> = {};
    const results = this.allFlagsDetails(context);
    for (const key of Object.keys(results)) values[key] = results[key]!.value;
    return values;
  }

  /** Every flag's full result for a context (see `allFlags`). */
  allFlagsDetails(context: EvaluationContext | undefined): Record<string, Readonly<EvaluationResult>> {
    const environment = this.environment;
    return environment === undefined ? {} : evaluateAll(environment, context);
  }

  /**
   * Subscribes to an event; returns the function that unsubscribes.
   * - `change` (flagKeys): flags whose evaluation may have changed: changed or deleted flags, flags
   *   with a rule on a changed segment, and flags depending on any of those through prerequisites.
   * - `change:<flagKey>` (flagKey): the same, for one flag.
   * - `status` (status, previous): see {@link ClientStatus}.
   * - `error` (error): background failures; evaluation goes on. A listener that throws is logged and ignored.
   */
  on<E extends keyof ClientEventMap>(event: E, listener: ClientEventMap[E]): Unsubscribe;
  on(event: FlagChangeEvent, listener: (flagKey: string) => void): Unsubscribe;
  on(event: string, listener: (...args: never[]) => void): Unsubscribe {
    return this.events.on(event, listener);
  }

  /**
   * Disconnects and releases every handle (socket, timers, in-flight requests) so the process can
   * exit, and writes the cache file if it has unwritten changes. Idempotent. Evaluations keep
   * serving the last config afterwards; the status becomes `offline` (or stays `error`).
   */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.closed = true;
    // Changes received in this tick are still worth keeping (and confirming, and caching).
    this.commit();
    // The server should learn what this client applied last: send a pending ack before closing.
    this.acks.flush();
    this.transport?.close();
    if (this.staleTimer !== undefined) clearTimeout(this.staleTimer);
    this.staleTimer = undefined;
    this.connection = 'disconnected';
    this.updateStatus();
    this.settleReadyWaiters();
    this.closing = this.cacheWriter?.flush() ?? Promise.resolve();
    return this.closing;
  }

  private notReady<T>(flagKey: string, defaultValue: T): T {
    this.evaluationObserver?.(flagKey, NOT_READY_RESULT);
    return defaultValue;
  }

  private loadInitialConfig(options: ClientOptions): void {
    if (options.bootstrap !== undefined) {
      if (!this.store.replace(options.bootstrap)) this.logger.warn('ignored the bootstrap config: it is not an environment config');
    } else if (options.cacheFile !== undefined) {
      this.loadCacheFile(options.cacheFile, options.sdkKey);
    }
    const batch = this.store.commit();
    if (batch === undefined) return;
    this.environment = this.store.compiled;
    this.updatedAt = Date.now();
  }

  private loadCacheFile(cacheFile: string, sdkKey: string): void {
    const cached = readCacheFile(cacheFile, sdkKey);
    if (cached.status === 'loaded') {
      this.store.replace(cached.config);
      this.logger.debug(`loaded config sequence ${cached.config.sequence} from ${cacheFile} (saved ${cached.savedAt})`);
    } else if (cached.status === 'unusable') {
      this.logger.warn(`ignored the cache file ${cacheFile}: ${cached.reason}`);
    }
  }

  private createCacheWriter(cacheFile: string, options: ClientOptions): CacheFileWriter {
    return new CacheFileWriter(
      cacheFile,
      options.sdkKey,
      () => (this.store.hasConfig ? this.store.toConfig() : undefined),
      (error) => this.reportError(new Error(`cannot write the cache file ${cacheFile}: ${describeError(error)}`)),
      options.cacheWriteDelayMs ?? 500,
    );
  }

  private transportSink(): TransportSink {
    return {
      currentSequence: () => this.store.sequence,
      message: (message) => this.receive(message),
      connected: () => {
        if (this.closed) return;
        this.connection = 'connected';
        // The server accepted our sequence and answers from there: what we hold is confirmed.
        if (this.store.hasConfig) this.confirmed = true;
        this.resyncRequestedAt = undefined;
        this.acks.reset();
        this.touch();
      },
      contact: () => {
        if (!this.closed) this.touch();
      },
      disconnected: (reason) => {
        if (this.closed) return;
        this.logger.debug(`disconnected: ${reason}`);
        this.connection = 'disconnected';
        this.updateStatus();
      },
      refused: (refusal) => this.handleRefusal(refusal),
      error: (error) => {
        if (!this.closed) this.reportError(error);
      },
    };
  }

  private receive(message: ServerMessage): void {
    if (this.closed) return;
    const outcome: ApplyOutcome = this.store.apply(message);
    switch (outcome) {
      case 'applied':
        if (message.type === 'snapshot') this.resyncRequestedAt = undefined;
        this.confirmed = true;
        if (!this.commitQueued) {
          this.commitQueued = true;
          // Messages decoded in the same tick share one compile.
          queueMicrotask(this.queuedCommit);
        }
        break;
      case 'gap':
      case 'invalid':
        if (outcome === 'invalid') this.logger.warn(`ignored a malformed ${String((message as { type?: unknown })?.type)} message`);
        this.requestResync();
        break;
      case 'duplicate':
      case 'waiting':
        break;
    }
    this.touch();
  }

  private requestResync(): void {
    const now = Date.now();
    // One request per gap; ask again only if the snapshot is slow to come.
    if (this.resyncRequestedAt !== undefined && now - this.resyncRequestedAt < RESYNC_RETRY_MS) return;
    this.resyncRequestedAt = now;
    this.logger.debug(`sequence gap after ${this.store.sequence}: asking for a snapshot`);
    this.transport?.requestResync();
  }

  private commit(): void {
    this.commitQueued = false;
    const batch = this.store.commit();
    if (batch === undefined) return;
    this.environment = this.store.compiled;
    this.updatedAt = Date.now();
    if (!this.closed) this.acks.acknowledge(batch.sequence);
    this.cacheWriter?.schedule();
    this.updateStatus();
    this.settleReadyWaiters();
    const keys = batch.changedKeys;
    if (keys.length === 0) return;
    this.events.emit('change', keys);
    for (const key of keys) {
      const event = `change:${key}`;
      if (this.events.has(event)) this.events.emit(event, key);
    }
  }

  private handleRefusal(refusal: RefusalMessage): void {
    if (this.closed || this.refused) return;
    this.refused = true;
    this.connection = 'disconnected';
    this.reportError(new SignalboxRefusedError(refusal));
    this.updateStatus();
    this.settleReadyWaiters();
  }

  /** Notes that the server was heard from, and watches for silence when `staleAfterMs` is set. */
  private touch(): void {
    this.contactAt = Date.now();
    this.silentTooLong = false;
    this.updateStatus();
    if (this.staleAfterMs !== undefined && this.staleTimer === undefined) this.watchSilence(this.staleAfterMs);
  }

  private watchSilence(delayMs: number): void {
    this.staleTimer = setTimeout(() => {
      this.staleTimer = undefined;
      const silentFor = Date.now() - (this.contactAt ?? 0);
      if (silentFor >= this.staleAfterMs!) {
        this.silentTooLong = true;
        this.updateStatus();
      } else {
        this.watchSilence(this.staleAfterMs! - silentFor);
      }
    }, delayMs);
    this.staleTimer.unref?.();
  }

  private updateStatus(): void {
    const status = deriveStatus({
      // The compiled config, not the store: a status listener must see what evaluations serve.
      hasConfig: this.environment !== undefined,
      confirmed: this.confirmed,
      connection: this.connection,
      refused: this.refused,
      silentTooLong: this.silentTooLong,
    });
    if (status === this.currentStatus) return;
    const previous = this.currentStatus;
    this.currentStatus = status;
    this.logger.debug(`status ${previous} → ${status}`);
    this.events.emit('status', status, previous);
  }

  private settleReadyWaiters(): void {
    if (this.readyWaiters.size === 0) return;
    if (this.environment === undefined && !this.refused && !this.closed) return;
    for (const waiter of this.readyWaiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(this.currentStatus);
    }
    this.readyWaiters.clear();
  }

  private reportError(error: Error): void {
    this.logger.warn(error.message);
    this.events.emit('error', error);
  }

  private reportProblems(problems: readonly ConfigProblem[]): void {
    if (problems.length === 0) return;
    const shown = problems.slice(0, 3).map((problem) => {
      const where = problem.flagKey !== undefined ? `flag ${problem.flagKey}: ` : problem.segmentKey !== undefined ? `segment ${problem.segmentKey}: ` : '';
      return `${where}${problem.message}`;
    });
    const more = problems.length > shown.length ? ` (and ${problems.length - shown.length} more)` : '';
    this.logger.warn(`config sequence ${this.store.sequence} has problems; affected flags serve defaults: ${shown.join('; ')}${more}`);
  }
}

/** The push or polling transport `options` ask for, reporting to `sink`. */
function createTransport(kind: 'socket' | 'poll', options: ClientOptions, sink: TransportSink): Transport {
  if (kind === 'socket') {
    return new SocketTransport(
      {
        endpoints: serverEndpoints(options.url),
        sdkKey: options.sdkKey,
        clientName: SDK_CLIENT_NAME,
        reconnectionDelayMs: options.reconnectionDelayMs ?? DEFAULT_RECONNECTION_DELAY_MS,
        reconnectionDelayMaxMs: options.reconnectionDelayMaxMs ?? DEFAULT_RECONNECTION_DELAY_MAX_MS,
      },
      sink,
    );
  }
  const intervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  return new PollTransport(
    {
      endpoints: serverEndpoints(options.url),
      sdkKey: options.sdkKey,
      clientName: SDK_CLIENT_NAME,
      intervalMs,
      retryDelayMs: Math.min(1_000, intervalMs),
      requestTimeoutMs: Math.max(1_000, Math.min(10_000, intervalMs)),
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    },
    sink,
  );
}

/** Creates and starts a {@link SignalboxClient}. */
export function createClient(options: ClientOptions): SignalboxClient {
  return new SignalboxClient(options);
}
